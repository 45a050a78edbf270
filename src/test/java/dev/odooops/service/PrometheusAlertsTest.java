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
}
