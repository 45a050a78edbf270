package dev.odooops.ops;

import dev.odooops.domain.DrillVerdict;

import dev.odooops.domain.Json;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Restore drills (V23, ops.drills): one row per drill run, written when the drill takes its artifact and finished
 * with its outcome. While the drill's run is queued or running the row is its <b>lease</b> on the artifact and the
 * artifact's packs: retention, pack collection and repacking ask {@link #leasedArtifacts} / {@link #isLeased} and
 * leave them. Taking the lease and journaling a prune are serialised on the artifact's row ({@code for update}), so a
 * drill never starts on an artifact whose removal is under way, and a removal never starts under a drill.
 */
public final class DrillCatalog {
    private final CatalogSql sql;

    public DrillCatalog(CatalogSql sql) {
        this.sql = sql;
    }

    /** A drill as recorded. */
    public record Drill(UUID runId, String project, String environmentId, String artifactId, String status,
                        Instant startedAt, Instant finishedAt, Long rtoMs, String server, String scratchDatabase,
                        String scratchFilestore, boolean standby, String failure) {
    }

    /**
     * The lease: records the drill of {@code artifactId} in run {@code runId} (the run exists already) where its
     * scratch copies will be, provided the artifact is live (not pruned, no removal journaled); false (nothing
     * recorded) when it is not. The artifact's row is locked while deciding.
     */
    public boolean begin(UUID runId, String project, String environmentId, String artifactId, String server,
                         String scratchDatabase, String scratchFilestore) {
        return sql.inTransaction("recording drill " + runId, tx -> {
            Optional<Boolean> live = tx.first("select a.pruned_at is null and not exists (select 1 from ops.store_deletions d "
                    + "where d.artifact_id = a.id and d.done_at is null) from ops.artifacts a where a.id = ? for update",
                    rs -> rs.getBoolean(1), artifactId);
            if (live.isEmpty() || !live.get()) return false;
            tx.update("insert into ops.drills(run_id, project, environment_id, artifact_id, server, scratch_database, "
                    + "scratch_filestore) values (?, ?, ?, ?, ?, ?, ?)", runId, project, environmentId, artifactId, server,
                    scratchDatabase, scratchFilestore);
            return true;
        });
    }

    /** A drill that passed: its RTO and checks; the artifact's last drill set to it. False when it had ended already. */
    public boolean pass(UUID runId, long rtoMs, Map<String, Object> checks) {
        return finish(runId, "passed", rtoMs, checks, null);
    }

    /**
     * A drill that did not pass ({@link DrillVerdict}): {@code failed} sets the artifact's last drill to it (the artifact
     * is flagged); {@code inconclusive} (the infrastructure stopped it, or its run was killed) leaves the artifact's last
     * verdict as it was. The checks so far and the failure are kept on the drill row. False when it had ended already.
     */
    public boolean fail(UUID runId, DrillVerdict verdict, Map<String, Object> checks, String failure) {
        return finish(runId, verdict.status(), null, checks, failure);
    }

    /** Once only: the row of a drill still running ends in {@code status}; a conclusive one becomes the artifact's last. */
    private boolean finish(UUID runId, String status, Long rtoMs, Map<String, Object> checks, String failure) {
        return sql.inTransaction("finishing drill " + runId, tx -> {
            int n = tx.update("update ops.drills set status = ?, finished_at = now(), rto_ms = ?, checks = cast(? as jsonb), "
                            + "failure = ? where run_id = ? and status = 'running'", status, rtoMs,
                    Json.compact(checks == null ? Map.of() : checks), failure, runId);
            if (n == 0) return false;
            if (DrillVerdict.INCONCLUSIVE_STATUS.equals(status)) return true;
            tx.update("update ops.artifacts a set last_drill_status = d.status, last_drill_at = d.finished_at, "
                    + "last_drill_run = d.run_id from ops.drills d where d.run_id = ? and a.id = d.artifact_id", runId);
            return true;
        });
    }

    /** Marks the drill's copies kept as the environment's warm standby. */
    public void markStandby(UUID runId) {
        sql.update("update ops.drills set standby = true where run_id = ?", runId);
    }

    /**
     * An environment's warm standby as recorded (ops.standbys): the kept database and filestore, their fingerprint
     * (what they held when closed) and the disk they take.
     */
    public record Standby(String environmentId, String artifactId, UUID drillRunId, String server, String databaseName,
                          String filestore, Map<String, Object> fingerprint, Long bytes, Instant createdAt) {
    }

    /** The environment's warm standby, if one is recorded. */
    public Optional<Standby> standby(String environmentId) {
        return sql.first(STANDBY + " where environment_id = ?", DrillCatalog::standby, environmentId);
    }

