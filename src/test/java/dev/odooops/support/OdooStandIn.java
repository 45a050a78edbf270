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
 *   <li>{@code POST /maintenance/on|off}: the reverse proxy's maintenance page (Odoo has none of its own);</li>
 *   <li>{@code POST /web/webclient/version_info} with a JSON body: Odoo's JSON-RPC answer of
 *       {@code odoo.service.common.exp_version()} for {@link #version} ({@code server_version},
 *       {@code server_version_info}, {@code server_serie}, {@code protocol_version}), echoing the request's id; a request
 *       that is not JSON gets Odoo's 400 (the route is type json). Stopped, it answers 503 as health does.</li>
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
    /** The version this server runs, as Odoo's release.version: {@code 17.0}, {@code 18.0+e}, {@code saas~17.1}. */
    public volatile String version = "17.0";

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
        if (call.equals("POST /web/webclient/version_info")) {
            versionInfo(ex);
            return;
        }
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
                    append("INFO ? odoo: Odoo version " + version);
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

    /**
     * Odoo's {@code /web/webclient/version_info} (a {@code type="json"} route returning {@code exp_version()}):
     * {@code {"jsonrpc": "2.0", "id": <request id>, "result": {"server_version": "17.0", "server_version_info":
     * [17, 0, 0, "final", 0, ""], "server_serie": "17.0", "protocol_version": 1}}}.
     */
    private void versionInfo(HttpExchange ex) throws IOException {
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        byte[] in = ex.getRequestBody().readAllBytes();
        int status = 200;
        String answer;
        if (!running || unhealthy) {
            status = 503;
            answer = "";
        } else if (type == null || !type.startsWith("application/json")) {
            status = 400;
            answer = "<p>Request inferred type is compatible with ['http'] but '/web/webclient/version_info' is type='json'.</p>";
        } else {
            java.util.Map<String, Object> request;
            try {
                request = dev.odooops.domain.Json.readMap(new String(in, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                request = null;
            }
            if (request == null) {
                ex.sendResponseHeaders(400, -1);
                ex.close();
                return;
            }
            Object id = request.get("id");
            java.util.Map<String, Object> rpc = new java.util.LinkedHashMap<>();
            rpc.put("jsonrpc", "2.0");
            rpc.put("id", id);
            rpc.put("result", expVersion());
            answer = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(rpc);
        }
        byte[] out = answer.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", status == 200 ? "application/json" : "text/html; charset=utf-8");
        ex.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
        if (out.length > 0) ex.getResponseBody().write(out);
        ex.close();
    }

    /** Odoo's release.py: version_info from the version, series its first two parts. */
    private java.util.Map<String, Object> expVersion() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("((?:saas~)?\\d+)\\.(\\d+)(.*)").matcher(version);
        if (!m.matches()) throw new IllegalStateException("not an Odoo version: " + version);
        String edition = m.group(3).startsWith("+") ? m.group(3).substring(1) : "";
        Object major = m.group(1).startsWith("saas~") ? m.group(1) : (Object) Integer.parseInt(m.group(1));
        java.util.Map<String, Object> r = new java.util.LinkedHashMap<>();
        r.put("server_version", version);
        r.put("server_version_info", List.of(major, Integer.parseInt(m.group(2)), 0, "final", 0, edition));
        r.put("server_serie", m.group(1) + "." + m.group(2));
        r.put("protocol_version", 1);
        return r;
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
