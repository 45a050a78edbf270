package dev.odooops.service;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.OpsConfig;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.store.ArtifactStore;
import dev.odooops.model.Figures;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * What `serve` tells a monitoring system, on Camel's management server ({@code /observe/health/live},
 * {@code /observe/health/ready}, {@code /observe/metrics} in Prometheus format):
 * <ul>
 *   <li>readiness checks for the ops catalog, the artifact store, the JMS broker and the scheduler;</li>
 *   <li>our gauges and counters beside Camel's: per environment and backup type
 *   {@code odoo_ops_last_success_timestamp_seconds} (what to alert on), per environment and operation
 *   {@code odoo_ops_last_run_duration_seconds} and {@code odoo_ops_failed_runs_total} (a series from the start, at
 *   zero, so that {@code increase()} sees the first failure; operations backup, restore and drill),
 *   {@code odoo_ops_last_drill_success_timestamp_seconds} (0 until a restore drill passed),
 *   {@code odoo_ops_drill_rto_seconds}, {@code odoo_ops_drills_expected} (1: a drill schedule or drills.after_backup), {@code odoo_ops_restore_downtime_seconds} (the last successful restore's
 *   downtime, quiesce to maintenance lifted), {@code odoo_ops_stored_bytes},
 *   {@code odoo_ops_runs_failed} by failed step (a series once a step failed), {@code odoo_ops_ready} (1 while
 *   every readiness check is UP), {@code odoo_ops_queue_depth} and {@code odoo_ops_running_operations}.</li>
 * </ul>
 * Every per-environment series carries {@code environment}, {@code project} and {@code environment_type}.
 * The catalog figures are read at most every 15 s, whatever the scrape interval.
 */
public final class Observability {
    private static final Logger LOG = LoggerFactory.getLogger(Observability.class);
    private static final List<String> TYPES = List.of("full", "db_only", "filestore_only");
    private static final List<String> OPERATIONS = List.of("backup", "restore", "drill");
    private static final Duration CACHE = Duration.ofSeconds(15);

