-- Service mode: a request accepted on a channel (HTTP, JMS, inbox, schedule) is recorded as a queued run
-- before it is acknowledged, with the request itself, so that a process that dies before running it loses
-- nothing: the next `serve` picks up queued runs that no live process owns. request_id makes a request
-- idempotent across channels: the same id on the same environment returns the first run.
alter table ops.runs add column request jsonb;
alter table ops.runs add column request_id text;
alter table ops.runs add column channel text;
create unique index runs_request_id on ops.runs (environment_id, request_id) where request_id is not null;

-- As V2, plus the request (a queued service request) recorded with the run in the same insert, so that the
-- unique request_id decides at once; and a queued run that carries a request is never abandoned by another run:
-- it is waiting for a worker (its owner's lock) or for the next `serve` to pick it up, and keeps the environment.
drop function ops.begin_run(uuid, text, text, text, text, jsonb, integer);
create function ops.begin_run(p_run_id uuid, p_project text, p_environment_id text, p_operation text,
                              p_user text, p_metadata jsonb, p_stale_seconds integer,
                              p_request jsonb default null, p_request_id text default null, p_channel text default null)
returns setof uuid language plpgsql as $$
declare
    r record;
begin
    for r in select run_id, heartbeat, coalesce(parent_run_id, run_id) as owner from ops.runs
              where environment_id = p_environment_id and status in ('queued', 'running')
                and not (status = 'queued' and request is not null)
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

    insert into ops.runs (run_id, project, environment_id, operation_type, status, metadata, created_by,
                          request, request_id, channel)
    values (p_run_id, p_project, p_environment_id, p_operation, 'queued', p_metadata, p_user,
            p_request, p_request_id, p_channel);
    perform pg_advisory_lock(ops.run_lock_key(p_run_id));
    insert into ops.run_events (run_id, event_type, payload)
    values (p_run_id, 'run_queued', jsonb_build_object('operation', p_operation, 'user', p_user));
    return next p_run_id;
end
$$;
