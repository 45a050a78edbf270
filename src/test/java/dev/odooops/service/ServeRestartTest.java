package dev.odooops.service;

import dev.odooops.support.Await;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `odoo-ops serve` as separate JVMs: killed with SIGKILL after it accepted (recorded) an HTTP request and before a
 * worker ran it, then started again: the request runs exactly once, in the run it was accepted as. The second
 * serve then stops gracefully on SIGTERM.
 */
class ServeRestartTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private List<Map<String, Object>> runsOf(TestEnvironment env, String requestId) throws Exception {
        return TestEnvironment.ops("select run_id::text as run_id, status, channel from ops.runs where environment_id = ? "
                + "and request_id = ?", env.environmentId(), requestId);
    }

    @Test
    void should_run_a_request_accepted_before_a_crash_exactly_once_after_the_restart() throws Exception {
        try (TestEnvironment env = TestEnvironment.create("serve_restart").withType("staging")) {
            env.withServicePorts();
            int port = Integer.parseInt(env.apiUrl().replaceAll(".*:(\\d+)/api/v1", "$1"));
            env.withSpawnEnv("ODOO_OPS_CRASH_AT", "service:worker-start");
            Path err1 = env.root.resolve("serve1.err");
            Process first = env.spawn(env.root.resolve("serve1.out"), err1, "serve");
            Await.serveReady(first, err1);

            HttpRequest post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/backups"))
                    .header("Authorization", "Bearer " + TestEnvironment.OPERATOR_TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"environment\": \"" + env.environmentId()
                            + "\", \"request_id\": \"accepted-then-killed\"}")).build();
            try {
                HttpResponse<String> r = http.send(post, HttpResponse.BodyHandlers.ofString());
                assertEquals(202, r.statusCode(), r.body()); // the answer may or may not get out before the kill
            } catch (java.io.IOException cutOff) {
                // killed while answering: the request was recorded before the answer, as the catalog shows
            }
            assertTrue(first.waitFor(60, TimeUnit.SECONDS), "the first serve was not killed");
            assertEquals(137, first.exitValue(), Files.readString(err1));
            List<Map<String, Object>> queued = runsOf(env, "accepted-then-killed");
            assertEquals(1, queued.size(), queued.toString());
            assertEquals("queued", queued.get(0).get("status"), "accepted and recorded, never run");

            env.withSpawnEnv("ODOO_OPS_CRASH_AT", "");
            Path err2 = env.root.resolve("serve2.err");
            Process second = env.spawn(env.root.resolve("serve2.out"), err2, "serve");
            try {
                Await.serveReady(second, err2);
                // the summary's lines follow the ready line: wait for its last one
                Await.until("the start-up summary's pick-up line", () -> {
                    try {
                        return Files.readString(err2).contains("  picked up ");
                    } catch (java.io.IOException e) {
                        return false;
                    }
                });
                assertTrue(Files.readString(err2).contains("picked up     1 queued request(s)"), Files.readString(err2));
                Await.polled(Await.DEFAULT, () -> "success".equals(runsOf(env, "accepted-then-killed").get(0).get("status")));
                List<Map<String, Object>> runs = runsOf(env, "accepted-then-killed");
                assertEquals(1, runs.size(), "exactly one run: " + runs);
                assertEquals(queued.get(0).get("run_id"), runs.get(0).get("run_id"), "run in the run it was accepted as");
                assertEquals("success", runs.get(0).get("status"), Files.readString(err2));
                assertEquals("http", runs.get(0).get("channel"));
                assertEquals(1, TestEnvironment.ops("select 1 from ops.artifacts where run_id = ?::uuid",
                        runs.get(0).get("run_id")).size(), "its artifact");
                assertEquals(1, TestEnvironment.ops("select 1 from ops.run_events where run_id = ?::uuid and event_type = "
                        + "'request_picked_up'", runs.get(0).get("run_id")).size());
            } finally {
                second.destroy(); // SIGTERM: the graceful stop
                assertTrue(second.waitFor(60, TimeUnit.SECONDS), "serve did not stop on SIGTERM");
            }
            assertTrue(Files.readString(err2).contains("odoo-ops serve: stopped"), Files.readString(err2));
        }
    }
}
