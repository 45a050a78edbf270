package dev.odooops.cli;

import dev.odooops.OpsRuntime;
import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.service.ServiceSettings;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * {@code odoo-ops serve}: one long-running runtime with the service channels on (the HTTP API today), a start-up
 * summary on stderr (no secret), the pick-up of queued requests a dead process left, and a graceful stop on
 * SIGTERM/SIGINT: no new request is accepted, running operations get {@code service.shutdown-grace-seconds}.
 */
public final class ServeCommand {
    private final Path home;
    private final PrintStream err;

    public ServeCommand(Path home, PrintStream err) {
        this.home = home;
        this.err = err;
    }

    public int run(Path configDir, Function<String, String> env, java.util.Map<String, String> overrides) throws Exception {
        return run(configDir, env, overrides, List.of());
    }

    /**
     * As {@link #run(Path, Function, java.util.Map)}, printing {@code banner} after the start-up summary (serve --demo).
     * {@code overrides} go over application.properties (serve --port: http.port).
     */
    public int run(Path configDir, Function<String, String> env, java.util.Map<String, String> overrides, List<String> banner)
            throws Exception {
        long started = System.nanoTime();
        OpsRuntime rt = OpsRuntime.startService(home, configDir, env, Clock.systemUTC(), overrides);
        CountDownLatch stopped = new CountDownLatch(1);
        // the JVM runs this hook on SIGTERM/SIGINT and exits when it returns: it returns once the runs ended (or the
        // grace did); camel-main's own hook is off in service mode, so nothing stops the routes under a running run
        Thread hook = new Thread(() -> {
            err.println("odoo-ops serve: stopping: no new request; running operations get up to "
                    + rt.serviceSettings().shutdownGraceSeconds() + " s (service.shutdown-grace-seconds)");
            if (rt.drain()) {
                rt.close();
                err.println("odoo-ops serve: stopped");
            } else {
                // no orderly close under runs still writing: the process exits, its children die with it (their
                // parent-death signal) and the runs are recovered like those of a killed process
                err.println("odoo-ops serve: stopped with " + rt.runQueue().running() + " run(s) cut off at the end of the "
                        + "grace; they are recovered at the next run on their environment or by odoo-ops recover");
                err.flush();
                // now, as a kill would: the JVM would otherwise wait for every other shutdown hook while the runs go on
                Runtime.getRuntime().halt(143);
            }
            stopped.countDown();
        }, "odoo-ops-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        rt.schedules().dropStale();
        int picked = rt.runQueue().startPickUp(java.time.Duration.ofSeconds(rt.serviceSettings().pickupSeconds()));
        summary(rt, picked, (System.nanoTime() - started) / 1_000_000);
        banner.forEach(err::println);
        stopped.await();
        return Commands.OK;
    }

    private void summary(OpsRuntime rt, int picked, long startMillis) {
        ServiceSettings s = rt.serviceSettings();
        SecretRedactor redact = new SecretRedactor(List.of());
        err.println("odoo-ops serve: ready in " + startMillis + " ms");
        err.println("  catalog       " + redact.scrub(rt.settings().opsDb().url()));
        err.println("  store         " + redact.scrub(rt.store().uri("")));
        err.println("  workers       " + s.workers() + " (queue " + s.queueCapacity() + ", shutdown grace "
                + s.shutdownGraceSeconds() + " s)");
        err.println("  http          http://" + s.httpHost() + ":" + s.httpPort() + "/api/v1 (OpenAPI: /api/v1/openapi.json; "
                + rt.apiTokens().count() + " user(s) with a token)");
        err.println("  jms           " + (rt.jms() == null ? "off (jms.enabled=false)" : rt.jms().address()));
        err.println("  inbox         " + (rt.inbox() == null ? "off (inbox.dir not set)" : rt.inbox().dir()
                + " (write <name>.json.tmp, then rename to <name>.json)"));
        err.println("  environments  " + String.join(", ", rt.config().environments().stream().map(EnvironmentConfig::id).toList()));
        var schedules = rt.schedules().list();
        err.println("  schedules     " + (schedules.isEmpty() ? "none" : ""));
        for (var sc : schedules) {
            err.println("    " + sc.get("key") + "  '" + sc.get("cron") + "' " + sc.get("time_zone") + "  " + sc.get("type") + "  "
                    + sc.get("state") + (sc.get("next_fire_time") == null ? "" : ", next " + sc.get("next_fire_time")));
        }
        err.println("  picked up     " + picked + " queued request(s) left by a stopped process");
    }
}
