-- Restore drills (issue 16): a drill restores an artifact into scratch copies (a scratch database, on a drill server of
-- its own when one is configured, and a scratch directory), validates them, records the RTO and drops them. It is a
-- run of its own (operation drill) that never changes the environment, so it does not take the environment's one
-- active place (a backup or a restore runs beside it); one drill at a time per environment.
alter table ops.runs drop constraint runs_operation_type_check;
alter table ops.runs add constraint runs_operation_type_check
    check (operation_type in ('backup', 'restore', 'deploy', 'copy', 'recover', 'store_copy', 'snapshot',
                              'pr_env_create', 'pr_env_delete', 'pr_env_expire', 'import_zip', 'export_zip',
                              'evidence_retention', 'rekey', 'drill'));
drop index ops.runs_one_active_per_env;
create unique index runs_one_active_per_env on ops.runs (environment_id)
    where status in ('queued', 'running') and parent_run_id is null and operation_type <> 'drill';
create unique index runs_one_active_drill_per_env on ops.runs (environment_id)
    where status in ('queued', 'running') and operation_type = 'drill';

-- One row per drill run: which artifact, where its scratch copies were (so a sweep after a kill -9 finds them), how
-- it ended, its RTO (start to validated, milliseconds) and every check's outcome. While its run is queued or running,
-- the row is the drill's lease on the artifact and its packs: retention, pack collection and repacking leave them.
create table ops.drills (
    run_id            uuid primary key references ops.runs(run_id),
    project           text not null references ops.projects(name),
    environment_id    text not null references ops.environments(id),
    artifact_id       text not null,
    status            text not null default 'running' check (status in ('running', 'passed', 'failed')),
    started_at        timestamptz not null default now(),
    finished_at       timestamptz,
    rto_ms            bigint,
    server            text,            -- host:port of the PostgreSQL server the scratch database was on
    scratch_database  text,
    scratch_filestore text,
    standby           boolean not null default false,   -- its copies were kept as the environment's warm standby
    checks            jsonb not null default '{}'::jsonb,
    failure           text
);
create index drills_artifact on ops.drills (artifact_id, started_at desc);
create index drills_environment on ops.drills (environment_id, started_at desc);

-- The last finished drill of each artifact, kept on the artifact for listings and retention (newest drilled-ok kept).
alter table ops.artifacts add column last_drill_status text check (last_drill_status in ('passed', 'failed'));
alter table ops.artifacts add column last_drill_at timestamptz;
alter table ops.artifacts add column last_drill_run uuid;

-- The warm standby (opt-in per environment): the database and filestore a drill of the newest backup kept, closed to
-- connections, and what they held when closed (fingerprint), so a restore of exactly that artifact can rename them in.
create table ops.standbys (
    environment_id    text primary key references ops.environments(id),
    artifact_id       text not null,
    drill_run_id      uuid not null references ops.runs(run_id),
    server            text not null,
    database_name     text not null,
    filestore         text not null,
    fingerprint       jsonb not null default '{}'::jsonb,
    bytes             bigint,
    created_at        timestamptz not null default now()
);
