package dev.odooops.odoo;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.OdooControl;
import dev.odooops.domain.SecretRedactor;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Odoo's lifecycle during a restore: maintenance mode (the quiesce/resume actions), stop, start, and the
 * wait for the health URL (GET, 200 = healthy), all bounded. Each call returns a record of what happened
 * for the evidence; an action that is not configured is recorded as skipped. Works unchanged against a real
 * Odoo 16-18 ({@code /web/health}, service commands) and against the tests' stand-in.
 */
public class OdooLifecycle {
    private final OdooController controller;
    /** Made on first use (see OdooController): most commands never call Odoo over HTTP. */
    private HttpClient http;

    private synchronized HttpClient http() {
        if (http == null) http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return http;
    }
    public OdooLifecycle(OdooController controller) {
        this.controller = controller;
    }

    public Map<String, Object> maintenanceOn(EnvironmentConfig env, SecretRedactor r) {
        return perform("maintenance_on", env.control().quiesce(), r);
    }

    public Map<String, Object> maintenanceOff(EnvironmentConfig env, SecretRedactor r) {
        return perform("maintenance_off", env.control().resume(), r);
    }

    public Map<String, Object> stop(EnvironmentConfig env, SecretRedactor r) {
        return perform("stop", env.control().stop(), r);
    }

    public Map<String, Object> start(EnvironmentConfig env, SecretRedactor r) {
        return perform("start", env.control().start(), r);
    }

    private Map<String, Object> perform(String name, OdooControl.Action action, SecretRedactor r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("action", name);
        long start = System.nanoTime();
        if (action == null) {
            m.put("configured", false);
            m.put("ok", true);
            m.put("detail", "skipped: no " + name + " action configured");
            return m;
        }
        m.put("configured", true);
        m.put("method", action.describe());
        m.put("timeout_seconds", action.timeout(kind(name)).toSeconds());
        try {
            controller.perform(action, action.timeout(kind(name)));
            m.put("ok", true);
        } catch (Exception e) {
            m.put("ok", false);
            if (e instanceof dev.odooops.exec.ToolFailedException t && t.exitCode() >= 0) m.put("exit_code", t.exitCode());
            m.put("detail", r.scrub(String.valueOf(e.getMessage())));
        }
        m.put("duration_ms", (System.nanoTime() - start) / 1_000_000);
        return m;
    }

    /**
     * Start, then wait for health: the two records. A start that failed (a command that exited non-zero, an HTTP
     * call refused) is not followed by the wait: its health record says so, and the caller fails at once instead
     * of after odoo.timeout_seconds.
     */
    public java.util.List<Map<String, Object>> startAndWaitHealthy(EnvironmentConfig env, SecretRedactor r) {
        Map<String, Object> start = start(env, r);
        if (Boolean.TRUE.equals(start.get("ok"))) return java.util.List.of(start, waitHealthy(env));
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("action", "health");
        health.put("ok", false);
        health.put("waited", false);
        health.put("detail", "not waited for: the start failed (" + start.get("detail") + ")");
        return java.util.List.of(start, health);
    }

    private static String kind(String name) {
        return switch (name) {
            case "maintenance_on" -> "quiesce";
            case "maintenance_off" -> "resume";
            default -> name;
        };
    }

    /**
     * Brings Odoo back into service: start, wait for health, and only once healthy lift maintenance. Returns
     * {@code actions} (what each did, for the evidence) and {@code healthy}.
     */
    public Map<String, Object> bringBack(EnvironmentConfig env, SecretRedactor r) {
        java.util.List<Object> actions = new java.util.ArrayList<>(startAndWaitHealthy(env, r));
        boolean healthy = actions.stream().allMatch(a -> Boolean.TRUE.equals(((Map<?, ?>) a).get("ok")));
        if (healthy) actions.add(maintenanceOff(env, r));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("actions", actions);
        m.put("healthy", healthy);
        return m;
    }

    /** Polls the health URL until it answers 200 or the environment's timeout passes. */
    public Map<String, Object> waitHealthy(EnvironmentConfig env) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("action", "health");
        if (env.control().healthUrl() == null) {
            m.put("configured", false);
            m.put("ok", true);
            m.put("detail", "skipped: no health_url configured");
            return m;
        }
        m.put("configured", true);
        m.put("url", env.control().healthUrl().toString());
        m.put("timeout_seconds", env.control().timeoutSeconds());
        Instant deadline = Instant.now().plusSeconds(env.control().timeoutSeconds());
        long start = System.nanoTime();
        String last = "no answer";
        int attempts = 0;
        while (true) {
            attempts++;
            try {
                HttpResponse<Void> res = http().send(HttpRequest.newBuilder(env.control().healthUrl())
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding());
                if (res.statusCode() == 200) {
                    m.put("ok", true);
                    break;
                }
                last = "HTTP " + res.statusCode();
            } catch (Exception e) {
                last = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            if (Instant.now().isAfter(deadline)) {
                m.put("ok", false);
                m.put("detail", "not healthy after " + env.control().timeoutSeconds() + " s, last answer: " + last);
                break;
            }
            try {
                Thread.sleep(500); // polling interval of a bounded wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                m.put("ok", false);
                m.put("detail", "interrupted");
                break;
            }
        }
        m.put("attempts", attempts);
        m.put("duration_ms", (System.nanoTime() - start) / 1_000_000);
        return m;
    }
}
