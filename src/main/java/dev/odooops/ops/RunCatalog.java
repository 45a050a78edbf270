package dev.odooops.ops;

import dev.odooops.domain.Json;
import dev.odooops.model.AbandonedRun;
import dev.odooops.model.LastRestore;
import dev.odooops.model.PageCursor;
import dev.odooops.model.RunPage;
import dev.odooops.model.RunSummary;
import dev.odooops.model.RunStatus;
import dev.odooops.model.RunView;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Runs and their events ({@code ops.runs}, {@code ops.run_events}): a run's start, steps, metadata and end, and the
 * operator views of them. Starting a top-level run takes its lease: {@link RunLease}.
 */
public final class RunCatalog {
    static final String UTC_STAMP = "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'";

    private final CatalogSql sql;

    public RunCatalog(CatalogSql sql) {
        this.sql = sql;
    }

    /** A child run under an active parent's lease (the parent's lock and heartbeat cover it). */
    public void beginChildRun(UUID runId, UUID parent, String operation, String user, Map<String, ?> metadata) {
        sql.query("select ops.begin_child_run(?, ?, ?, ?, cast(? as jsonb))", rs -> rs.getObject(1), runId, parent, operation,
                user, Json.compact(metadata));
    }

    public void runStarted(UUID runId, String evidenceDir) {
        sql.update("update ops.runs set status = 'running', started_at = now(), heartbeat = now(), evidence_dir = ? "
                + "where run_id = ?", evidenceDir, runId);
        event(runId, "run_started", null, Map.of("evidence_dir", evidenceDir));
    }

    public void event(UUID runId, String type, String step, Map<String, ?> payload) {
        sql.update("insert into ops.run_events(run_id, event_type, step, payload) values (?, ?, ?, cast(? as jsonb))",
                runId, type, step, Json.compact(payload == null ? Map.of() : payload));
    }

    public boolean hasEvent(UUID runId, String eventType) {
        return !sql.query("select 1 from ops.run_events where run_id = ? and event_type = ? limit 1", rs -> 1, runId,
                eventType).isEmpty();
    }

    /** Final status; merges {@code metadata} into the run's metadata. Only an active run changes. */
    public boolean finishRun(UUID runId, RunStatus status, String failedStep, String reason, Map<String, ?> metadata) {
        if (status.active()) throw new IllegalArgumentException("a run ends in a final status, not " + status.wire());
        return sql.update("update ops.runs set status = ?, finished_at = now(), failed_step = ?, failure_reason = ?, "
                        + "metadata = metadata || cast(? as jsonb) where run_id = ? and status in ('queued', 'running')",
                status.wire(), failedStep, reason, Json.compact(metadata), runId) == 1;
    }

    public void mergeRunMetadata(UUID runId, Map<String, ?> metadata) {
        sql.update("update ops.runs set metadata = metadata || cast(? as jsonb) where run_id = ?", Json.compact(metadata), runId);
    }

    /** Active (queued or running) top-level runs of an environment: "operation run_id by user". */
    public List<String> activeRuns(String environmentId) {
        return activeRuns(environmentId, null);
    }

    /** The active runs of an environment other than {@code except} (a queued run checking its own environment). */
    public List<String> activeRuns(String environmentId, UUID except) {
        return sql.query("select operation_type || ' run ' || run_id || ' by ' || created_by from ops.runs where environment_id = ? "
                + "and status in ('queued', 'running') and parent_run_id is null and run_id is distinct from cast(? as uuid)",
                rs -> rs.getString(1), environmentId, except);
    }

    public List<AbandonedRun> abandonedBy(UUID by) {
        return sql.query("select r.run_id, r.environment_id, r.operation_type, "
                        + "case when a.id is null and r.operation_type = 'backup' then r.metadata->>'artifact_id' end "
                        + "from ops.run_events e join ops.runs r on r.run_id = e.run_id "
                        + "left join ops.artifacts a on a.id = r.metadata->>'artifact_id' "
                        + "where e.event_type = 'run_abandoned' and e.payload->>'abandoned_by' = ?",
                rs -> new AbandonedRun((UUID) rs.getObject(1), rs.getString(2), rs.getString(3), rs.getString(4)), by.toString());
    }

    /**
     * Of {@code runIds}, the runs that have ended and whose lease no process holds (the lock of the run, or of its
     * parent for a child run, is free): nothing works in their directories any more. Unknown ids are not returned.
     */
    public List<UUID> endedWithoutOwner(List<UUID> runIds) {
        return sql.query("select run_id from ops.runs where run_id::text = any(?) and status not in ('queued', 'running') "
                        + "and pg_try_advisory_xact_lock(ops.run_lock_key(coalesce(parent_run_id, run_id)))",
                rs -> (UUID) rs.getObject(1), (Object) runIds.stream().map(UUID::toString).toArray(String[]::new));
    }

    public Optional<LastRestore> lastSuccessfulRestore(String environmentId) {
        return sql.first("select run_id, metadata->>'artifact_id', metadata->>'restore_type', metadata->>'fingerprint' "
                        + "from ops.runs where environment_id = ? and operation_type = 'restore' and status = 'success' "
                        + "order by finished_at desc limit 1",
                rs -> new LastRestore((UUID) rs.getObject(1), rs.getString(2), rs.getString(3),
                        rs.getString(4) == null ? null : Json.readMap(rs.getString(4))), environmentId);
    }

