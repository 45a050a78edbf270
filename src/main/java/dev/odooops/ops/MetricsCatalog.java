package dev.odooops.ops;

import dev.odooops.model.Figures;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The figures the service's metrics export, read from runs and artifacts in one go. */
public final class MetricsCatalog {
    private final CatalogSql sql;

    public MetricsCatalog(CatalogSql sql) {
        this.sql = sql;
    }

    public Figures figures() {
        Map<String, Instant> last = new LinkedHashMap<>();
        // a run that found the environment unchanged since a backup counts as a backup at its own time
        sql.query("select k, max(t) from (select environment_id || '|' || backup_type as k, created_at as t from ops.artifacts "
                + "where kind = 'backup' union all select r.environment_id || '|' || a.backup_type, r.finished_at from ops.runs r "
                + "join ops.artifacts a on a.id = r.metadata->>'artifact_id' where r.status = 'skipped_unchanged') c group by k",
                rs -> last.put(rs.getString(1), rs.getTimestamp(2).toInstant()));
        Map<String, Double> durations = new LinkedHashMap<>();
        sql.query("select distinct on (environment_id, operation_type) environment_id || '|' || operation_type, "
                + "extract(epoch from finished_at - coalesce(started_at, created_at)) from ops.runs "
                + "where finished_at is not null and parent_run_id is null and status <> 'skipped' "
                + "order by environment_id, operation_type, finished_at desc",
                rs -> durations.put(rs.getString(1), rs.getDouble(2)));
        Map<String, Long> bytes = new LinkedHashMap<>();
        sql.query("select environment_id, coalesce(sum((select coalesce(sum(v::bigint), 0) from jsonb_each_text(sizes) as s(k, v))), 0) "
                + "from ops.artifacts where pruned_at is null group by 1", rs -> bytes.put(rs.getString(1), rs.getLong(2)));
        Map<String, Long> failures = new LinkedHashMap<>();
        sql.query("select environment_id || '|' || operation_type || '|' || coalesce(failed_step, 'unknown'), count(*) "
                + "from ops.runs where status in ('failed', 'rolled_back', 'rolled_back_odoo_down') group by 1",
                rs -> failures.put(rs.getString(1), rs.getLong(2)));
        Map<String, Double> downtime = new LinkedHashMap<>();
        // the downtime (quiesce to maintenance lifted) FinalizeRestore records in the run's metadata
        sql.query("select distinct on (environment_id) environment_id, (metadata->>'downtime_ms')::numeric / 1000 from ops.runs "
                + "where status = 'success' and metadata->>'downtime_ms' is not null order by environment_id, finished_at desc",
                rs -> downtime.put(rs.getString(1), rs.getDouble(2)));
        return new Figures(last, durations, bytes, failures, downtime);
    }
}
