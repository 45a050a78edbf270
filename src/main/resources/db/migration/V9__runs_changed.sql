-- Every change to a run (start, heartbeat, step, end, a new queued request) is announced on the channel
-- ops_runs_changed with the run's environment id as payload, delivered when its transaction commits. A serve
-- instance listens and drops what it cached of that environment's run list (service.RunListCache): the list it
-- answers is never older than the last committed change it was told about, on any instance.
create function ops.notify_runs_changed() returns trigger language plpgsql as $$
begin
    perform pg_notify('ops_runs_changed', coalesce(new.environment_id, old.environment_id));
    return null;
end
$$;

create trigger runs_changed after insert or update or delete on ops.runs
    for each row execute function ops.notify_runs_changed();
