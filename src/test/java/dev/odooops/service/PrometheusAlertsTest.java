package dev.odooops.service;

import dev.odooops.OpsRuntime;
import dev.odooops.support.Await;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example alerts (docs/prometheus-alerts.yml) tested with Prometheus's own {@code promtool test rules}
 * (src/test/resources/promtool/prometheus-alerts.test.yml: the first failure fires, not-ready fires), and the
 * series those rules read exported by a real serve before anything failed: the failure counters at zero, readiness.
 * promtool comes with Debian's {@code prometheus} package (.ci/run installs it); a missing promtool fails the test.
 */
class PrometheusAlertsTest {
    private static final Path TEST = Path.of("src/test/resources/promtool/prometheus-alerts.test.yml");
    private static final Path RULES = Path.of("docs/prometheus-alerts.yml");

    private static String promtool(Path dir, String... args) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of("promtool"));
        argv.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("promtool is missing: apt-get install -y prometheus (.ci/run installs it)", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "promtool did not end");
        assertEquals(0, p.exitValue(), "promtool " + String.join(" ", args) + ":\n" + out);
        return out;
    }

    @Test
    void should_pass_promtool_check_and_the_rule_tests_of_the_example_alerts() throws Exception {
        assertTrue(Files.isRegularFile(RULES) && Files.isRegularFile(TEST), "run from the project directory");
        promtool(Path.of("."), "check", "rules", RULES.toString());
        String out = promtool(TEST.getParent(), "test", "rules", TEST.getFileName().toString());
        assertTrue(out.contains("SUCCESS"), out);
    }

    @Test
    void should_export_zero_failure_series_and_readiness_before_any_run() throws Exception {
        try (TestEnvironment env = TestEnvironment.create("metrics_zero"); OpsRuntime rt = env.serviceRuntime()) {
            HttpClient http = HttpClient.newHttpClient();
            AtomicReference<String> metrics = new AtomicReference<>("");
            Await.until("readiness exported as 1", () -> {
                try {
                    metrics.set(http.send(HttpRequest.newBuilder(URI.create(env.managementUrl() + "/observe/metrics")).build(),
                            HttpResponse.BodyHandlers.ofString()).body());
                } catch (Exception e) {
                    return false;
                }
                return metrics.get().lines().anyMatch(l -> l.matches("odoo_ops_ready(\\{[^}]*})? 1(\\.0)?"));
            });
            String text = metrics.get();
            assertTrue(TestEnvironment.ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).isEmpty(),
                    "no run yet");
            for (String op : List.of("backup", "restore")) {
                String series = text.lines().filter(l -> l.startsWith("odoo_ops_failed_runs_total{")
                                && l.contains("environment=\"" + env.environmentId() + "\"") && l.contains("operation=\"" + op + "\""))
                        .findFirst().orElseThrow(() -> new AssertionError("no " + op + " failure series before a failure:\n" + text));
                assertTrue(series.matches(".* 0(\\.0)?"), series);
                assertTrue(series.contains("project=\"" + env.project + "\"") && series.contains("environment_type=\"production\""),
                        series);
            }
            assertTrue(text.contains("# TYPE odoo_ops_failed_runs_total counter"), "a counter, for increase()");
            assertTrue(text.lines().anyMatch(l -> l.startsWith("odoo_ops_last_success_timestamp_seconds{")
                    && l.contains("project=\"" + env.project + "\"") && l.contains("environment_type=\"production\"")), text);
        }
    }

    private static String scrape(HttpClient http, TestEnvironment env) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(env.managementUrl() + "/observe/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "";
        }
    }

    /** The exported line of {@code metric} for the environment (and operation, when given), or null. */
    private static String line(String text, String metric, TestEnvironment env, String operation) {
        return text.lines().filter(l -> l.startsWith(metric + "{") && l.contains("environment=\"" + env.environmentId() + "\"")
                && (operation == null || l.contains("operation=\"" + operation + "\""))).findFirst().orElse(null);
    }

    private static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    /** A finished drill run of the environment, as the drill operation records it (its run and its ops.drills row). */
    private static void drillRun(TestEnvironment env, boolean passed, long finishedSecondsAgo, Long rtoMs) throws Exception {
        java.util.UUID run = java.util.UUID.randomUUID();
        TestEnvironment.ops("insert into ops.runs (run_id, project, environment_id, operation_type, status, created_by, created_at, "
                        + "started_at, finished_at, failed_step) values (?, ?, ?, 'drill', ?, 'scheduler', now() - make_interval(secs => ?), "
                        + "now() - make_interval(secs => ?), now() - make_interval(secs => ?), ?) returning run_id", run, env.project,
                env.environmentId(), passed ? "success" : "failed", (double) finishedSecondsAgo + 60, (double) finishedSecondsAgo + 60,
                (double) finishedSecondsAgo, passed ? null : "validate");
        TestEnvironment.ops("insert into ops.drills (run_id, project, environment_id, artifact_id, status, started_at, finished_at, "
                        + "rto_ms, failure) values (?, ?, ?, 'some-artifact', ?, now() - make_interval(secs => ?), "
                        + "now() - make_interval(secs => ?), ?, ?) returning run_id", run, env.project, env.environmentId(),
                passed ? "passed" : "failed", (double) finishedSecondsAgo + 60, (double) finishedSecondsAgo, rtoMs,
                passed ? null : "row counts differ from the dump");
    }

    /**
     * Issue 16: an environment whose drills so far all failed exports the drill series a real serve has (the last
     * success at 0, a drill duration), and OdooOpsNoSuccessfulDrill fires on exactly those series in promtool; once a
     * drill passed, the timestamp is its end and the RTO its own.
     */
    /** Issue 16: an environment that drills after each backup is one OdooOpsDrillsNeverRun watches. */
    @Test
    void should_export_that_an_environment_drilling_after_each_backup_is_expected_to_drill() throws Exception {
        try (TestEnvironment env = TestEnvironment.create("metrics_drill_expected").withTopYaml("drills:\n  after_backup: true\n");
             OpsRuntime rt = env.serviceRuntime()) {
            HttpClient http = HttpClient.newHttpClient();
            AtomicReference<String> metrics = new AtomicReference<>("");
            Await.until("the drill series exported", () -> {
                metrics.set(scrape(http, env));
                return line(metrics.get(), "odoo_ops_drills_expected", env, null) != null;
            });
            assertEquals(1.0, value(line(metrics.get(), "odoo_ops_drills_expected", env, null)), metrics.get());
        }
    }

    @Test
    void should_fire_no_successful_drill_on_the_series_serve_exports_after_failed_drills() throws Exception {
        try (TestEnvironment env = TestEnvironment.create("metrics_drill"); OpsRuntime rt = env.serviceRuntime()) {
            HttpClient http = HttpClient.newHttpClient();
            AtomicReference<String> metrics = new AtomicReference<>("");
            Await.until("the drill series exported", () -> {
                metrics.set(scrape(http, env));
                return line(metrics.get(), "odoo_ops_last_drill_success_timestamp_seconds", env, null) != null;
            });
            assertEquals(0.0, value(line(metrics.get(), "odoo_ops_last_drill_success_timestamp_seconds", env, null)),
                    "0 from the start: never");
            assertTrue(Double.isNaN(value(line(metrics.get(), "odoo_ops_drill_rto_seconds", env, null))));
            assertEquals(0.0, value(line(metrics.get(), "odoo_ops_drills_expected", env, null)), "no drill configured");
            drillRun(env, false, 3600, null);
            Await.until("the failed drill's duration exported", () -> {
                metrics.set(scrape(http, env));
                String d = line(metrics.get(), "odoo_ops_last_run_duration_seconds", env, "drill");
                String f = line(metrics.get(), "odoo_ops_failed_runs_total", env, "drill");
                // a scrape is not a snapshot: the catalog is re-read every 15 s, possibly between two gauges
                return d != null && !Double.isNaN(value(d)) && f != null && value(f) == 1.0;
            });
            String text = metrics.get();
            String success = line(text, "odoo_ops_last_drill_success_timestamp_seconds", env, null);
            String duration = line(text, "odoo_ops_last_run_duration_seconds", env, "drill");
            String failed = line(text, "odoo_ops_failed_runs_total", env, "drill");
            assertEquals(0.0, value(success), success);
            assertEquals(1.0, value(failed), failed);
            Path dir = Files.createTempDirectory("promtool-drill-");
            try {
                String labels = success.substring(success.indexOf('{') + 1, success.indexOf('}'));
                StringBuilder exp = new StringBuilder("{severity: warning, job: odoo-ops");
                for (String kv : labels.split(",")) {
                    if (kv.isBlank()) continue;
                    String[] p = kv.split("=", 2);
                    exp.append(", ").append(p[0]).append(": \"").append(p[1].replace("\"", "")).append('"');
                }
                exp.append('}');
                Files.writeString(dir.resolve("drill.test.yml"), String.join("\n",
                        "rule_files:",
                        "  - " + RULES.toAbsolutePath(),
                        "evaluation_interval: 1m",
                        "tests:",
                        "  - interval: 1m",
                        "    input_series:",
                        "      - series: '" + withJob(success) + "'",
                        "        values: '" + value(success) + "+0x12000'",
                        "      - series: '" + withJob(duration) + "'",
                        "        values: '" + value(duration) + "+0x12000'",
                        "    alert_rule_test:",
                        "      - eval_time: 100h",
                        "        alertname: OdooOpsNoSuccessfulDrill",
                        "        exp_alerts: []",
                        "      - eval_time: 195h",
                        "        alertname: OdooOpsNoSuccessfulDrill",
                        "        exp_alerts:",
                        "          - exp_labels: " + exp,
                        "            exp_annotations:",
                        "              summary: \"" + env.environmentId() + ": no restore drill passed in 8 days\"",
                        "              description: \"Its backups are not proven restorable: read ./odoo-ops runs --env "
                                + env.environmentId() + " (operation drill) and the last drill's failure.json.\"",
                        ""));
                String out = promtool(dir, "test", "rules", "drill.test.yml");
                assertTrue(out.contains("SUCCESS"), out);
            } finally {
                dev.odooops.exec.WorkFiles.deleteTree(dir);
            }
            drillRun(env, true, 600, 4200L);
            double finished = ((Number) TestEnvironment.ops("select extract(epoch from finished_at)::float8 as t from ops.drills "
                    + "where environment_id = ? and status = 'passed'", env.environmentId()).get(0).get("t")).doubleValue();
            Await.until("the passed drill exported", () -> {
                metrics.set(scrape(http, env));
                String t = line(metrics.get(), "odoo_ops_last_drill_success_timestamp_seconds", env, null);
                String r = line(metrics.get(), "odoo_ops_drill_rto_seconds", env, null);
                // both in the same scrape: the cache may be re-read between the two gauges of one scrape
                return t != null && value(t) > 0 && r != null && !Double.isNaN(value(r));
            });
            assertEquals(finished, value(line(metrics.get(), "odoo_ops_last_drill_success_timestamp_seconds", env, null)), 1.0);
            assertEquals(4.2, value(line(metrics.get(), "odoo_ops_drill_rto_seconds", env, null)), 1e-9);
        }
    }

    /** An exported series as a promtool input series: the scrape job's label added, the value left out. */
    private static String withJob(String line) {
        String series = line.substring(0, line.lastIndexOf(' '));
        return series.replace("{", "{job=\"odoo-ops\",");
    }
}
