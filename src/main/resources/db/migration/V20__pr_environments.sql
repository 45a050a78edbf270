-- Pull-request environments (issue 14, section 5): which exist, made from the project's pr_environments template of
-- the environments file. Each is also an environment of type development in ops.environments (id P/pr-<N>), so that
-- backup, restore, runs and permissions work on it; its runs (pr_env_create, pr_env_delete, pr_env_expire, backups)
-- refer to that row. The row here is the create's and delete's journal: status creating or deleting means a run is at
-- work (or died half-way: the next create/delete of the PR, or recover, removes what it made and this row).
create table ops.pr_environments (
    project         text not null references ops.projects(name),
    pr              integer not null check (pr > 0),
    environment_id  text not null references ops.environments(id),
    database_name   text not null,
    filestore       text not null,
    env_file        text not null,
    source          text not null check (source in ('snapshot', 'staging', 'empty')),
    artifact_id     text,
    status          text not null check (status in ('creating', 'ready', 'deleting')),
    run_id          uuid references ops.runs(run_id),
    created_at      timestamptz not null default now(),
    primary key (project, pr),
    unique (environment_id)
);

-- An environment the environments file does not hold (a PR environment) that was removed: its row stays while runs
-- or artifacts refer to it (history), marked here; a PR environment made again under the same id clears it.
alter table ops.environments add column removed_at timestamptz;
