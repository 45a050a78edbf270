package dev.odooops.ops;

import dev.odooops.domain.RetentionPlanner;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What retention reads before it plans: the live artifacts it may keep or prune, the legal holds that ended, and the
 * safety backups recent restores recorded (kept whatever the counts say).
 */
public final class RetentionCatalog {
    private final CatalogSql sql;

    public RetentionCatalog(CatalogSql sql) {
        this.sql = sql;
    }

    /**
     * The live artifacts of one environment, kind and backup type (one retention series) that retention may keep or
     * prune, each at its creation time, and once more at the time of every run that found the environment unchanged
     * since it ({@code skipped_unchanged}): the days such a run covers count as days with that artifact. An artifact
     * whose prune is already journaled (pending in ops.store_deletions) is on its way out and not a candidate.
     */
    public List<RetentionPlanner.Candidate> retentionCandidates(String environmentId, String kind, String backupType) {
        return sql.query("with live as (select id, created_at, pinned and (pinned_until is null or pinned_until > now()) as pinned "
                        + "from ops.artifacts a where environment_id = ? and kind = ? "
                        + "and backup_type = ? and pruned_at is null and not exists (select 1 from ops.store_deletions d "
                        + "where d.artifact_id = a.id and d.done_at is null)) "
                        + "select id, created_at, pinned from live union all "
                        + "select l.id, r.created_at, l.pinned from ops.runs r join live l on l.id = r.metadata->>'artifact_id' "
                        + "where r.environment_id = ? and r.status = 'skipped_unchanged' order by 2",
                rs -> new RetentionPlanner.Candidate(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getBoolean(3)),
                environmentId, kind, backupType, environmentId);
    }

    /** The environment's pinned artifacts whose legal hold has ended (id -> end): retention treats them as unpinned. */
    public Map<String, Instant> endedHolds(String environmentId) {
        Map<String, Instant> out = new LinkedHashMap<>();
        sql.query("select id, pinned_until from ops.artifacts where environment_id = ? and pinned and pinned_until <= now() "
                + "and pruned_at is null", rs -> out.put(rs.getString(1), rs.getTimestamp(2).toInstant()), environmentId);
        return out;
    }

    /** Artifacts the environment's restores created since {@code since} recorded as their safety backup. */
    public List<String> safetyBackupsOfRestoresSince(String environmentId, Instant since) {
        return sql.query("select distinct metadata->>'pre_restore_backup_id' from ops.runs where environment_id = ? "
                        + "and operation_type in ('restore', 'copy') and created_at >= ? and metadata->>'pre_restore_backup_id' is not null",
                rs -> rs.getString(1), environmentId, Timestamp.from(since));
    }

    /**
     * What drills hold in the environment (issue 16): its newest live artifact whose last drill passed, and the
     * artifacts of its project an active drill holds a lease on (see {@link DrillCatalog}).
     */
    public RetentionPlanner.DrillHolds drillHolds(String environmentId) {
        DrillCatalog drills = new DrillCatalog(sql);
        java.util.Set<String> leased = new java.util.LinkedHashSet<>(sql.query("select distinct d.artifact_id from ops.drills d "
                + "join ops.runs r on r.run_id = d.run_id where d.environment_id = ? and d.status = 'running' "
                + "and r.status in ('queued', 'running')", rs -> rs.getString(1), environmentId));
        return new RetentionPlanner.DrillHolds(drills.newestDrilledOk(environmentId), leased);
    }
}
