-- The packed filestore (artifact format 2): each project's files are stored once, in pack objects
-- <project>/_packs/<pack id>.tar.zst of the store; an artifact's filestore.index.tsv lists its files and their packs.
-- filestore_objects says which files (by path and content SHA-1) the project's packs hold, so a backup reads and
-- uploads only the others; artifact_packs says which packs each artifact needs (what pruning may delete).
-- All three are written in the transaction that registers the artifact: an object is known only when an
-- artifact that references its pack is registered.
create table ops.filestore_packs (
    project     text not null references ops.projects(name),
    pack_id     text not null,
    uri         text not null,               -- where it was written (s3://.../_packs/<id>.tar.zst or file:///...)
    sha256      text not null,
    size        bigint not null,
    files       integer not null,
    bytes       bigint not null,             -- the members' size before compression
    compressed  boolean not null,            -- holds already-compressed content (written at zstd's fastest level)
    created_at  timestamptz not null default now(),
    deleted_at  timestamptz,
    primary key (project, pack_id)
);

create table ops.filestore_objects (
    project  text not null,
    path     text not null,
    sha1     text not null,
    size     bigint not null,
    pack_id  text not null,
    primary key (project, path, sha1),
    foreign key (project, pack_id) references ops.filestore_packs(project, pack_id)
);

create table ops.artifact_packs (
    artifact_id text not null references ops.artifacts(id),
    project     text not null,
    pack_id     text not null,
    primary key (artifact_id, pack_id),
    foreign key (project, pack_id) references ops.filestore_packs(project, pack_id)
);
create index artifact_packs_pack on ops.artifact_packs (project, pack_id);
