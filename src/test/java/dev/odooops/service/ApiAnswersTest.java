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
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The answers of the HTTP API match the schemas its OpenAPI document states: a real `serve` runtime (a backup made
 * through it, a schedule, the real catalog and store) is called on every read operation, and each answer's body is
 * validated against the schema the served document gives for that operation and status: required fields present,
 * types and formats right, null only where the schema says nullable, and no field the schema does not name (unless
 * it allows more). A field added, renamed or retyped in an answer without its schema fails here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiAnswersTest {
    private TestEnvironment env;
    private OdooStandIn odoo;
    private OpsRuntime runtime;
    private Map<String, Object> doc;
    private final HttpClient http = HttpClient.newHttpClient();
    private final TreeSet<String> validated = new TreeSet<>();
    private String runId;
    private String artifactId;

    @BeforeAll
    void setUp() throws Exception {
        env = TestEnvironment.create("answers");
        odoo = new OdooStandIn(env.root.resolve("odoo.log"));
        env.withOdoo(odoo).withLocalStore().withSchedules("- {name: nightly, cron: \"0 0 3 * * ?\", time_zone: UTC, type: db_only}");
        runtime = env.serviceRuntime();
        doc = Json.readMap(call("GET", "/openapi.json", null).body());
        HttpResponse<String> queued = call("POST", "/backups", "{\"environment\": \"" + env.environmentId() + "\", \"label\": \"answers\"}");
        assertEquals(202, queued.statusCode(), queued.body());
        runId = (String) Json.readMap(queued.body()).get("run_id");
        Await.until("the backup to end", () -> !List.of("queued", "running").contains(runStatus()));
        Map<String, Object> run = Json.readMap(get("/runs/" + runId).body());
        assertEquals("success", run.get("status"), run.toString());
        artifactId = (String) run.get("artifact_id");
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        if (odoo != null) odoo.close();
        if (env != null) env.close();
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(env.apiUrl() + path)).timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + TestEnvironment.OPERATOR_TOKEN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Object runStatus() {
        try {
            return Json.readMap(get("/runs/" + runId).body()).get("status");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return call("GET", path, null);
    }

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void should_answer_every_read_operation_as_its_documented_schema() throws Exception {
        String env = q(this.env.environmentId());
        String key = this.env.project + ".prod.nightly";
        check("GET", "/api/v1/runs", "/runs?env=" + env + "&limit=1", null, 200);
        check("GET", "/api/v1/runs", "/runs?env=" + env, null, 200);
        check("GET", "/api/v1/runs/{id}", "/runs/" + runId, null, 200);
        check("GET", "/api/v1/artifacts", "/artifacts?env=" + env + "&all=true", null, 200);
        check("GET", "/api/v1/schedules", "/schedules", null, 200);
        check("GET", "/api/v1/environments", "/environments", null, 200);
        check("GET", "/api/v1/projects/{project}/drift", "/projects/" + this.env.project + "/drift", null, 200);
        check("GET", "/api/v1/pr-environments", "/pr-environments", null, 200);
        check("POST", "/api/v1/artifacts/{id}/verify", "/artifacts/" + artifactId + "/verify", null, 200);
        check("POST", "/api/v1/artifacts/{id}/pin", "/artifacts/" + artifactId + "/pin",
                "{\"reason\": \"schema\", \"until\": \"2099-12-31\"}", 200);
        check("GET", "/api/v1/artifacts", "/artifacts?env=" + env, null, 200); // with the hold's fields
        check("POST", "/api/v1/artifacts/{id}/unpin", "/artifacts/" + artifactId + "/unpin", null, 200);
        check("POST", "/api/v1/schedules/{key}/pause", "/schedules/" + key + "/pause", null, 200);
        check("POST", "/api/v1/schedules/{key}/resume", "/schedules/" + key + "/resume", null, 200);
        // refusals answer the error schema
        check("GET", "/api/v1/runs", "/runs?env=" + env + "&cursor=nope", null, 400);
        check("GET", "/api/v1/runs/{id}", "/runs/" + UUID.randomUUID(), null, 404);
        check("POST", "/api/v1/schedules/{key}/pause", "/schedules/no.such.key/pause", null, 404);
        assertTrue(validated.size() >= 12, validated.toString());
    }

    @Test
    void should_answer_a_neutralisation_check_as_its_documented_schema() throws Exception {
        HttpResponse<String> r = get("/environments/" + q(env.environmentId()) + "/neutralization");
        check("GET", "/api/v1/environments/{env}/neutralization", r, r.statusCode() == 200 ? 200 : r.statusCode());
    }

    // ---- a small validator of a JSON value against an OpenAPI 3.0 schema (the subset the document uses) -----------

    private void check(String method, String template, String path, String body, int status) throws Exception {
        HttpResponse<String> r = call(method, path.startsWith("/") ? path : "/" + path, body);
        assertEquals(status, r.statusCode(), method + " " + path + ": " + r.body());
        check(method, template, r, status);
    }

    @SuppressWarnings("unchecked")
    private void check(String method, String template, HttpResponse<String> r, int status) {
        Map<String, Object> paths = (Map<String, Object>) doc.get("paths");
        Map<String, Object> op = (Map<String, Object>) ((Map<String, Object>) paths.get(template)).get(method.toLowerCase());
        assertNotNull(op, method + " " + template);
        Map<String, Object> response = (Map<String, Object>) ((Map<String, Object>) op.get("responses")).get(String.valueOf(status));
        assertNotNull(response, method + " " + template + " documents no " + status);
        Map<String, Object> content = (Map<String, Object>) response.get("content");
        assertNotNull(content, method + " " + template + " " + status + " states no schema: " + response);
        Map<String, Object> schema = (Map<String, Object>) ((Map<String, Object>) content.get("application/json")).get("schema");
        Object value;
        try {
            value = Json.MAPPER.readValue(r.body(), Object.class);
        } catch (Exception e) {
            throw new AssertionError(method + " " + template + ": not JSON: " + r.body(), e);
        }
        List<String> problems = new ArrayList<>();
        validate(value, schema, "$", problems);
        assertEquals(List.of(), problems, method + " " + template + " " + status + " answered " + r.body());
        validated.add(method + " " + template + " " + status);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> resolve(Map<String, Object> schema) {
        Object ref = schema.get("$ref");
        if (ref == null) return schema;
        String name = ((String) ref).substring("#/components/schemas/".length());
        Map<String, Object> found = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) doc.get("components"))
                .get("schemas")).get(name);
        assertNotNull(found, "no schema " + ref);
        return found;
    }

    @SuppressWarnings("unchecked")
    private void validate(Object value, Map<String, Object> given, String where, List<String> problems) {
        Map<String, Object> schema = resolve(given);
        if (value == null) {
            if (!Boolean.TRUE.equals(schema.get("nullable")) && !Boolean.TRUE.equals(given.get("nullable"))) {
                problems.add(where + ": null, but the schema is not nullable");
            }
            return;
        }
        for (String any : List.of("anyOf", "oneOf")) {
            if (schema.get(any) instanceof List<?> branches) {
                boolean one = false;
                for (Object b : branches) {
                    List<String> p = new ArrayList<>();
                    validate(value, (Map<String, Object>) b, where, p);
                    one |= p.isEmpty();
                }
                if (!one) problems.add(where + ": matches none of " + any + " " + branches);
                return;
            }
        }
        String type = (String) schema.get("type");
        if (type == null) return; // any value
        switch (type) {
            case "object" -> {
                if (!(value instanceof Map<?, ?> map)) {
                    problems.add(where + ": expected an object, got " + value);
                    return;
                }
                Map<String, Object> properties = (Map<String, Object>) schema.getOrDefault("properties", Map.of());
                for (Object req : (List<Object>) schema.getOrDefault("required", List.of())) {
                    if (!map.containsKey(req)) problems.add(where + ": required field " + req + " is missing");
                }
                Object more = schema.get("additionalProperties");
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    String at = where + "." + e.getKey();
                    Object property = properties.get(e.getKey());
                    if (property != null) validate(e.getValue(), (Map<String, Object>) property, at, problems);
                    else if (more instanceof Map<?, ?> m && !m.isEmpty()) validate(e.getValue(), (Map<String, Object>) m, at, problems);
                    else if (!Boolean.TRUE.equals(more) && !(more instanceof Map<?, ?>) && !properties.isEmpty()) {
                        problems.add(at + ": a field the schema does not name");
                    }
                }
            }
            case "array" -> {
                if (!(value instanceof List<?> list)) {
                    problems.add(where + ": expected an array, got " + value);
                    return;
                }
                Map<String, Object> items = (Map<String, Object>) schema.get("items");
                for (int i = 0; i < list.size(); i++) if (items != null) validate(list.get(i), items, where + "[" + i + "]", problems);
            }
            case "string" -> {
                if (!(value instanceof String s)) {
                    problems.add(where + ": expected a string, got " + value);
                    return;
                }
                String format = (String) schema.get("format");
                try {
                    if ("uuid".equals(format)) UUID.fromString(s);
                    if ("date-time".equals(format)) OffsetDateTime.parse(s);
                } catch (RuntimeException e) {
                    problems.add(where + ": '" + s + "' is not a " + format);
                }
                if (schema.get("enum") instanceof List<?> allowed && !allowed.contains(s)) problems.add(where + ": " + s + " not in " + allowed);
            }
            case "integer" -> {
                if (!(value instanceof Integer || value instanceof Long || value instanceof java.math.BigInteger)) {
                    problems.add(where + ": expected an integer, got " + value);
                }
            }
            case "number" -> {
                if (!(value instanceof Number)) problems.add(where + ": expected a number, got " + value);
            }
            case "boolean" -> {
                if (!(value instanceof Boolean)) problems.add(where + ": expected a boolean, got " + value);
            }
            default -> problems.add(where + ": unknown schema type " + type);
        }
    }
}
