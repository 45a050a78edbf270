-- store copy (odoo-ops store copy --to STORE) is a run of its own per environment: operation store_copy. The name
-- copy stays for the neutralised copy into staging (its own operation, reserved with the permission action copy).
alter table ops.runs drop constraint runs_operation_type_check;
alter table ops.runs add constraint runs_operation_type_check
    check (operation_type in ('backup', 'restore', 'deploy', 'copy', 'recover', 'store_copy'));
