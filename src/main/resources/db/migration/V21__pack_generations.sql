-- Encryption at rest (issue 15): the generation of the recipient set a pack is encrypted to (the first 16 hex digits
-- of the SHA-256 of its sorted age recipients, config.EncryptionSettings.generationOf); null: a plain-text pack.
-- A backup reuses (deduplicates against) only the packs of its project's current generation, so no new artifact
-- relies on a pack encrypted to another recipient set, retired keys included (a plain-text pack is another generation too).
alter table ops.filestore_packs add column generation text;
create index filestore_packs_generation on ops.filestore_packs (project, generation);
