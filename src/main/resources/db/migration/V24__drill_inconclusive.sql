-- A drill stopped by its own infrastructure (store, drill server or disk out of reach or full) or killed proves nothing
-- about its artifact: it ends 'inconclusive' and the artifact keeps its last verdict (last_drill_status stays
-- 'passed' or 'failed'); only a drill that restored or judged the artifact ends 'failed' (issue 16).
alter table ops.drills drop constraint drills_status_check;
alter table ops.drills add constraint drills_status_check check (status in ('running', 'passed', 'failed', 'inconclusive'));
