-- Skip if unchanged: a backup whose database and filestore fingerprints equal those of the environment's last
-- verified artifact is recorded as a run 'skipped_unchanged' (metadata.artifact_id names that artifact) instead of
-- taking a copy. The fingerprints are stored with each artifact; verified_at is set when its upload was read back
-- and checked, or when verify-artifact found it intact.
alter table ops.runs drop constraint runs_status_check;
alter table ops.runs add constraint runs_status_check
    check (status in ('queued', 'running', 'success', 'failed', 'rolled_back', 'rolled_back_odoo_down', 'abandoned',
                      'skipped', 'skipped_unchanged'));

alter table ops.artifacts add column fingerprint jsonb;
alter table ops.artifacts add column verified_at timestamptz;