    public Optional<String> lastSuccessfulRestoreArtifact(String environmentId) {
        return lastSuccessfulRestore(environmentId).map(LastRestore::artifactId);
    }

    /** The last time odoo-ops restarted the environment's Odoo (recorded by successful restores), if any. */
    public Optional<Instant> lastOdooRestart(String environmentId) {
        return sql.query("select max((metadata->>'odoo_restarted_at')::timestamptz) from ops.runs where environment_id = ? "
                + "and metadata->>'odoo_restarted_at' is not null", rs -> rs.getTimestamp(1), environmentId).stream()
                .filter(Objects::nonNull).map(Timestamp::toInstant).findFirst();
    }

    /** Committed backups and restores of the environment whose after-commit work (lifting maintenance) never finished. */
    public List<UUID> runsPendingAfterCommit(String environmentId) {
        return sql.query("select run_id from ops.runs where environment_id = ? and operation_type in ('backup', 'restore', 'copy') "
                + "and status = 'success' and (metadata->>'after_commit_pending')::boolean", rs -> (UUID) rs.getObject(1), environmentId);
    }

    /**
     * The environment's last restore when it ended {@code rolled_back_odoo_down} and no {@code recover} has brought
     * Odoo back since ({@code odoo_back_by} in its metadata); empty otherwise.
     */
    public Optional<UUID> restoreLeftOdooDown(String environmentId) {
        return sql.query("select run_id, status, metadata->>'odoo_back_by' is not null from ops.runs where environment_id = ? "
                + "and operation_type in ('restore', 'copy') and parent_run_id is null and finished_at is not null "
                + "order by created_at desc limit 1", rs -> "rolled_back_odoo_down".equals(rs.getString(2)) && !rs.getBoolean(3)
                ? (UUID) rs.getObject(1) : null, environmentId).stream().filter(Objects::nonNull).findFirst();
    }

    /** The status of the environment's run whose id starts with {@code prefix} (side copies name runs so). */
    public Optional<String> runStatusByPrefix(String environmentId, String prefix) {
        return sql.first("select status from ops.runs where environment_id = ? and starts_with(run_id::text, ?) "
                + "order by created_at desc limit 1", rs -> rs.getString(1), environmentId, prefix);
    }

    public Optional<RunView> runView(UUID runId) {
        List<String> steps = sql.query("select step from ops.run_events where run_id = ? and event_type = 'step_completed'"
                + " and step is not null order by id", rs -> rs.getString(1), runId);
        return sql.first("select run_id, environment_id, operation_type, status, created_by, created_at, finished_at, failed_step,"
                + " failure_reason, evidence_dir, parent_run_id, metadata from ops.runs where run_id = ?", rs -> {
            Timestamp finished = rs.getTimestamp("finished_at");
            return new RunView(rs.getObject("run_id", UUID.class), rs.getString("environment_id"),
                    rs.getString("operation_type"), rs.getString("status"), rs.getString("created_by"),
                    rs.getTimestamp("created_at").toInstant(), finished == null ? null : finished.toInstant(),
                    rs.getString("failed_step"), rs.getString("failure_reason"), rs.getString("evidence_dir"),
                    rs.getObject("parent_run_id", UUID.class), Json.readMap(rs.getString("metadata")), steps);
        }, runId);
    }

    /**
     * A page of an environment's runs, newest first: at most {@code limit}, those after {@code after} in the order
     * (created_at, run_id) descending (keyset: a run created while a client walks the pages is newer than every
     * cursor, so the walk neither repeats nor skips a run); {@code next_cursor} when more follow.
     */
    public RunPage runPage(String environmentId, int limit, PageCursor after) {
        List<Object> args = new ArrayList<>(List.of(environmentId));
        String where = "r.environment_id = ?";
        if (after != null) {
            where += " and (r.created_at, r.run_id) < (cast(? as timestamptz), cast(? as uuid))";
            args.add(after.createdAt().toString());
            args.add(after.id());
        }
        args.add(limit + 1);
        List<Keyed> rows = sql.query("select r.run_id::text, r.operation_type, r.status, r.created_by, "
                + "to_char(r.created_at at time zone 'UTC', " + UTC_STAMP + "), "
                + "to_char(r.finished_at at time zone 'UTC', " + UTC_STAMP + "), r.failed_step, r.failure_reason, "
                + "r.evidence_dir, r.parent_run_id::text, r.metadata->>'artifact_id', r.created_at "
                + "from ops.runs r where " + where + " order by r.created_at desc, r.run_id desc limit ?", rs -> new Keyed(
                new RunSummary(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                        rs.getString(11), rs.getString(2), rs.getString(8)),
                rs.getObject(12, OffsetDateTime.class).toInstant()), args.toArray());
        String next = null;
        if (rows.size() > limit) {
            Keyed last = rows.get(limit - 1);
            next = new PageCursor(PageCursor.RUNS, last.createdAt(), last.row().runId()).encode();
            rows = rows.subList(0, limit);
        }
        return new RunPage(rows.stream().map(Keyed::row).toList(), next);
    }

    private record Keyed(RunSummary row, Instant createdAt) {
    }

    /** The newest {@code limit} runs of an environment as JSON rows (the fields of {@link RunSummary}). */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> listRuns(String environmentId, int limit) {
        return runPage(environmentId, limit, null).runs().stream()
                .map(r -> (Map<String, Object>) Json.MAPPER.convertValue(r, LinkedHashMap.class)).toList();
    }
}
