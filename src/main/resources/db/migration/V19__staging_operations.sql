-- The staging and review operations of issue 14 are runs of their own: a sanitised snapshot (snapshot), the
-- neutralised copy into staging or development (copy, reserved since V1), pull-request environments
-- (pr_env_create, pr_env_delete, and pr_env_expire: the schedule that removes stale ones), Odoo zips in and out
-- (import_zip, export_zip) and the evidence retention job (evidence_retention). A sanitised snapshot is an artifact
-- of kind sanitized_snapshot (ops.artifacts.kind is free text: backup | pre_restore | sanitized_snapshot).
alter table ops.runs drop constraint runs_operation_type_check;
alter table ops.runs add constraint runs_operation_type_check
    check (operation_type in ('backup', 'restore', 'deploy', 'copy', 'recover', 'store_copy', 'snapshot',
                              'pr_env_create', 'pr_env_delete', 'pr_env_expire', 'import_zip', 'export_zip',
                              'evidence_retention'));
