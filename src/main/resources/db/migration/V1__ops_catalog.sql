-- The ops catalog: the durable record of every run, step and artifact.
-- Projects, environments, users and permissions are synchronised from the environments file at start.

create table ops.projects (
    name        text primary key,
    created_at  timestamptz not null default now()
);

create table ops.environments (
    id          text primary key,                       -- "<project>/<name>", what --confirm expects
    project     text not null references ops.projects(name),
    name        text not null,
    type        text not null check (type in ('development', 'staging', 'production')),
    created_at  timestamptz not null default now(),
    unique (project, name)
);

create table ops.users (
    name        text primary key,
    created_at  timestamptz not null default now()
);

create table ops.permissions (
    user_name   text not null references ops.users(name),
    project     text not null,                          -- a project name, or '*' for every project
    action      text not null,                          -- backup | restore | deploy | copy | '*'
    primary key (user_name, project, action)
);

create function ops.user_has_permission(p_user text, p_project text, p_action text)
returns boolean language sql stable as $$
    select exists (
        select 1 from ops.permissions
         where user_name = p_user
           and project in (p_project, '*')
           and action in (p_action, '*'))
$$;

create table ops.runs (
    run_id          uuid primary key,
    project         text not null references ops.projects(name),
    environment_id  text not null references ops.environments(id),
    operation_type  text not null check (operation_type in ('backup', 'restore', 'deploy', 'copy')),
    status          text not null check (status in ('queued', 'running', 'success', 'failed', 'rolled_back', 'abandoned')),
    metadata        jsonb not null default '{}'::jsonb,
    created_by      text not null,
    created_at      timestamptz not null default now(),
    started_at      timestamptz,
    finished_at     timestamptz,
    heartbeat       timestamptz not null default now(),
    evidence_dir    text,
    failed_step     text,
    failure_reason  text
);
create index runs_env_created on ops.runs (environment_id, created_at desc);

-- The database itself enforces one active backup/restore/deploy run per environment, across processes.
create unique index runs_one_active_per_env on ops.runs (environment_id)
    where status in ('queued', 'running') and operation_type in ('backup', 'restore', 'deploy');

create table ops.run_events (
    id          bigserial primary key,
    run_id      uuid not null references ops.runs(run_id),
    event_type  text not null,
    step        text,
    payload     jsonb not null default '{}'::jsonb,
    created_at  timestamptz not null default now()
);
create index run_events_run on ops.run_events (run_id, id);

create table ops.artifacts (
    id              text primary key,
    environment_id  text not null references ops.environments(id),
    run_id          uuid references ops.runs(run_id),
    kind            text not null,                      -- backup | pre_restore
    backup_type     text not null check (backup_type in ('full', 'db_only', 'filestore_only')),
    uri             text not null,                      -- s3://bucket/prefix/... or file:///...
    checksums       jsonb not null,                     -- {"db.dump": "<sha256>", ...}
    sizes           jsonb not null,                     -- {"db.dump": 123, ...}
    manifest        jsonb not null,                     -- the artifact contract
    label           text,
    pinned          boolean not null default false,
    created_at      timestamptz not null,
    pruned_at       timestamptz
);
create index artifacts_env_created on ops.artifacts (environment_id, created_at desc);

-- Lock key of a run: the run holds a session-level advisory lock on it for as long as its process lives.
create function ops.run_lock_key(p_run_id uuid) returns bigint language sql immutable as $$
    select hashtextextended(p_run_id::text, 7041)
$$;

-- Starts a run atomically: abandons the environment's active runs whose owner is gone (its advisory lock
-- is free, or its heartbeat is older than p_stale_seconds), then inserts the new run as 'queued' and takes
-- its advisory lock on the calling session. A live active run makes the insert fail with unique_violation.
create function ops.begin_run(p_run_id uuid, p_project text, p_environment_id text, p_operation text,
                              p_user text, p_metadata jsonb, p_stale_seconds integer)
returns setof uuid language plpgsql as $$
declare
    r record;
begin
    for r in select run_id, heartbeat from ops.runs
              where environment_id = p_environment_id and status in ('queued', 'running')
              for update
    loop
        if pg_try_advisory_xact_lock(ops.run_lock_key(r.run_id))
           or r.heartbeat < now() - make_interval(secs => p_stale_seconds) then
            update ops.runs set status = 'abandoned', finished_at = now(),
                   failure_reason = 'owner process gone (lock released or heartbeat stale)'
             where run_id = r.run_id;
            insert into ops.run_events (run_id, event_type, payload)
            values (r.run_id, 'run_abandoned',
                    jsonb_build_object('last_heartbeat', r.heartbeat, 'abandoned_by', p_run_id));
        end if;
    end loop;

    insert into ops.runs (run_id, project, environment_id, operation_type, status, metadata, created_by)
    values (p_run_id, p_project, p_environment_id, p_operation, 'queued', p_metadata, p_user);
    perform pg_advisory_lock(ops.run_lock_key(p_run_id));
    insert into ops.run_events (run_id, event_type, payload)
    values (p_run_id, 'run_queued', jsonb_build_object('operation', p_operation, 'user', p_user));
    return next p_run_id;
end
$$;
