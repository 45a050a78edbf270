package dev.odooops.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for an Odoo server, since Odoo cannot be installed here: it serves {@code GET /web/health}
 * (200 while started and healthy, 503 otherwise) and obeys {@code POST /start}, {@code /stop},
 * {@code /maintenance/on} and {@code /maintenance/off}, logging to a file like Odoo does. Faults can be
 * switched on: unhealthy after start, an ERROR line in the log at start.
 */
public final class OdooStandIn implements AutoCloseable {
    private final HttpServer server;
    private final Path log;
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;
    private volatile boolean maintenance;
    public volatile boolean unhealthyAfterStart;
    public volatile boolean errorInLogAtStart;

    public OdooStandIn(Path log) throws IOException {
        this.log = log;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
        append("INFO odoo: stand-in serving");
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

    private void handle(HttpExchange ex) throws IOException {
        String call = ex.getRequestMethod() + " " + ex.getRequestURI().getPath();
        calls.add(call);
        int status = switch (call) {
            case "GET /web/health" -> running && !unhealthyAfterStart ? 200 : 503;
            case "POST /stop" -> {
                running = false;
                append("INFO odoo: stopping");
                yield 200;
            }
            case "POST /start" -> {
                running = true;
                append("INFO odoo: starting");
                if (errorInLogAtStart) append("ERROR odoo.modules.registry: Failed to load registry");
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

    private void append(String line) {
        try {
            Files.writeString(log, "2026-11-22 00:00:00,000 1 " + line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