    /**
     * The environment's standby switched to {@code next} in one transaction (the row replaced, the drill marked
     * {@code standby}); the one it replaces, if any (its copies are the caller's to drop, once this returned).
     */
    public Optional<Standby> switchStandby(Standby next) {
        return sql.inTransaction("recording the standby of " + next.environmentId(), tx -> {
            Optional<Standby> previous = tx.first(STANDBY + " where environment_id = ? for update", DrillCatalog::standby,
                    next.environmentId());
            tx.update("insert into ops.standbys(environment_id, artifact_id, drill_run_id, server, database_name, filestore, "
                    + "fingerprint, bytes) values (?, ?, ?, ?, ?, ?, cast(? as jsonb), ?) on conflict (environment_id) do update set "
                    + "artifact_id = excluded.artifact_id, drill_run_id = excluded.drill_run_id, server = excluded.server, "
                    + "database_name = excluded.database_name, filestore = excluded.filestore, fingerprint = excluded.fingerprint, "
                    + "bytes = excluded.bytes, created_at = now()", next.environmentId(), next.artifactId(), next.drillRunId(),
                    next.server(), next.databaseName(), next.filestore(), Json.compact(next.fingerprint()), next.bytes());
            tx.update("update ops.drills set standby = true where run_id = ?", next.drillRunId());
            return previous;
        });
    }

    /** The environment's standby row removed, provided it is still the one kept by {@code drillRunId}; whether it was. */
    public boolean removeStandby(String environmentId, UUID drillRunId) {
        return sql.update("delete from ops.standbys where environment_id = ? and drill_run_id = ?", environmentId, drillRunId) > 0;
    }

    /** The run ids of the environment's drills still under way (their run queued or running). */
    public List<UUID> activeDrills(String environmentId) {
        return sql.query("select d.run_id from ops.drills d join ops.runs r on r.run_id = d.run_id where d.environment_id = ? "
                + "and d.status = 'running' and r.status in ('queued', 'running')", rs -> rs.getObject(1, UUID.class), environmentId);
    }

    private static final String STANDBY = "select environment_id, artifact_id, drill_run_id, server, database_name, filestore, "
            + "fingerprint::text, bytes, created_at from ops.standbys";

    @SuppressWarnings("unchecked")
    private static Standby standby(java.sql.ResultSet rs) throws java.sql.SQLException {
        long bytes = rs.getLong(8);
        Long b = rs.wasNull() ? null : bytes;
        return new Standby(rs.getString(1), rs.getString(2), rs.getObject(3, UUID.class), rs.getString(4), rs.getString(5),
                rs.getString(6), Json.readMap(rs.getString(7)), b, rs.getTimestamp(9).toInstant());
    }

    public Optional<Drill> get(UUID runId) {
        return sql.first(SELECT + " where d.run_id = ?", DrillCatalog::drill, runId);
    }

    /** Drills whose run has ended (any status but queued and running) while the drill row still says running. */
    public List<Drill> abandoned(String environmentId) {
        return sql.query(SELECT + " join ops.runs r on r.run_id = d.run_id where d.environment_id = ? and d.status = 'running' "
                + "and r.status not in ('queued', 'running')", DrillCatalog::drill, environmentId);
    }

    /** Drills recorded on the environment, newest first. */
    public List<Drill> ofEnvironment(String environmentId, int limit) {
        return sql.query(SELECT + " where d.environment_id = ? order by d.started_at desc limit ?", DrillCatalog::drill,
                environmentId, limit);
    }

    /** The artifacts of {@code project} an active drill (its run queued or running) holds a lease on. */
    public List<String> leasedArtifacts(String project) {
        return sql.query("select distinct d.artifact_id from ops.drills d join ops.runs r on r.run_id = d.run_id "
                + "where d.project = ? and d.status = 'running' and r.status in ('queued', 'running')", rs -> rs.getString(1), project);
    }

    /** Whether an active drill holds a lease on {@code artifactId}. */
    public boolean isLeased(String artifactId) {
        return sql.first("select 1 from ops.drills d join ops.runs r on r.run_id = d.run_id where d.artifact_id = ? "
                + "and d.status = 'running' and r.status in ('queued', 'running')", rs -> true, artifactId).isPresent();
    }

    /** The environment's newest live artifact whose last drill passed, if any (retention always keeps it). */
    public Optional<String> newestDrilledOk(String environmentId) {
        return sql.first("select id from ops.artifacts where environment_id = ? and pruned_at is null "
                + "and last_drill_status = 'passed' order by created_at desc limit 1", rs -> rs.getString(1), environmentId);
    }

    private static final String SELECT = "select d.run_id, d.project, d.environment_id, d.artifact_id, d.status, d.started_at, "
            + "d.finished_at, d.rto_ms, d.server, d.scratch_database, d.scratch_filestore, d.standby, d.failure from ops.drills d";

    private static Drill drill(java.sql.ResultSet rs) throws java.sql.SQLException {
        Timestamp end = rs.getTimestamp(7);
        long rto = rs.getLong(8);
        return new Drill(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getTimestamp(6).toInstant(), end == null ? null : end.toInstant(), rs.wasNull() ? null : rto,
                rs.getString(9), rs.getString(10), rs.getString(11), rs.getBoolean(12), rs.getString(13));
    }
}
