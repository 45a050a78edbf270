package dev.odooops.service;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Json;
import dev.odooops.support.Await;
import dev.odooops.support.OdooStandIn;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Service mode's HTTP API end to end: a real `serve` runtime in this JVM on a loopback port, real HTTP, the real
 * catalog, PostgreSQL, S3 endpoint and tools. Backups and restores are queued (202 + Location) and run by the
 * worker pool; every refusal names its problem with the right status and leaves no run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpApiTest {
    private TestEnvironment env;
    private OdooStandIn odoo;
    private OpsRuntime runtime;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void setUp() throws Exception {
        env = TestEnvironment.create("http_api");
        odoo = new OdooStandIn(env.root.resolve("odoo.log"));
        env.withOdoo(odoo).withProperty("http.auth-failures-per-minute", "50").withProperty("http.trusted-proxies", "127.0.0.1");
        runtime = env.serviceRuntime();
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        if (odoo != null) odoo.close();
        if (env != null) env.close();
    }

    record Answer(int status, String body, Map<String, List<String>> headers) {
        Map<String, Object> json() {
            return Json.readMap(body);
        }
    }

    Answer call(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(env.apiUrl() + path)).timeout(Duration.ofSeconds(60));
        if (token != null) b.header("Authorization", "Bearer " + token);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body(), r.headers().map());
    }

    /** Polls GET /runs/{id} until the run has ended (a wait for the worker, not a timed assertion). */
    Map<String, Object> awaitEnd(String runId) throws Exception {
        java.util.concurrent.atomic.AtomicReference<Map<String, Object>> run = new java.util.concurrent.atomic.AtomicReference<>();
        Await.until("run " + runId + " to end", () -> {
            try {
                Answer a = call("GET", "/runs/" + runId, TestEnvironment.OPERATOR_TOKEN, null);
                assertEquals(200, a.status(), a.body());
                run.set(a.json());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return !List.of("queued", "running").contains(run.get().get("status"));
        });
        return run.get();
    }

    private long runs() throws Exception {
        return TestEnvironment.ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size();
    }

    @Test
    void should_queue_a_backup_answer_202_with_its_location_and_run_it() throws Exception {
        Answer a = call("POST", "/backups", TestEnvironment.OPERATOR_TOKEN,
                "{\"environment\": \"" + env.environmentId() + "\", \"type\": \"full\", \"label\": \"via http\"}");
        assertEquals(202, a.status(), a.body());
        String runId = (String) a.json().get("run_id");
        assertEquals("queued", a.json().get("status"));
        assertEquals(List.of("/api/v1/runs/" + runId), a.headers().get("location"));

        Map<String, Object> run = awaitEnd(runId);
        assertEquals("success", run.get("status"), run.toString());
        assertTrue(((List<?>) run.get("steps_completed")).contains("upload-artifact"), run.toString());
        assertTrue(((List<?>) run.get("evidence_files")).contains("final_status.json"), run.toString());
        String artifact = (String) run.get("artifact_id");
        assertEquals("http", TestEnvironment.ops("select channel from ops.runs where run_id = ?::uuid", runId).get(0).get("channel"));

        Answer artifacts = call("GET", "/artifacts?env=" + env.environmentId(), TestEnvironment.OPERATOR_TOKEN, null);
        assertEquals(200, artifacts.status());
        assertTrue(artifacts.body().contains(artifact), artifacts.body());
        Answer envs = call("GET", "/environments", TestEnvironment.OPERATOR_TOKEN, null);
        assertTrue(envs.body().contains(artifact), "last backup per type: " + envs.body());
        Answer runs = call("GET", "/runs?env=prod&project=" + env.project + "&limit=5", TestEnvironment.OPERATOR_TOKEN, null);
        assertTrue(runs.body().contains(runId), runs.body());

        Answer verify = call("POST", "/artifacts/" + artifact + "/verify", TestEnvironment.OPERATOR_TOKEN, null);
        assertEquals(200, verify.status(), verify.body());
        assertEquals(true, verify.json().get("ok"));
        Answer pin = call("POST", "/artifacts/" + artifact + "/pin", TestEnvironment.OPERATOR_TOKEN, null);
        assertEquals(Map.of("artifact_id", artifact, "pinned", true), pin.json());
        assertEquals(false, call("POST", "/artifacts/" + artifact + "/unpin", TestEnvironment.OPERATOR_TOKEN, null).json().get("pinned"));

        // a restore of that artifact through the same API (production: confirm given)
        Answer r = call("POST", "/restores", TestEnvironment.OPERATOR_TOKEN, "{\"environment\": \"" + env.environmentId()
                + "\", \"artifact_id\": \"" + artifact + "\", \"confirm\": \"" + env.environmentId() + "\", \"mode\": \"force\"}");
        assertEquals(202, r.status(), r.body());
        Map<String, Object> restore = awaitEnd((String) r.json().get("run_id"));
        assertEquals("success", restore.get("status"), restore.toString());
        assertTrue(((List<?>) restore.get("steps_completed")).contains("restore-database"), restore.toString());
    }

    @Test
    void should_refuse_bad_requests_with_the_status_and_field_and_record_no_run() throws Exception {
        long before = runs();
        String id = env.environmentId();
        record Case(String path, String token, String body, int status, String field) {
        }
        List<Case> cases = List.of(
                new Case("/backups", null, "{\"environment\": \"" + id + "\"}", 401, "Authorization"),
                new Case("/backups", "not-a-known-token-at-all", "{\"environment\": \"" + id + "\"}", 401, "Authorization"),
                new Case("/backups", TestEnvironment.AUDITOR_TOKEN, "{\"environment\": \"" + id + "\"}", 403, "user"),
                new Case("/backups", TestEnvironment.OPERATOR_TOKEN, "{\"environment\": \"nowhere\"}", 404, "environment"),
                new Case("/backups", TestEnvironment.OPERATOR_TOKEN, "{\"environment\": \"" + id + "\", \"keep_daily\": -1}", 400, "keep_daily"),
                new Case("/backups", TestEnvironment.OPERATOR_TOKEN, "{\"environment\": \"" + id + "\", \"type\": \"full\", "
                        + "\"type\": \"db_only\"}", 400, "type"),
                new Case("/artifacts/none/pin", TestEnvironment.OPERATOR_TOKEN, "{\"reason\": \"a\", \"reason\": \"b\"}", 400, "reason"),
                new Case("/runs?env=nowhere", TestEnvironment.OPERATOR_TOKEN, null, 404, "env"),
                new Case("/backups", TestEnvironment.OPERATOR_TOKEN, "{\"type\": \"full\"}", 400, "environment"),
                new Case("/backups", TestEnvironment.OPERATOR_TOKEN, "{\"environment\": \"" + id + "\", \"type\": 5}", 400, "type"),
                new Case("/backups", TestEnvironment.OPERATOR_TOKEN, "{\"environment\": \"" + id + "\", \"type\": \"all\"}", 400, "type"),
                new Case("/backups", TestEnvironment.OPERATOR_TOKEN, "{\"environment\": \"" + id + "\", \"colour\": \"red\"}", 400, "colour"),
                new Case("/backups", TestEnvironment.OPERATOR_TOKEN, "{\"environment\": \"" + id + "\", \"keep_daily\": \"x\"}", 400, "keep_daily"),
                new Case("/backups", TestEnvironment.OPERATOR_TOKEN, "not json", 400, "body"),
                new Case("/runs", TestEnvironment.OPERATOR_TOKEN, "{\"environment\": \"" + id + "\"}", 400, "operation"),
                new Case("/runs", TestEnvironment.OPERATOR_TOKEN, "{\"operation\": \"paint\", \"environment\": \"" + id + "\"}", 400, "operation"),
                new Case("/runs", TestEnvironment.OPERATOR_TOKEN, "{\"operation\": \"backup\", \"environment\": \"" + id + "\", \"colour\": 1}", 400, "colour"),
                new Case("/backups", TestEnvironment.OPERATOR_TOKEN, "[1, 2]", 400, "body"),
                new Case("/backups", TestEnvironment.OPERATOR_TOKEN, "{\"environment\": \"" + id + "\", \"label\": \""
                        + "x".repeat(70_000) + "\"}", 413, "body"),
                new Case("/restores", TestEnvironment.OPERATOR_TOKEN, "{\"environment\": \"" + id + "\", \"artifact_id\": \"none\"}",
                        400, "confirm"),
                new Case("/restores", TestEnvironment.OPERATOR_TOKEN, "{\"environment\": \"" + id + "\", \"artifact_id\": \"none\", "
                        + "\"confirm\": \"" + id + "\"}", 404, "artifact_id"),
                new Case("/runs/0b7c6a4e-1d2f-4c1e-9f00-000000000000", TestEnvironment.OPERATOR_TOKEN, null, 404, "run_id"),
                new Case("/runs/nope", TestEnvironment.OPERATOR_TOKEN, null, 400, "id"));
        // curl -d without -H 'Content-Type: application/json' sends a form type: told so, not misread
        HttpResponse<String> form = http.send(HttpRequest.newBuilder(URI.create(env.apiUrl() + "/backups"))
                .header("Authorization", "Bearer " + TestEnvironment.OPERATOR_TOKEN)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("{\"environment\": \"" + id + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, form.statusCode(), form.body());
        assertEquals("Content-Type", Json.readMap(form.body()).get("field"));
        for (Case c : cases) {
            Answer a = call(c.body() == null ? "GET" : "POST", c.path(), c.token(), c.body());
            String where = c.path() + " " + (c.body() == null ? "" : c.body().substring(0, Math.min(80, c.body().length())));
            assertEquals(c.status(), a.status(), where + " -> " + a.body());
            assertEquals(c.field(), a.json().get("field"), where + " -> " + a.body());
            assertNotNull(a.json().get("error"));
            assertFalse(a.body().contains(TestEnvironment.OPERATOR_TOKEN), "a token in an answer: " + a.body());
            // the request's words, not the command line's; no path of the server's configuration
            assertFalse(a.body().contains("keep-daily") || a.body().contains("--"), "an option of the command line: " + a.body());
            assertFalse(a.body().contains(env.configDir.toString()), "a configuration path in an answer: " + a.body());
        }
        assertEquals(before, runs(), "a refused request recorded a run");
    }

    @Test
    void should_return_the_first_run_for_a_repeated_request_id_and_409_while_a_run_is_active() throws Exception {
        String body = "{\"environment\": \"" + env.environmentId() + "\", \"type\": \"db_only\", \"request_id\": \"nightly-42\"}";
        Answer first = call("POST", "/backups", TestEnvironment.OPERATOR_TOKEN, body);
        assertEquals(202, first.status(), first.body());
        Answer again = call("POST", "/backups", TestEnvironment.OPERATOR_TOKEN, body);
        assertEquals(200, again.status(), again.body());
        assertEquals(first.json().get("run_id"), again.json().get("run_id"));
        assertEquals(true, again.json().get("duplicate"));

        // another request while the first is queued or running: refused, naming the active run
        Answer other = call("POST", "/backups", TestEnvironment.OPERATOR_TOKEN, "{\"environment\": \"" + env.environmentId()
                + "\", \"type\": \"db_only\"}");
        if (other.status() == 409) {
            assertTrue(((String) other.json().get("error")).contains((String) first.json().get("run_id")), other.body());
        } else {
            // the first had already finished: the second was accepted
            assertEquals(202, other.status(), other.body());
            awaitEnd((String) other.json().get("run_id"));
        }
        assertEquals("success", awaitEnd((String) first.json().get("run_id")).get("status"));
        Answer after = call("POST", "/backups", TestEnvironment.OPERATOR_TOKEN, body);
        assertEquals(first.json().get("run_id"), after.json().get("run_id"), "the same request id, after the run ended");
        assertEquals("success", after.json().get("status"));
        assertEquals(1, TestEnvironment.ops("select 1 from ops.runs where request_id = 'nightly-42' and environment_id = ?",
                env.environmentId()).size());
    }

    @Test
    void should_serve_an_openapi_document_of_the_api() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(env.apiUrl() + "/openapi.json")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        Map<String, Object> doc = Json.readMap(r.body());
        Map<?, ?> paths = (Map<?, ?>) doc.get("paths");
        for (String p : List.of("/api/v1/backups", "/api/v1/restores", "/api/v1/runs/{id}", "/api/v1/runs",
                "/api/v1/artifacts", "/api/v1/artifacts/{id}/verify", "/api/v1/artifacts/{id}/pin", "/api/v1/environments",
                "/api/v1/schedules", "/api/v1/schedules/{key}/pause", "/api/v1/runs/{id}/accept", "/api/v1/runs/{id}/discard")) {
            assertTrue(paths.containsKey(p), p + " in " + paths.keySet());
        }
        // every documented route answers, and none without a token
        int routes = 0;
        for (Map.Entry<?, ?> p : paths.entrySet()) {
            for (Object method : ((Map<?, ?>) p.getValue()).keySet()) {
                String path = ((String) p.getKey()).replaceFirst("^/api/v1", "").replaceAll("\\{[^}]+}", "x");
                Answer a = call(((String) method).toUpperCase(), path, null, "post".equals(method) ? "{}" : null);
                assertEquals(401, a.status(), method + " " + p.getKey() + " -> " + a.body());
                assertEquals("Authorization", a.json().get("field"));
                routes++;
            }
        }
        assertTrue(routes >= 15, "routes documented: " + routes);
    }

    @Test
    void should_report_health_and_prometheus_metrics_on_the_management_server() throws Exception {
        for (String probe : List.of("/observe/health/live", "/observe/health/ready")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(env.managementUrl() + probe)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), probe + " " + r.body());
            assertTrue(r.body().contains("UP"), probe + " " + r.body());
        }
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(env.managementUrl()
                + "/observe/health/ready?exposureLevel=full")).build(), HttpResponse.BodyHandlers.ofString());
        for (String check : List.of("ops-catalog", "artifact-store", "jms-broker", "scheduler")) {
            assertTrue(ready.body().contains(check), check + " in " + ready.body());
        }
        // a backup, then its time as the metric operators alert on
        Answer a = call("POST", "/backups", TestEnvironment.OPERATOR_TOKEN, "{\"environment\": \"" + env.environmentId()
                + "\", \"type\": \"db_only\"}");
        if (a.status() == 202) awaitEnd((String) a.json().get("run_id"));
        String line = "odoo_ops_last_success_timestamp_seconds{environment=\"" + env.environmentId() + "\",environment_type=\"production\","
                + "project=\"" + env.project + "\",type=\"db_only\"}";
        AtomicReference<String> scraped = new AtomicReference<>("");
        Await.polled(Duration.ofSeconds(60), () -> {
            scraped.set(http.send(HttpRequest.newBuilder(URI.create(env.managementUrl() + "/observe/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            return scraped.get().lines().anyMatch(l -> l.startsWith(line) && !l.endsWith("NaN"));
        });
        String metrics = scraped.get();
        String found = metrics.lines().filter(l -> l.startsWith(line)).findFirst().orElse("none in:\n" + metrics);
        assertFalse(found.endsWith("NaN") || found.startsWith("none"), found);
        assertTrue(metrics.contains("odoo_ops_queue_depth"), metrics);
        assertTrue(metrics.contains("odoo_ops_stored_bytes{environment=\"" + env.environmentId() + "\",environment_type=\"production\","
                + "project=\"" + env.project + "\"}"), metrics);
        // the last successful restore's downtime, per environment (NaN until the first)
        assertTrue(metrics.contains("odoo_ops_restore_downtime_seconds{environment=\"" + env.environmentId()
                + "\",environment_type=\"production\",project=\"" + env.project + "\"}"), metrics);
    }

    @Test
    void should_set_a_legal_hold_with_its_body_and_show_a_runs_warnings_and_restore_fields() throws Exception {
        Answer b = call("POST", "/backups", TestEnvironment.OPERATOR_TOKEN, "{\"environment\": \"" + env.environmentId()
                + "\", \"type\": \"db_only\", \"label\": \"hold\"}");
        assertEquals(202, b.status(), b.body());
        String backupRun = (String) b.json().get("run_id");
        Map<String, Object> backup = awaitEnd(backupRun);
        assertEquals("success", backup.get("status"), backup.toString());
        assertEquals("backup", backup.get("operation"), backup.toString());
        assertTrue(backup.get("warnings") instanceof List<?>, "warnings shown, even when there are none: " + backup);
        String artifact = (String) backup.get("artifact_id");

        // the list names the fields as the single run does (the old names stay as aliases for one release)
        Answer list = call("GET", "/runs?env=" + env.environmentId() + "&limit=50", TestEnvironment.OPERATOR_TOKEN, null);
        List<?> rows = (List<?>) list.json().get("runs");
        Map<?, ?> row = rows.stream().map(r -> (Map<?, ?>) r)
                .filter(r -> backupRun.equals(r.get("run_id"))).findFirst().orElseThrow();
        assertEquals("backup", row.get("operation"), row.toString());
        assertTrue(row.containsKey("error"), row.toString());

        // a legal hold over HTTP with its documented body
        Answer pin = call("POST", "/artifacts/" + artifact + "/pin", TestEnvironment.OPERATOR_TOKEN,
                "{\"reason\": \"court order 12\", \"until\": \"2036-12-31\"}");
        assertEquals(200, pin.status(), pin.body());
        assertEquals(true, pin.json().get("pinned"), pin.body());
        assertEquals("court order 12", pin.json().get("pin_reason"), pin.body());
        assertEquals("2037-01-01T00:00:00Z", pin.json().get("pinned_until"), "to the end of that day: " + pin.body());
        assertEquals(false, call("POST", "/artifacts/" + artifact + "/unpin", TestEnvironment.OPERATOR_TOKEN, null).json().get("pinned"));

        // a restore's mode, the reason for it and its safety backup
        Answer r = call("POST", "/restores", TestEnvironment.OPERATOR_TOKEN, "{\"environment\": \"" + env.environmentId()
                + "\", \"artifact_id\": \"" + artifact + "\", \"type\": \"db_only\", \"confirm\": \"" + env.environmentId()
                + "\", \"mode\": \"force\"}");
        assertEquals(202, r.status(), r.body());
        Map<String, Object> restore = awaitEnd((String) r.json().get("run_id"));
        assertEquals("success", restore.get("status"), restore.toString());
        assertEquals("restore", restore.get("operation"), restore.toString());
        assertEquals("restore", restore.get("mode"), restore.toString());
        assertNotNull(restore.get("mode_reason"), restore.toString());
        assertNotNull(restore.get("pre_restore_backup_id"), restore.toString());
        assertTrue(restore.get("warnings") instanceof List<?>, restore.toString());
    }

    @Test
    void should_answer_an_unknown_path_and_a_wrong_method_in_the_json_error_shape() throws Exception {
        record Case(String method, String url, int status) {
        }
        for (Case c : List.of(new Case("GET", env.apiUrl() + "/nothing-here", 404),
                new Case("GET", env.managementUrl() + "/index.html", 404),
                new Case("GET", env.apiUrl() + "/backups", 405),
                new Case("DELETE", env.apiUrl() + "/runs/x", 405))) {
            HttpResponse<String> a = http.send(HttpRequest.newBuilder(URI.create(c.url()))
                    .header("Authorization", "Bearer " + TestEnvironment.OPERATOR_TOKEN)
                    .method(c.method(), HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(c.status(), a.statusCode(), c + " -> " + a.body());
            assertEquals(List.of("application/json"), a.headers().allValues("content-type"), c.toString());
            Map<String, Object> json = Json.readMap(a.body());
            assertEquals(c.status(), json.get("status"), a.body());
            assertNotNull(json.get("error"), a.body());
        }
    }

    @Test
    void should_never_refuse_a_valid_token_and_limit_unknown_ones_per_forwarded_client() throws Exception {
        String environments = env.apiUrl() + "/environments";
        java.util.function.BiFunction<String, String, HttpResponse<String>> get = (token, client) -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(environments)).header("Authorization", "Bearer " + token)
                        .header("X-Forwarded-For", client).build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        // 50 (the configured limit) unknown tokens from one client behind the trusted proxy (127.0.0.1)
        for (int i = 0; i < 50; i++) assertEquals(401, get.apply("guess-" + i, "203.0.113.7").statusCode());
        HttpResponse<String> limited = get.apply("guess-51", "203.0.113.7");
        assertEquals(429, limited.statusCode(), limited.body());
        long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 61, "Retry-After: " + retryAfter);
        assertEquals("Authorization", Json.readMap(limited.body()).get("field"));
        // a valid token from the same client is never refused by the limit
        HttpResponse<String> valid = get.apply(TestEnvironment.OPERATOR_TOKEN, "203.0.113.7");
        assertEquals(200, valid.statusCode(), valid.body());
        // other clients of the same proxy are not limited by that one
        assertEquals(401, get.apply("guess-x", "203.0.113.8").statusCode());
        assertEquals(401, call("GET", "/environments", "guess-y", null).status(), "the proxy itself is its own client");
    }

    // ---- request_id is an idempotency key (issue 13, A5) ----

    @Test
    void should_answer_30_parallel_posts_of_one_request_id_with_one_run_and_29_duplicates() throws Exception {
        String body = "{\"environment\": \"" + env.environmentId() + "\", \"type\": \"db_only\", \"request_id\": \"burst-1\"}";
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> sent = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            sent.add(http.sendAsync(HttpRequest.newBuilder(URI.create(env.apiUrl() + "/backups")).timeout(Duration.ofSeconds(120))
                    .header("Authorization", "Bearer " + TestEnvironment.OPERATOR_TOKEN).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        int accepted = 0;
        int duplicates = 0;
        java.util.Set<Object> runIds = new java.util.HashSet<>();
        for (java.util.concurrent.CompletableFuture<HttpResponse<String>> f : sent) {
            HttpResponse<String> r = f.get();
            Map<String, Object> json = Json.readMap(r.body());
            if (r.statusCode() == 202) accepted++;
            else if (r.statusCode() == 200 && Boolean.TRUE.equals(json.get("duplicate"))) duplicates++;
            else throw new AssertionError("neither the run nor a duplicate: " + r.statusCode() + " " + r.body());
            runIds.add(json.get("run_id"));
        }
        assertEquals(1, accepted, "one run");
        assertEquals(29, duplicates, "29 duplicates");
        assertEquals(1, runIds.size(), "every answer names the one run: " + runIds);
        assertEquals(1, TestEnvironment.ops("select 1 from ops.runs where environment_id = ? and request_id = 'burst-1'",
                env.environmentId()).size());
        assertEquals("success", awaitEnd((String) runIds.iterator().next()).get("status"));
    }

    @Test
    void should_refuse_a_request_id_used_by_another_operation_or_body_naming_request_id_and_the_earlier_operation() throws Exception {
        String id = env.environmentId();
        String backup = "{\"environment\": \"" + id + "\", \"type\": \"db_only\", \"label\": \"before upgrade\", \"request_id\": \"upgrade-7\"}";
        Answer first = call("POST", "/backups", TestEnvironment.OPERATOR_TOKEN, backup);
        assertEquals(202, first.status(), first.body());
        String runId = (String) first.json().get("run_id");
        assertEquals("success", awaitEnd(runId).get("status"));
        String artifact = (String) TestEnvironment.ops("select metadata->>'artifact_id' as a from ops.runs where run_id = ?::uuid",
                runId).get(0).get("a");
        long runsBefore = TestEnvironment.ops("select 1 from ops.runs where environment_id = ?", id).size();

        // the backup's id on a restore (a valid one: a db_only restore of that db_only artifact): refused, naming the
        // field and the earlier backup; nothing restored
        Answer restore = call("POST", "/restores", TestEnvironment.OPERATOR_TOKEN, "{\"environment\": \"" + id + "\", \"artifact_id\": \"" + artifact
                + "\", \"type\": \"db_only\", \"confirm\": \"" + id + "\", \"request_id\": \"upgrade-7\"}");
        assertEquals(409, restore.status(), restore.body());
        Map<String, Object> refusal = restore.json();
        assertEquals("request_id", refusal.get("field"), restore.body());
        assertTrue(((String) refusal.get("error")).contains("backup run " + runId), restore.body());

        // the same id with another body (a new label, a new type): refused the same way
        for (String other : List.of(backup.replace("before upgrade", "after upgrade"), backup.replace("db_only", "full"))) {
            Answer r = call("POST", "/backups", TestEnvironment.OPERATOR_TOKEN, other);
            assertEquals(409, r.status(), other + " -> " + r.body());
            assertEquals("request_id", r.json().get("field"), r.body());
        }

        // the same request again, written differently (keys in another order, project and environment apart): the first run
        String same = "{\"request_id\": \"upgrade-7\", \"label\": \"before upgrade\", \"type\": \"db_only\", \"environment\": \"prod\", "
                + "\"project\": \"" + env.project + "\"}";
        Answer again = call("POST", "/backups", TestEnvironment.OPERATOR_TOKEN, same);
        assertEquals(200, again.status(), again.body());
        assertEquals(runId, again.json().get("run_id"));
        assertEquals(true, again.json().get("duplicate"));
        assertEquals(runsBefore, TestEnvironment.ops("select 1 from ops.runs where environment_id = ?", id).size(),
                "a refused or repeated request recorded a run");
    }
}
