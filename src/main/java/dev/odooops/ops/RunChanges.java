package dev.odooops.ops;

import dev.odooops.domain.GenerationCache;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Listens on {@code ops_runs_changed} (migration V9: every committed change to {@code ops.runs}, by any
 * instance, names its environment) and tells a {@link GenerationCache} which environment changed. The cache is
 * on only while the listening connection is up: when it breaks, everything cached is dropped and every read goes
 * to the catalog until the connection is back (retried every few seconds), since announcements may have been
 * missed meanwhile.
 */
public final class RunChanges implements AutoCloseable {
    public static final String CHANNEL = "ops_runs_changed";
    private static final Logger LOG = LoggerFactory.getLogger(RunChanges.class);
    private static final int POLL_MILLIS = 500;
    private static final long RETRY_MILLIS = 3000;

    private final OpsDatabase db;
    private final GenerationCache<String, ?, ?> cache;
    private final Thread thread;
    private volatile boolean stopping;

    public RunChanges(OpsDatabase db, GenerationCache<String, ?, ?> cache) {
        this.db = db;
        this.cache = cache;
        this.thread = new Thread(this::listen, "ops-runs-changed");
        thread.setDaemon(true);
    }

    public RunChanges start() {
        thread.start();
        return this;
    }

    /** True while announcements arrive (the cache is in use). */
    public boolean listening() {
        return cache.enabled();
    }

    private void listen() {
        while (!stopping) {
            try (Connection c = db.dedicatedConnection("odoo-ops run changes")) {
                try (Statement s = c.createStatement()) {
                    s.execute("listen " + CHANNEL);
                }
                cache.enabled(true);
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!stopping) {
                    PGNotification[] batch = pg.getNotifications(POLL_MILLIS);
                    if (batch == null) continue;
                    for (PGNotification n : batch) cache.changed(n.getParameter());
                }
            } catch (SQLException e) {
                cache.enabled(false);
                if (stopping) return;
                LOG.warn("listening for run changes failed ({}); the run list is read from the catalog each time "
                        + "until the connection is back", e.getMessage());
                sleep();
            } finally {
                cache.enabled(false);
            }
        }
    }

    private void sleep() {
        try {
            Thread.sleep(RETRY_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        }
    }

    @Override
    public void close() {
        stopping = true;
        thread.interrupt();
        try {
            thread.join(2 * POLL_MILLIS + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
