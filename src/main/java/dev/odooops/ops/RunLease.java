package dev.odooops.ops;

import dev.odooops.domain.RequestRejected;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A run's hold on its environment. {@code ops.begin_run} inserts the run (the unique index allows one active
 * run per environment, across processes) and takes a session-level advisory lock on a dedicated connection.
 * While the process lives the lock is held and the heartbeat refreshed; when the process dies, the
 * connection drops, the lock is released, and the next run marks this one {@code abandoned}.
 */
public final class RunLease implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunLease.class);

    private final Connection connection;
    private final UUID runId;
    private final ScheduledExecutorService heartbeat;

    private RunLease(Connection connection, UUID runId, int heartbeatSeconds) {
        this.connection = connection;
        this.runId = runId;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "heartbeat-" + runId.toString().substring(0, 8));
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleWithFixedDelay(this::beat, heartbeatSeconds, heartbeatSeconds, TimeUnit.SECONDS);
    }

    public static RunLease begin(OpsDatabase db, UUID runId, String project, String environmentId, String operation,
                                 String user, String metadataJson, int staleSeconds, int heartbeatSeconds) {
        return begin(db, runId, project, environmentId, operation, user, metadataJson, staleSeconds, heartbeatSeconds, null);
    }

    /** A request a service channel accepted, recorded with its run (see {@code ops.begin_run}, V6). */
    public record Request(String json, String requestId, String channel) {
    }

    /** Thrown when a request's id was already used on the environment: the first run answers it. */
    public static final class DuplicateRequest extends RuntimeException {
        public DuplicateRequest(String requestId) {
            super("request_id '" + requestId + "' was already used on this environment");
        }
    }

    /** As above, for a request a service channel accepted: the run stays queued, with its request, until a worker runs it. */
    public static RunLease begin(OpsDatabase db, UUID runId, String project, String environmentId, String operation,
                                 String user, String metadataJson, int staleSeconds, int heartbeatSeconds, Request request) {
        Connection c = null;
        try {
            c = db.dedicatedConnection();
            try (PreparedStatement ps = c.prepareStatement(
                    "select ops.begin_run(?, ?, ?, ?, ?, cast(? as jsonb), ?, cast(? as jsonb), ?, ?)")) {
                ps.setObject(1, runId);
                ps.setString(2, project);
                ps.setString(3, environmentId);
                ps.setString(4, operation);
                ps.setString(5, user);
                ps.setString(6, metadataJson);
                ps.setInt(7, staleSeconds);
                ps.setString(8, request == null ? null : request.json());
                ps.setString(9, request == null ? null : request.requestId());
                ps.setString(10, request == null ? null : request.channel());
                ps.executeQuery().close();
            }
            return new RunLease(c, runId, heartbeatSeconds);
        } catch (SQLException e) {
            closeQuietly(c);
            if ("23505".equals(e.getSQLState()) && e.getMessage() != null && e.getMessage().contains("runs_request_id")) {
                throw new DuplicateRequest(request.requestId());
            }
            if ("23505".equals(e.getSQLState())) {
                throw new RequestRejected("env", "another run is active on " + environmentId
                        + " (" + activeRun(db, environmentId) + "); wait for it to finish", RequestRejected.Reason.CONFLICT);
            }
            throw new IllegalStateException("cannot start the run in the ops catalog: " + e.getMessage(), e);
        }
    }

    private static String activeRun(OpsDatabase db, String environmentId) {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("select run_id, operation_type, created_by from ops.runs "
                     + "where environment_id = ? and status in ('queued', 'running') and parent_run_id is null "
                     + "order by created_at limit 1")) {
            ps.setString(1, environmentId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(2) + " run " + rs.getString(1) + " by " + rs.getString(3) : "run finishing";
            }
        } catch (SQLException e) {
            return "unknown run";
        }
    }

    /**
     * Takes over a queued run whose owner is gone (its lock is free): the lease of the process that picks it up.
     * Empty when a live process still holds it or it is no longer queued.
     */
    public static java.util.Optional<RunLease> adopt(OpsDatabase db, UUID runId, int heartbeatSeconds) {
        Connection c = null;
        try {
            c = db.dedicatedConnection();
            boolean locked;
            try (PreparedStatement ps = c.prepareStatement("select pg_try_advisory_lock(ops.run_lock_key(?))")) {
                ps.setObject(1, runId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    locked = rs.getBoolean(1);
                }
            }
            if (!locked) {
                closeQuietly(c);
                return java.util.Optional.empty();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "update ops.runs set heartbeat = now() where run_id = ? and status = 'queued'")) {
                ps.setObject(1, runId);
                if (ps.executeUpdate() != 1) {
                    closeQuietly(c);
                    return java.util.Optional.empty();
                }
            }
            return java.util.Optional.of(new RunLease(c, runId, heartbeatSeconds));
        } catch (SQLException e) {
            closeQuietly(c);
            throw new IllegalStateException("cannot take over queued run " + runId + ": " + e.getMessage(), e);
        }
    }

    public UUID runId() {
        return runId;
    }

    private synchronized void beat() {
        try (PreparedStatement ps = connection.prepareStatement("update ops.runs set heartbeat = now() where run_id = ? or parent_run_id = ?")) {
            ps.setObject(1, runId);
            ps.setObject(2, runId);
            ps.executeUpdate();
        } catch (SQLException e) {
            LOG.warn("heartbeat of run {} failed: {}", runId, e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        heartbeat.shutdownNow();
        try (PreparedStatement ps = connection.prepareStatement("select pg_advisory_unlock(ops.run_lock_key(?))")) {
            ps.setObject(1, runId);
            ps.executeQuery().close();
        } catch (SQLException e) {
            LOG.debug("unlock of run {} failed (the connection close releases it): {}", runId, e.getMessage());
        }
        closeQuietly(connection);
    }

    private static void closeQuietly(Connection c) {
        if (c == null) return;
        try {
            c.close();
        } catch (SQLException ignored) {
            // the lock goes with the session
        }
    }
}
