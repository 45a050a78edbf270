package dev.odooops.service;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Json;
import dev.odooops.model.BackupResult;
import dev.odooops.support.Await;
import dev.odooops.support.DrillServer;
import dev.odooops.support.FlowFixture;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The drill over a service channel: POST /runs {"operation": "drill"} runs in its queued run on the drill server, an
 * unknown artifact is refused before any run, and GET /artifacts shows the artifact's last drill.
 */
class DrillServiceTest {
    static TestEnvironment env;
    static OpsRuntime runtime;
    static BackupResult backup;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void setUp() throws Exception {
        DrillServer.require();
        env = TestEnvironment.create("drillhttp").withOperatorActions("backup, restore, drill")
                .withSecret(DrillServer.SECRET, DrillServer.PASSWORD);
        env.withTopYaml("drills:\n  database: " + DrillServer.databaseYaml() + "\n  work_dir: " + env.root.resolve("drills") + "\n");
        FlowFixture fx = FlowFixture.of(env);
        backup = fx.backup();
        fx.runtime().close(); // the environment stays (closing the fixture would drop it)
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (runtime != null) runtime.close();
        if (env != null) env.close();
    }

    static Map.Entry<Integer, String> call(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(env.apiUrl() + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + TestEnvironment.OPERATOR_TOKEN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return Map.entry(r.statusCode(), r.body());
    }

    @Test
    @SuppressWarnings("unchecked")
    void should_run_a_queued_drill_and_show_it_on_the_artifact() throws Exception {
        runtime = env.serviceRuntime();
        Map.Entry<Integer, String> refused = call("POST", "/runs", "{\"operation\": \"drill\", \"environment\": \"" + env.environmentId()
                + "\", \"artifact_id\": \"no-such-artifact\"}");
        assertTrue(refused.getKey() >= 400 && refused.getKey() < 500, refused.toString());
        assertTrue(refused.getValue().contains("artifact"), refused.getValue());
        assertEquals(0, ops("select 1 from ops.runs where environment_id = ? and operation_type = 'drill'", env.environmentId()).size());

        Map.Entry<Integer, String> a = call("POST", "/runs", "{\"operation\": \"drill\", \"environment\": \"" + env.environmentId() + "\"}");
        assertEquals(202, a.getKey(), a.getValue());
        String runId = (String) Json.readMap(a.getValue()).get("run_id");
        AtomicReference<Map<String, Object>> run = new AtomicReference<>();
        Await.until("drill run " + runId + " to end", () -> {
            try {
                run.set(Json.readMap(call("GET", "/runs/" + runId, null).getValue()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return !List.of("queued", "running").contains(run.get().get("status"));
        });
        assertEquals("success", run.get().get("status"), run.get().toString());
        assertEquals("drill", run.get().get("operation"), run.get().toString());
        assertEquals("passed", ops("select status from ops.drills where run_id = ?::uuid", runId).get(0).get("status"));

        Map.Entry<Integer, String> list = call("GET", "/artifacts?env=" + env.environmentId(), null);
        assertEquals(200, list.getKey(), list.getValue());
        Map<String, Object> mine = ((List<Map<String, Object>>) Json.readMap(list.getValue()).get("artifacts")).stream()
                .filter(m -> backup.artifactId().equals(m.get("artifact_id"))).findFirst().orElseThrow();
        assertEquals("passed", mine.get("last_drill_status"), mine.toString());
    }
}
