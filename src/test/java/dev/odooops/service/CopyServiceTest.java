package dev.odooops.service;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Json;
import dev.odooops.model.BackupResult;
import dev.odooops.support.Await;
import dev.odooops.support.FlowFixture;
import dev.odooops.support.NeutralShape;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The staging operations over HTTP: GET /environments/{env}/neutralization answers 200 with ok false on a plain
 * copy of production, a copy queued with POST /runs {"operation": "copy"} runs in the queued run, and then the check
 * answers ok true.
 */
class CopyServiceTest {
    static TestEnvironment env;
    static OpsRuntime runtime;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void setUp() throws Exception {
        env = TestEnvironment.create("ncopyhttp");
        NeutralShape.addOdooTables(env);
        NeutralShape.Staging staging = NeutralShape.copyOfProduction(env, NeutralShape.SINK_HOST);
        Files.writeString(staging.conf(), Files.readString(staging.conf()) + "smtp_port = " + NeutralShape.SINK_PORT + "\n");
        env.withOperatorActions("backup, restore, copy");
        env.withMoreEnvironments(NeutralShape.stagingYaml(env, staging, "staging", NeutralShape.neutralizationYaml()));
        FlowFixture fx = FlowFixture.of(env);
        BackupResult b = fx.backup();
        fx.runtime().close(); // the environment stays (closing the fixture would drop it)
        assertTrue(b.succeeded(), String.valueOf(b.error()));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (runtime != null) runtime.close();
        if (env != null) NeutralShape.dropStaging(env);
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
    void should_check_over_http_and_run_a_queued_copy() throws Exception {
        runtime = env.serviceRuntime();
        String path = "/environments/staging/neutralization?project=" + env.project;
        Map.Entry<Integer, String> a = call("GET", path, null);
        assertEquals(200, a.getKey(), a.getValue());
        Map<String, Object> report = Json.readMap(a.getValue());
        assertEquals(false, report.get("ok"));
        assertTrue(((List<?>) report.get("problems")).size() >= 8, a.getValue());
        assertTrue(!a.getValue().contains(NeutralShape.STRIPE_KEY) && !a.getValue().contains(NeutralShape.FETCHMAIL_PASS));

        a = call("POST", "/runs", "{\"operation\": \"copy\", \"environment\": \"" + env.project + "/staging\", \"from\": \""
                + env.project + "/prod\"}");
        assertEquals(202, a.getKey(), a.getValue());
        String runId = (String) Json.readMap(a.getValue()).get("run_id");
        AtomicReference<Map<String, Object>> run = new AtomicReference<>();
        Await.until("copy run " + runId + " to end", () -> {
            try {
                run.set(Json.readMap(call("GET", "/runs/" + runId, null).getValue()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return !List.of("queued", "running").contains(run.get().get("status"));
        });
        assertEquals("success", run.get().get("status"), run.get().toString());
        assertEquals("copy", run.get().get("operation"), run.get().toString());
        assertEquals(env.project + "/prod", run.get().get("copied_from"), run.get().toString());
        assertTrue(run.get().get("pre_restore_backup_id") != null, run.get().toString());

        a = call("GET", path, null);
        assertEquals(200, a.getKey(), a.getValue());
        assertEquals(true, Json.readMap(a.getValue()).get("ok"), a.getValue());
    }
}
