-- Repacking: a pack most of whose bytes no live artifact needs any more is written again with only the members
-- live artifacts need, under a new id, and the old pack is then collected like any unreferenced one. An index
-- names the pack each file was first stored in and is never rewritten: pack_moves says which pack holds the files
-- of a repacked one now (one hop: a pack repacked again moves every row that pointed at it). The store keeps the
-- same fact beside the packs, <pack id>.moved, for a rebuild by hand.
create table ops.pack_moves (
    project   text not null,
    pack_id   text not null,
    moved_to  text not null,
    moved_at  timestamptz not null default now(),
    primary key (project, pack_id)
);
create index pack_moves_to on ops.pack_moves (project, moved_to);
