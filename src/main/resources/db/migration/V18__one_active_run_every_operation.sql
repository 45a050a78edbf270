-- One active run per environment covers every operation that changes it or its artifacts: a recover (it sweeps
-- side copies and may start Odoo), an accept/discard decision (a recover run) and a store copy (it re-points
-- artifacts) no longer run beside a backup or a restore of the same environment, nor beside each other. A child
-- run (a restore's safety backup) still shares its parent's place.
drop index ops.runs_one_active_per_env;
create unique index runs_one_active_per_env on ops.runs (environment_id)
    where status in ('queued', 'running') and parent_run_id is null;
