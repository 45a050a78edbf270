package dev.odooops.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for an Odoo server, since Odoo cannot be installed here. It behaves as a real Odoo 17/18 does
 * (see shared/ODOO-NOTES.md), where that matters to odoo-ops:
 * <ul>
 *   <li>{@code GET /web/health}: 200 while started (and not made unhealthy), without touching the database;</li>
 *   <li>{@code POST /start}: on a running server does nothing (a service manager's start of a running unit);
 *       on a stopped one it "loads the registry": connects to its database as the environment's role and keeps
 *       that connection, and, as Odoo does with {@code db_name} set, <b>creates an empty database</b> when it
 *       is missing; it logs Odoo's start banner;</li>
 *   <li>{@code POST /stop}: closes its connection;</li>
 *   <li>{@code POST /maintenance/on|off}: the reverse proxy's maintenance page (Odoo has none of its own).</li>
 * </ul>
 * Log lines carry the current local time in Odoo's format. Faults can be switched on: unhealthy after the
 * next starts, an ERROR line in the log at start.
 */
public final class OdooStandIn implements AutoCloseable {
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");
    private final HttpServer server;
    private final Path log;
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;
    private volatile boolean maintenance;
    private volatile Connection registry;
    private volatile String jdbcBase;
    private volatile String database;
    private volatile String user;
    private volatile String password;
    /** The OID of the database the running server loaded (null when stopped or not connected). */
    private volatile Long loadedOid;
    /** The next this many starts come up unhealthy (a registry that fails to load on the restored data). */
    public volatile int unhealthyStarts;
    private volatile boolean unhealthy;
    public volatile boolean errorInLogAtStart;
    public volatile boolean createsMissingDatabase = true;

    public OdooStandIn(Path log) throws IOException {
        this.log = log;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
        append("INFO ? odoo: stand-in serving");
    }

    /** The database this server uses (as odoo.conf's db_host/db_port/db_user/db_password/db_name). */
    public synchronized void database(String jdbcBase, String database, String user, String password) {
        this.jdbcBase = jdbcBase;
        this.database = database;
        this.user = user;
        this.password = password;
        if (running && registry == null) load();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public Path log() {
        return log;
    }

    public List<String> calls() {
        return calls;
    }

    public boolean running() {
        return running;
    }

    public boolean inMaintenance() {
        return maintenance;
    }

    public Long loadedOid() {
        return loadedOid;
    }

    private synchronized void handle(HttpExchange ex) throws IOException {
        String call = ex.getRequestMethod() + " " + ex.getRequestURI().getPath();
        calls.add(call);
        int status = switch (call) {
            case "GET /web/health" -> running && !unhealthy ? 200 : 503;
            case "POST /stop" -> {
                if (running) {
                    running = false;
                    unload();
                    append("INFO ? odoo.service.server: Stopping gracefully");
                }
                yield 200;
            }
            case "POST /start" -> {
                if (!running) {
                    running = true;
                    unhealthy = unhealthyStarts > 0;
                    if (unhealthyStarts > 0 && unhealthyStarts != Integer.MAX_VALUE) unhealthyStarts--;
                    append("INFO ? odoo: Odoo version 17.0");
                    load();
                    if (errorInLogAtStart) append("ERROR " + database + " odoo.modules.registry: Failed to load registry");
                }
                yield 200;
            }
            case "POST /maintenance/on" -> {
                maintenance = true;
                yield 200;
            }
            case "POST /maintenance/off" -> {
                maintenance = false;
                yield 200;
            }
            default -> 404;
        };
        ex.sendResponseHeaders(status, -1);
        ex.close();
    }

    /** Connect to the database as Odoo does at start, creating it empty when missing. */
    private void load() {
        if (jdbcBase == null) return;
        try {
            try (Connection admin = DriverManager.getConnection(jdbcBase + "postgres", user, password)) {
                var ps = admin.prepareStatement("select oid from pg_database where datname = ?");
                ps.setString(1, database);
                if (!ps.executeQuery().next() && createsMissingDatabase) {
                    admin.createStatement().execute("create database \"" + database + "\"");
                    append("INFO ? odoo.service.db: Create database `" + database + "`.");
                }
            }
            registry = DriverManager.getConnection(jdbcBase + database, user, password);
            var rs = registry.createStatement().executeQuery("select oid from pg_database where datname = current_database()");
            rs.next();
            loadedOid = rs.getLong(1);
            append("INFO " + database + " odoo.modules.loading: Modules loaded.");
        } catch (SQLException e) {
            append("CRITICAL " + database + " odoo.service.server: Failed to initialize database `" + database + "`: " + e.getMessage());
        }
    }

    private void unload() {
        try {
            if (registry != null) registry.close();
        } catch (SQLException ignored) {
            // the server is stopping
        }
        registry = null;
        loadedOid = null;
    }

    public void append(String line) {
        try {
            Files.writeString(log, LocalDateTime.now().format(TS) + " 4242 " + line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        unload();
        server.stop(0);
    }
}
