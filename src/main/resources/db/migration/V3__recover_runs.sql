-- 'recover': a short run whose only work is what every run start does, abandoning runs whose process
-- died and sweeping what they left (work directories, partial uploads, half-done restores).
alter table ops.runs drop constraint runs_operation_type_check;
alter table ops.runs add constraint runs_operation_type_check
    check (operation_type in ('backup', 'restore', 'deploy', 'copy', 'recover'));
