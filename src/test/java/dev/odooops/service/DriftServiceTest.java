package dev.odooops.service;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Json;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Service mode's side of check-drift and evidence retention: GET /api/v1/projects/{project}/drift for CI, the queued
 * operation evidence_retention reaching its permission check through POST /api/v1/runs, and the retention schedule's
 * Quartz route loaded.
 */
class DriftServiceTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> call(TestEnvironment env, String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(env.apiUrl() + path)).header("Authorization", "Bearer " + token);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void should_answer_the_drift_report_over_http_and_queue_evidence_retention_only_for_its_permission() throws Exception {
        try (TestEnvironment env = TestEnvironment.create("drift_http").withLocalStore();
             OpsRuntime rt = env.serviceRuntime()) {
            HttpResponse<String> drift = call(env, "GET", "/projects/" + env.project + "/drift", TestEnvironment.OPERATOR_TOKEN, null);
            assertEquals(200, drift.statusCode(), drift.body());
            Map<String, Object> report = Json.readMap(drift.body());
            assertEquals(true, report.get("ok"), drift.body());
            assertEquals(env.project + "/prod", report.get("compared_with"));

            HttpResponse<String> denied = call(env, "GET", "/projects/" + env.project + "/drift", TestEnvironment.AUDITOR_TOKEN, null);
            assertEquals(403, denied.statusCode(), denied.body());
            HttpResponse<String> unknown = call(env, "GET", "/projects/nowhere/drift", TestEnvironment.OPERATOR_TOKEN, null);
            assertTrue(unknown.statusCode() == 403 || unknown.statusCode() == 404, unknown.body());

            HttpResponse<String> queued = call(env, "POST", "/runs", TestEnvironment.OPERATOR_TOKEN,
                    "{\"operation\": \"evidence_retention\", \"environment\": \"" + env.environmentId() + "\", \"dry_run\": true}");
            assertEquals(403, queued.statusCode(), "operator holds backup and restore, not evidence: " + queued.body());
            assertTrue(queued.body().contains("evidence"), queued.body());

            assertNotNull(rt.camelContext().getRoute("evidence-retention-trigger"), "the retention schedule in serve");
        }
    }

    @Test
    void should_run_a_queued_evidence_retention_in_the_run_the_channel_recorded() throws Exception {
        try (TestEnvironment env = TestEnvironment.create("ev_http").withLocalStore().withOperatorActions("backup, restore, evidence");
             OpsRuntime rt = env.serviceRuntime()) {
            HttpResponse<String> queued = call(env, "POST", "/runs", TestEnvironment.OPERATOR_TOKEN,
                    "{\"operation\": \"evidence_retention\", \"environment\": \"" + env.environmentId() + "\", \"request_id\": \"ev-1\"}");
            assertEquals(202, queued.statusCode(), queued.body());
            String runId = (String) Json.readMap(queued.body()).get("run_id");
            Map<String, Object> run = dev.odooops.support.Await.value("run " + runId + " to end", java.time.Duration.ofSeconds(120),
                    () -> {
                        Map<String, Object> r = Json.readMap(call(env, "GET", "/runs/" + runId, TestEnvironment.OPERATOR_TOKEN, null).body());
                        return java.util.List.of("queued", "running").contains(r.get("status")) ? null : r;
                    });
            assertEquals("success", run.get("status"), run.toString());
            assertEquals("evidence_retention", run.get("operation"), run.toString());
            assertTrue(String.valueOf(run.get("evidence_files")).contains("final_status.json"), run.toString());
        }
    }
}