    private final OpsConfig config;
    private final OpsCatalog catalog;
    private final RunQueue queue;
    private volatile Figures figures;
    private volatile Instant readAt = Instant.EPOCH;
    private volatile dev.odooops.ops.MetricsCatalog.DrillFigures drills;
    private volatile Instant drillsReadAt = Instant.EPOCH;
    private MultiGauge failures;
    private final java.util.concurrent.ScheduledExecutorService refresher =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "odoo-ops-metrics");
                t.setDaemon(true);
                return t;
            });

    public Observability(OpsConfig config, OpsCatalog catalog, RunQueue queue) {
        this(config, catalog, queue, java.util.Set.of());
    }

    /** @param drillsExpected the environments expected to drill on their own (config.DrillSettings#expected) */
    public Observability(OpsConfig config, OpsCatalog catalog, RunQueue queue, java.util.Set<String> drillsExpected) {
        this.config = config;
        this.catalog = catalog;
        this.queue = queue;
        this.drillsExpected = java.util.Set.copyOf(drillsExpected);
    }

    private final java.util.Set<String> drillsExpected;

    /** Registers the readiness checks and the meters (the context is started: its registries exist). */
    public void install(CamelContext context, ArtifactStore store, BooleanSupplier brokerUp, BooleanSupplier schedulerUp) {
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (health != null) {
            health.register(check("ops-catalog", () -> {
                catalog.runs().activeRuns("-");
                return true;
            }));
            health.register(check("artifact-store", () -> {
                store.list(".ready-check"); // one listing of an empty prefix: throws when the store cannot be reached
                return true;
            }));
            health.register(check("jms-broker", brokerUp));
            health.register(check("scheduler", schedulerUp));
        }
        MeterRegistry meters = context.getRegistry().findSingleByType(MeterRegistry.class);
        if (meters == null) {
            LOG.warn("no meter registry: /observe/metrics has Camel's meters only");
            return;
        }
        for (EnvironmentConfig env : config.environments()) {
            Tags tags = environmentTags(env.id());
            for (String type : TYPES) {
                Gauge.builder("odoo_ops_last_success_timestamp_seconds", () -> lastSuccess(env.id(), type))
                        .description("when the newest successful backup of this type was taken (unix seconds; NaN: never)")
                        .tags(tags).tag("type", type).register(meters);
            }
            for (String op : OPERATIONS) {
                Gauge.builder("odoo_ops_last_run_duration_seconds", () -> lastDuration(env.id(), op))
                        .description("how long the environment's last finished run of this operation took")
                        .tags(tags).tag("operation", op).register(meters);
                FunctionCounter.builder("odoo_ops_failed_runs", this, o -> o.failedRuns(env.id(), op))
                        .description("failed (or rolled back) runs of this operation recorded in the catalog; 0 until the first")
                        .tags(tags).tag("operation", op).register(meters);
            }
            // restore drills (issue 16): from the start, 0 = never (so "no passed drill in 8 days" also fires when
            // every drill so far failed); the RTO NaN until a drill passed
            Gauge.builder("odoo_ops_last_drill_success_timestamp_seconds",
                            () -> drillFigures().lastSuccess().getOrDefault(env.id(), 0.0))
                    .description("when the environment's newest passed restore drill finished (unix seconds; 0: never)")
                    .tags(tags).register(meters);
            Gauge.builder("odoo_ops_drills_expected", () -> drillsExpected.contains(env.id()) ? 1 : 0)
                    .description("1 when the environment drills on its own (a drill schedule or drills.after_backup), else 0")
                    .tags(tags).register(meters);
            Gauge.builder("odoo_ops_drill_rto_seconds", () -> drillFigures().rtoSeconds().getOrDefault(env.id(), Double.NaN))
                    .description("the RTO of the environment's newest passed restore drill: seconds from its start to validated "
                            + "(NaN: none passed)")
                    .tags(tags).register(meters);
            Gauge.builder("odoo_ops_restore_downtime_seconds", () -> figures().restoreDowntime().getOrDefault(env.id(), Double.NaN))
                    .description("the environment's downtime in its last successful restore: quiesce (maintenance on) to maintenance lifted (NaN: none yet)")
                    .tags(tags).register(meters);
            Gauge.builder("odoo_ops_stored_bytes", () -> figures().storedBytes().getOrDefault(env.id(), 0L).doubleValue())
                    .description("bytes of the environment's live artifacts in the store")
                    .tags(tags).register(meters);
        }
        Gauge.builder("odoo_ops_ready", () -> ready(context) ? 1 : 0)
                .description("1 while every readiness check (GET /observe/health/ready) is UP, else 0").register(meters);
        failures = MultiGauge.builder("odoo_ops_runs_failed")
                .description("failed runs recorded in the catalog, by environment, operation and the step that failed")
                .register(meters);
        refresher.scheduleWithFixedDelay(this::refresh, 0, CACHE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        Gauge.builder("odoo_ops_queue_depth", () -> Math.max(0, queue.inFlight() - queue.running()))
                .description("accepted requests waiting for a worker").register(meters);
        Gauge.builder("odoo_ops_running_operations", queue::running)
                .description("operations running in a worker now").register(meters);
    }

    /** Re-reads the catalog figures and the failure rows (every 15 s, on a daemon thread). */
    private void refresh() {
        readAt = Instant.EPOCH;
        drillsReadAt = Instant.EPOCH;
        Figures f = figures();
        if (failures == null) return;
        java.util.List<MultiGauge.Row<?>> rows = new java.util.ArrayList<>();
        for (Map.Entry<String, Long> e : f.failuresByStep().entrySet()) {
            String[] k = e.getKey().split("\\|", 3);
            rows.add(MultiGauge.Row.of(environmentTags(k[0]).and("operation", k[1], "failed_step", k.length > 2 ? k[2] : ""),
                    e.getValue()));
        }
        failures.register(rows, true);
    }

    /** Stops the refresher. */
    public void close() {
        refresher.shutdownNow();
    }

    /** environment, project and environment_type of an environment id (an environment no longer configured: type ""). */
    private Tags environmentTags(String environmentId) {
        String type = config.environments().stream().filter(e -> e.id().equals(environmentId)).map(EnvironmentConfig::type)
                .findFirst().orElse("");
        int slash = environmentId.indexOf('/');
        return Tags.of("environment", environmentId, "project", slash < 0 ? environmentId : environmentId.substring(0, slash),
                "environment_type", type == null ? "" : type);
    }

    private double failedRuns(String env, String op) {
        String prefix = env + "|" + op + "|";
        return figures().failuresByStep().entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .mapToLong(Map.Entry::getValue).sum();
    }

    /** What GET /observe/health/ready answers: every readiness check UP. */
    private static boolean ready(CamelContext context) {
        try {
            java.util.Collection<org.apache.camel.health.HealthCheck.Result> results =
                    org.apache.camel.health.HealthCheckHelper.invokeReadiness(context);
            return !results.isEmpty() && results.stream().allMatch(r -> r.getState() == org.apache.camel.health.HealthCheck.State.UP);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private double lastSuccess(String env, String type) {
        Instant t = figures().lastSuccess().get(env + "|" + type);
        return t == null ? Double.NaN : t.getEpochSecond();
    }

    private double lastDuration(String env, String op) {
        Double d = figures().lastDuration().get(env + "|" + op);
        return d == null ? Double.NaN : d;
    }

    private dev.odooops.ops.MetricsCatalog.DrillFigures drillFigures() {
        if (drills == null || Instant.now().isAfter(drillsReadAt.plus(CACHE))) {
            try {
                drills = catalog.metrics().drillFigures();
                drillsReadAt = Instant.now();
            } catch (RuntimeException e) {
                LOG.warn("metrics: cannot read the drills from the catalog: {}", e.getMessage());
                if (drills == null) drills = dev.odooops.ops.MetricsCatalog.DrillFigures.EMPTY;
            }
        }
        return drills;
    }

    private Figures figures() {
        if (figures == null || Instant.now().isAfter(readAt.plus(CACHE))) {
            try {
                figures = catalog.metrics().figures();
                readAt = Instant.now();
            } catch (RuntimeException e) {
                LOG.warn("metrics: cannot read the catalog: {}", e.getMessage());
                if (figures == null) figures = Figures.EMPTY;
            }
        }
        return figures;
    }

    private static AbstractHealthCheck check(String id, BooleanSupplier up) {
        AbstractHealthCheck c = new AbstractHealthCheck("odoo-ops", id) {
            @Override
            protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
                try {
                    if (up.getAsBoolean()) builder.up();
                    else builder.down().message(id + " is not available");
                } catch (RuntimeException e) {
                    builder.down().message(id + ": " + e.getMessage());
                }
            }

            @Override
            public boolean isLiveness() {
                return false; // readiness only: a down dependency means "do not send work", not "restart me"
            }
        };
        return c;
    }
}
