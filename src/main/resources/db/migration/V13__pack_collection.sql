-- Collecting packs: a pack no live artifact refers to is first marked deleted (deleted_at), in a transaction that
-- holds its row lock, then removed from the store, then its rows go. A backup's registration takes the same row
-- locks on every pack it refers to and refuses one marked deleted, so no live index can refer to a deleted pack
-- (the backup fails instead, and the next one stores those files again).
alter table ops.filestore_packs add column referenced_at timestamptz;
