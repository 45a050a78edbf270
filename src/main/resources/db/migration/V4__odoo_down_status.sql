-- A restore that was rolled back but after which Odoo did not answer healthy again has its own status:
-- the data is as it was, the service is down.
alter table ops.runs drop constraint runs_status_check;
alter table ops.runs add constraint runs_status_check
    check (status in ('queued', 'running', 'success', 'failed', 'rolled_back', 'rolled_back_odoo_down', 'abandoned'));
