-- A pack a repack is writing is reserved first (pending_since): a kill before the move is recorded leaves a row
-- the collector removes, with whatever was uploaded, once a day has passed; a pending pack is never collected
-- before (its writer may still be at work).
alter table ops.filestore_packs add column pending_since timestamptz;
