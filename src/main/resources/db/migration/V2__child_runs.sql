-- Child runs: a restore takes its mandatory safety backup as a child run under its own lease. The child
-- does not count against the one-active-run rule (its parent holds that place) and shares its parent's lock
-- key, so it is abandoned exactly when its parent is.

alter table ops.runs add column parent_run_id uuid references ops.runs(run_id);

drop index ops.runs_one_active_per_env;
create unique index runs_one_active_per_env on ops.runs (environment_id)
    where status in ('queued', 'running') and operation_type in ('backup', 'restore', 'deploy') and parent_run_id is null;

create or replace function ops.begin_run(p_run_id uuid, p_project text, p_environment_id text, p_operation text,
                                         p_user text, p_metadata jsonb, p_stale_seconds integer)
returns setof uuid language plpgsql as $$
declare
    r record;
begin
    for r in select run_id, heartbeat, coalesce(parent_run_id, run_id) as owner from ops.runs
              where environment_id = p_environment_id and status in ('queued', 'running')
              for update
    loop
        if pg_try_advisory_xact_lock(ops.run_lock_key(r.owner))
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

-- A child run of an active parent (same environment). Fails when the parent is not active.
create function ops.begin_child_run(p_run_id uuid, p_parent uuid, p_operation text, p_user text, p_metadata jsonb)
returns setof uuid language plpgsql as $$
declare
    p record;
begin
    select project, environment_id into p from ops.runs
     where run_id = p_parent and status in ('queued', 'running') and parent_run_id is null;
    if not found then
        raise exception 'parent run % is not active', p_parent using errcode = 'P0002';
    end if;
    insert into ops.runs (run_id, project, environment_id, operation_type, status, metadata, created_by, parent_run_id)
    values (p_run_id, p.project, p.environment_id, p_operation, 'queued', p_metadata, p_user, p_parent);
    insert into ops.run_events (run_id, event_type, payload)
    values (p_run_id, 'run_queued', jsonb_build_object('operation', p_operation, 'user', p_user, 'parent_run_id', p_parent));
    return next p_run_id;
end
$$;
