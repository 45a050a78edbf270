package dev.odooops.ops;

import dev.odooops.domain.Json;
import dev.odooops.model.PendingRequest;
import dev.odooops.model.RequestedRun;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The service's requests as the catalog keeps them with their runs: the queue of requests waiting for a worker, the
 * request id that makes a request idempotent per environment, and the request that could not run.
 */
public final class RequestCatalog {
    private final CatalogSql sql;

    public RequestCatalog(CatalogSql sql) {
        this.sql = sql;
    }

    /**
     * The run a service request started, by the request's id: its operation, and whether its recorded request has
     * the fingerprint of {@code requestJson} ({@code ops.request_fingerprint}, V16).
     */
    public Optional<RequestedRun> runByRequestId(String environmentId, String requestId, String requestJson) {
        return sql.first("select run_id, status, operation_type, request_fingerprint = ops.request_fingerprint(cast(? as jsonb)) "
                        + "from ops.runs where environment_id = ? and request_id = ?",
                rs -> new RequestedRun(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                        (Boolean) rs.getObject(4)), requestJson, environmentId, requestId);
    }

    /** Queued runs that carry a request, oldest first (a restarted service picks up those no live process owns). */
    public List<PendingRequest> pendingRequests() {
        return sql.query("select run_id, environment_id, operation_type, created_by, request::text, request_id, channel from ops.runs "
                + "where status = 'queued' and request is not null order by created_at", rs -> new PendingRequest(
                rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7)));
    }

    /**
     * A request that could not run, recorded as a finished run {@code skipped} with the reason (a schedule's
     * firing that met an active run), with its event, in one transaction. False when a run with this request id is
     * already recorded.
     */
    public boolean recordSkipped(String project, String environmentId, String operation, String user, String requestId,
                                 String channel, String reason, Map<String, ?> metadata) {
        UUID runId = UUID.randomUUID();
        return sql.inTransaction("recording a skipped request", tx -> {
            int n = tx.update("insert into ops.runs (run_id, project, environment_id, operation_type, status, metadata, "
                            + "created_by, finished_at, failure_reason, request_id, channel) values (?, ?, ?, ?, 'skipped', "
                            + "cast(? as jsonb), ?, now(), ?, ?, ?) "
                            + "on conflict (environment_id, request_id) where request_id is not null do nothing",
                    runId, project, environmentId, operation, Json.compact(metadata), user, reason, requestId, channel);
            if (n == 1) {
                tx.update("insert into ops.run_events(run_id, event_type, step, payload) values (?, 'run_skipped', null, "
                        + "cast(? as jsonb))", runId, Json.compact(Map.of("reason", reason)));
            }
            return n == 1;
        });
    }
}
