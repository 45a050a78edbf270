-- odoo-ops rekey (issue 15, section 2): the re-encryption of a project's older artifacts and packs to the current
-- recipients is a run of its own per environment (operation rekey), as a store copy is (V17).
alter table ops.runs drop constraint runs_operation_type_check;
alter table ops.runs add constraint runs_operation_type_check
    check (operation_type in ('backup', 'restore', 'deploy', 'copy', 'recover', 'store_copy', 'snapshot',
                              'pr_env_create', 'pr_env_delete', 'pr_env_expire', 'import_zip', 'export_zip',
                              'evidence_retention', 'rekey'));
