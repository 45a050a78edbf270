-- request_id is an idempotency key: the same id on the same environment answers the first run only when the request
-- is the same. Each queued run keeps a canonical fingerprint of its request (operation and normalized body, the
-- request_id itself left out: the SHA-256 of jsonb's canonical text, keys sorted and deduplicated), and begin_run
-- decides under a transaction lock per (environment, request_id), so that parallel requests of one id never meet the
-- one-active-run index first: the first inserts, every other finds it and is told so (unique_violation on
-- runs_request_id), whatever the order the indexes are checked in.
create function ops.request_fingerprint(p_request jsonb) returns text language sql immutable as $$
    select encode(sha256(convert_to((p_request - 'request_id')::text, 'UTF8')), 'hex')
$$;

alter table ops.runs add column request_fingerprint text;
update ops.runs set request_fingerprint = ops.request_fingerprint(request) where request is not null;

create or replace function ops.begin_run(p_run_id uuid, p_project text, p_environment_id text, p_operation text,
                                         p_user text, p_metadata jsonb, p_stale_seconds integer,
                                         p_request jsonb default null, p_request_id text default null,
                                         p_channel text default null)
returns setof uuid language plpgsql as $$
declare
    r record;
begin
    if p_request_id is not null then
        -- the two-key form: a lock space apart from the runs' own (one-key) advisory locks
        perform pg_advisory_xact_lock(hashtext(p_environment_id), hashtext(p_request_id));
        if exists (select 1 from ops.runs where environment_id = p_environment_id and request_id = p_request_id) then
            raise exception 'duplicate request_id % on % (runs_request_id)', p_request_id, p_environment_id
                using errcode = 'unique_violation', constraint = 'runs_request_id';
        end if;
    end if;

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
                          request, request_id, channel, request_fingerprint)
    values (p_run_id, p_project, p_environment_id, p_operation, 'queued', p_metadata, p_user,
            p_request, p_request_id, p_channel,
            case when p_request is null then null else ops.request_fingerprint(p_request) end);
    perform pg_advisory_lock(ops.run_lock_key(p_run_id));
    insert into ops.run_events (run_id, event_type, payload)
    values (p_run_id, 'run_queued', jsonb_build_object('operation', p_operation, 'user', p_user));
    return next p_run_id;
end
$$;
