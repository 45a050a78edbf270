package dev.odooops.ops;

import dev.odooops.model.RequestRejected;
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
        Connection c = null;
        try {
            c = db.dedicatedConnection();
            try (PreparedStatement ps = c.prepareStatement("select ops.begin_run(?, ?, ?, ?, ?, cast(? as jsonb), ?)")) {
                ps.setObject(1, runId);
                ps.setString(2, project);
                ps.setString(3, environmentId);
                ps.setString(4, operation);
                ps.setString(5, user);
                ps.setString(6, metadataJson);
                ps.setInt(7, staleSeconds);
                ps.executeQuery().close();
            }
            return new RunLease(c, runId, heartbeatSeconds);
        } catch (SQLException e) {
            closeQuietly(c);
            if ("23505".equals(e.getSQLState())) {
                throw new RequestRejected("env", "another backup/restore/deploy run is active on " + environmentId
                        + " (" + activeRun(db, environmentId) + "); wait for it to finish");
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
