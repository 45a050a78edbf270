-- The store-deletion journal: every removal of stored objects (a retention prune, the cleanup of a failed
-- run's upload, the partial upload of a dead run) is written here BEFORE any object is deleted, with the
-- artifact's recorded URI. It is marked done when every object is gone (for a prune, in the same statement
-- that sets ops.artifacts.pruned_at). A removal that fails or is interrupted stays pending and is retried
-- by the next run on the environment.
create table ops.store_deletions (
    id              bigserial primary key,
    environment_id  text not null references ops.environments(id),
    artifact_id     text not null,                      -- no foreign key: a failed run's artifact has no row
    uri             text not null,                      -- where the objects are: s3://bucket/prefix/... or file:///...
    reason          text not null check (reason in ('prune', 'failed_run', 'abandoned_run')),
    run_id          uuid references ops.runs(run_id),   -- the run that planned the removal
    planned_at      timestamptz not null default now(),
    attempts        integer not null default 0,
    last_attempt_at timestamptz,
    last_error      text,
    done_at         timestamptz
);
create unique index store_deletions_one_pending on ops.store_deletions (artifact_id) where done_at is null;
create index store_deletions_pending_env on ops.store_deletions (environment_id) where done_at is null;
