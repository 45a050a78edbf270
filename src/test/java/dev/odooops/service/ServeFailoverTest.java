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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two `serve` JVMs on one catalog: the one that accepted a request dies (SIGKILL) before running it; the other,
 * still up, takes the queued run over at its next pick-up and runs it once.
 */
class ServeFailoverTest {
    @Test
    void should_run_a_request_a_dead_instance_accepted_on_the_surviving_instance() throws Exception {
        try (TestEnvironment env = TestEnvironment.create("failover").withType("staging")) {
            env.withProperty("service.pickup-seconds", "1");
            env.withServicePorts();
            Path errB = env.root.resolve("survivor.err");
            Process survivor = env.spawn(env.root.resolve("survivor.out"), errB, "serve");
            try {
                Await.serveReady(survivor, errB);
                env.withServicePorts().withSpawnEnv("ODOO_OPS_CRASH_AT", "service:worker-start");
                Path errA = env.root.resolve("dying.err");
                Process dying = env.spawn(env.root.resolve("dying.out"), errA, "serve");
                Await.serveReady(dying, errA);
                HttpRequest post = HttpRequest.newBuilder(URI.create(env.apiUrl() + "/backups"))
                        .header("Authorization", "Bearer " + TestEnvironment.OPERATOR_TOKEN)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"environment\": \"" + env.environmentId()
                                + "\", \"type\": \"db_only\", \"request_id\": \"failover-1\"}")).build();
                try {
                    HttpClient.newHttpClient().send(post, HttpResponse.BodyHandlers.ofString());
                } catch (java.io.IOException cutOff) {
                    // killed while answering: the request was recorded first
                }
                assertTrue(dying.waitFor(60, TimeUnit.SECONDS));
                assertEquals(137, dying.exitValue(), Files.readString(errA));
                Await.until("the survivor to run it", () -> {
                    try {
                        List<Map<String, Object>> r = TestEnvironment.ops("select status from ops.runs where request_id = "
                                + "'failover-1' and environment_id = ?", env.environmentId());
                        return r.size() == 1 && "success".equals(r.get(0).get("status"));
                    } catch (Exception e) {
                        return false;
                    }
                });
                assertTrue(Files.readString(errB).contains("picked up queued backup run"), Files.readString(errB));
                assertEquals(1, TestEnvironment.ops("select 1 from ops.runs where request_id = 'failover-1' and environment_id = ?",
                        env.environmentId()).size());
            } finally {
                survivor.destroy();
                assertTrue(survivor.waitFor(60, TimeUnit.SECONDS));
            }
        }
    }
}
