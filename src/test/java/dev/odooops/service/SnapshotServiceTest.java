package dev.odooops.service;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Json;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.support.Await;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sanitised snapshot as a queued operation of every service channel: {@code POST /api/v1/runs} with
 * {@code "operation": "snapshot"} answers 202 with the queued run, which the snapshot run adopts (same run id, the
 * channel recorded); a request without sanitize is refused 400 naming the field, one without permission 403.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SnapshotServiceTest {
    private TestEnvironment env;
    private OpsRuntime runtime;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void setUp() throws Exception {
        env = TestEnvironment.create("snaphttp").withLocalStore().withOperatorActions("backup, restore, copy").withServicePorts();
        runtime = env.serviceRuntime();
        BackupResult b = runtime.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null, null, null, null,
                "operator", "test"));
        assertEquals("success", b.status(), b.error());
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        if (env != null) env.close();
    }

    private HttpResponse<String> post(String token, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(env.apiUrl() + "/runs")).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private Map<String, Object> awaitEnd(String runId) throws Exception {
        AtomicReference<Map<String, Object>> run = new AtomicReference<>();
        Await.until("run " + runId + " to end", () -> {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(env.apiUrl() + "/runs/" + runId))
                        .header("Authorization", "Bearer " + TestEnvironment.OPERATOR_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
                run.set(Json.readMap(r.body()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return !List.of("queued", "running").contains(run.get().get("status"));
        });
        return run.get();
    }

    @Test
    void should_run_a_snapshot_queued_over_http_in_the_queued_run() throws Exception {
        HttpResponse<String> a = post(TestEnvironment.OPERATOR_TOKEN, "{\"operation\": \"snapshot\", \"environment\": \""
                + env.environmentId() + "\", \"sanitize\": true}");
        assertEquals(202, a.statusCode(), a.body());
        String runId = (String) Json.readMap(a.body()).get("run_id");
        Map<String, Object> run = awaitEnd(runId);
        assertEquals("success", run.get("status"), run.toString());
        assertTrue(((List<?>) run.get("steps_completed")).contains("store-snapshot"), run.toString());
        Map<String, Object> row = TestEnvironment.ops("select operation_type, channel from ops.runs where run_id = ?::uuid", runId).get(0);
        assertEquals("snapshot", row.get("operation_type"));
        assertEquals("http", row.get("channel"));
        assertEquals(1, TestEnvironment.ops("select 1 from ops.artifacts where environment_id = ? and kind = 'sanitized_snapshot'",
                env.environmentId()).size());
    }

    @Test
    void should_refuse_a_snapshot_without_sanitize_or_permission_over_http() throws Exception {
        HttpResponse<String> noSanitize = post(TestEnvironment.OPERATOR_TOKEN, "{\"operation\": \"snapshot\", \"environment\": \""
                + env.environmentId() + "\"}");
        assertEquals(400, noSanitize.statusCode(), noSanitize.body());
        assertEquals("sanitize", Json.readMap(noSanitize.body()).get("field"), noSanitize.body());
        HttpResponse<String> denied = post(TestEnvironment.AUDITOR_TOKEN, "{\"operation\": \"snapshot\", \"environment\": \""
                + env.environmentId() + "\", \"sanitize\": true}");
        assertEquals(403, denied.statusCode(), denied.body());
        HttpResponse<String> unknown = post(TestEnvironment.OPERATOR_TOKEN, "{\"operation\": \"snapshot\", \"environment\": \""
                + env.environmentId() + "\", \"sanitize\": true, \"artifact_id\": \"no-such-artifact\"}");
        assertEquals(404, unknown.statusCode(), unknown.body());
        assertTrue(String.valueOf(Json.readMap(unknown.body()).get("field")).startsWith("artifact"), unknown.body());
        assertEquals(0, TestEnvironment.ops("select 1 from ops.runs where environment_id = ? and operation_type = 'snapshot' "
                + "and status = 'failed'", env.environmentId()).size(), "a refused request records no run");
    }
}
