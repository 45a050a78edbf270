package dev.odooops.service;

import dev.odooops.domain.Json;
import dev.odooops.support.Await;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * service.run-operations (issue 16) with two `serve` JVMs on one catalog: a drill host ({@code run-operations=drill})
 * accepts a backup over HTTP and leaves it queued, its lease released; a production host ({@code *,-drill}) picks it
 * up and runs it once.
 */
class ServeRunOperationsTest {
    private static String status(TestEnvironment env, String requestId) throws Exception {
        List<Map<String, Object>> r = TestEnvironment.ops("select status from ops.runs where request_id = ? and environment_id = ?",
                requestId, env.environmentId());
        return r.size() == 1 ? (String) r.get(0).get("status") : "rows: " + r.size();
    }

    private static List<String> events(TestEnvironment env, String requestId) throws Exception {
        return TestEnvironment.ops("select e.event_type from ops.run_events e join ops.runs r on r.run_id = e.run_id "
                + "where r.request_id = ? and r.environment_id = ? order by e.id", requestId, env.environmentId()).stream()
                .map(m -> (String) m.get("event_type")).toList();
    }

    @Test
    void should_leave_a_backup_a_drill_host_accepted_to_the_instance_that_runs_backups() throws Exception {
        try (TestEnvironment env = TestEnvironment.create("runops").withType("staging")) {
            env.withProperty("service.pickup-seconds", "1");
            env.withProperty("service.run-operations", "drill");
            env.withServicePorts();
            String drillHostApi = env.apiUrl();
            Path errD = env.root.resolve("drill-host.err");
            Process drillHost = env.spawn(env.root.resolve("drill-host.out"), errD, "serve");
            Process production = null;
            Path errP = env.root.resolve("production.err");
            try {
                Await.serveReady(drillHost, errD);
                HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(drillHostApi + "/backups"))
                        .header("Authorization", "Bearer " + TestEnvironment.OPERATOR_TOKEN)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"environment\": \"" + env.environmentId()
                                + "\", \"type\": \"db_only\", \"request_id\": \"left-1\"}")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(202, answer.statusCode(), answer.body());
                assertEquals("queued", Json.readMap(answer.body()).get("status"), answer.body());
                assertEquals("queued", status(env, "left-1"), "accepted, not run: the drill host runs drills only");
                assertTrue(events(env, "left-1").contains("request_left_queued"), events(env, "left-1").toString());

                env.withProperty("service.run-operations", "*,-drill");
                env.withServicePorts();
                production = env.spawn(env.root.resolve("production.out"), errP, "serve");
                Await.serveReady(production, errP);
                Await.until("the production host to run it", () -> {
                    try {
                        return "success".equals(status(env, "left-1"));
                    } catch (Exception e) {
                        return false;
                    }
                });
                assertTrue(Files.readString(errP).contains("picked up queued backup run"), Files.readString(errP));
                assertTrue(Files.readString(errD).contains("left queued for an instance that runs backup"), Files.readString(errD));
                assertTrue(!Files.readString(errD).contains("picked up queued backup run"), "the drill host never runs it");
                List<String> ev = events(env, "left-1");
                assertEquals(1, ev.stream().filter("request_picked_up"::equals).count(), ev.toString());
            } finally {
                drillHost.destroy();
                assertTrue(drillHost.waitFor(60, TimeUnit.SECONDS));
                if (production != null) {
                    production.destroy();
                    assertTrue(production.waitFor(60, TimeUnit.SECONDS));
                }
            }
        }
    }
}
