package dev.odooops.service;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Json;
import dev.odooops.support.TestEnvironment;
import org.apache.camel.model.Model;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.VerbDefinition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The API contract: the OpenAPI document a real `serve` runtime serves at /api/v1/openapi.json states exactly the
 * operations of the REST routes it runs (read from the CamelContext, nothing listed by hand), each with the bearer
 * security scheme and described responses, and Redocly CLI lints it with 0 errors.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiContractTest {
    private TestEnvironment env;
    private OpsRuntime runtime;
    private Map<String, Object> doc;
    private String body;

    @BeforeAll
    void setUp() throws Exception {
        env = TestEnvironment.create("openapi");
        runtime = env.serviceRuntime();
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(env.apiUrl() + "/openapi.json")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        body = r.body();
        doc = Json.readMap(body);
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        if (env != null) env.close();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Map<String, Map<String, Object>>> paths() {
        return (Map<String, Map<String, Map<String, Object>>>) doc.get("paths");
    }

    @Test
    void should_document_exactly_the_operations_of_the_rest_routes() {
        TreeSet<String> routes = new TreeSet<>();
        for (RestDefinition rest : runtime.camelContext().getCamelContextExtension().getContextPlugin(Model.class).getRestDefinitions()) {
            for (VerbDefinition verb : rest.getVerbs()) {
                routes.add(verb.asVerb().toUpperCase() + " " + (rest.getPath() + verb.getPath()).replaceAll("//+", "/"));
            }
        }
        TreeSet<String> documented = new TreeSet<>();
        paths().forEach((path, ops) -> ops.keySet().forEach(method -> documented.add(method.toUpperCase() + " " + path)));
        assertFalse(routes.isEmpty());
        assertEquals(routes, documented);
    }

    @Test
    @SuppressWarnings("unchecked")
    void should_require_the_bearer_token_and_describe_every_answer_of_every_operation() {
        Map<String, Object> schemes = (Map<String, Object>) ((Map<String, Object>) doc.get("components")).get("securitySchemes");
        Map<String, Object> bearer = (Map<String, Object>) schemes.get("bearerAuth");
        assertNotNull(bearer, "securitySchemes: " + schemes);
        assertEquals("http", bearer.get("type"));
        assertEquals("bearer", bearer.get("scheme"));
        List<Map<String, Object>> servers = (List<Map<String, Object>>) doc.get("servers");
        assertFalse(servers.isEmpty());
        for (Map<String, Object> s : servers) assertFalse(((String) s.get("url")).contains("0.0.0.0"), s.toString());
        paths().forEach((path, ops) -> ops.forEach((method, op) -> {
            String where = method + " " + path;
            Object security = op.getOrDefault("security", doc.get("security"));
            assertEquals(List.of(Map.of("bearerAuth", List.of())), security, where);
            Map<String, Map<String, Object>> responses = (Map<String, Map<String, Object>>) op.get("responses");
            for (String code : List.of("400", "401", "403", "404", "413", "429", "503")) {
                assertTrue(responses.containsKey(code), where + " answers " + code + ": " + responses.keySet());
            }
            assertTrue(responses.containsKey("200") || responses.containsKey("202"), where + ": " + responses.keySet());
            responses.forEach((code, response) -> {
                assertFalse(String.valueOf(response.get("description")).isBlank(), where + " " + code);
                if (code.compareTo("400") >= 0) {
                    assertTrue(String.valueOf(response.get("content")).contains("#/components/schemas/ApiError"), where + " " + code + ": " + response);
                }
            });
        }));
    }

    @Test
    @SuppressWarnings("unchecked")
    void should_state_the_schema_of_every_success_answer() {
        paths().forEach((path, ops) -> ops.forEach((method, op) -> {
            Map<String, Map<String, Object>> responses = (Map<String, Map<String, Object>>) op.get("responses");
            for (String code : List.of("200", "202")) {
                Map<String, Object> response = responses.get(code);
                if (response == null) continue;
                Object schema = response.get("content") instanceof Map<?, ?> content && content.get("application/json") instanceof Map<?, ?> json
                        ? json.get("schema") : null;
                assertNotNull(schema, method + " " + path + " " + code + " states no schema: " + response);
            }
        }));
        // every field typed (a field of type Object leaves swagger's x-className in its schema)
        assertFalse(String.valueOf(doc.get("components")).contains("x-className"), String.valueOf(doc.get("components")));
        // the schemas the application layer's records give: the pages of runs and artifacts
        assertTrue(String.valueOf(paths().get("/api/v1/runs").get("get").get("responses")).contains("#/components/schemas/RunPage"));
        assertTrue(String.valueOf(paths().get("/api/v1/artifacts").get("get").get("responses")).contains("#/components/schemas/ArtifactPage"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void should_state_the_fields_submission_reads_as_the_request_bodies_of_backups_and_restores() {
        Map<String, Object> schemas = (Map<String, Object>) ((Map<String, Object>) doc.get("components")).get("schemas");
        for (Map.Entry<String, String> e : Map.of("/api/v1/backups", "backup", "/api/v1/restores", "restore").entrySet()) {
            Map<String, Object> requestBody = paths().get(e.getKey()).get("post");
            String ref = String.valueOf(((Map<String, Object>) requestBody.get("requestBody")));
            String name = ref.replaceFirst("(?s).*#/components/schemas/([A-Za-z]+).*", "$1");
            Map<String, Object> schema = (Map<String, Object>) schemas.get(name);
            assertNotNull(schema, e.getKey() + ": " + ref);
            TreeSet<String> read = new TreeSet<>(Submission.fields(e.getValue()));
            read.remove("operation"); // implied by the path
            assertEquals(read, new TreeSet<>(((Map<String, Object>) schema.get("properties")).keySet()), e.getKey());
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void should_state_the_common_fields_of_every_queued_operation_as_the_request_body_of_runs() {
        Map<String, Object> schemas = (Map<String, Object>) ((Map<String, Object>) doc.get("components")).get("schemas");
        Map<String, Object> schema = (Map<String, Object>) schemas.get("RunBody");
        assertNotNull(schema, String.valueOf(paths().get("/api/v1/runs").get("post").get("requestBody")));
        TreeSet<String> common = null;
        for (String operation : Submission.operations()) {
            TreeSet<String> fields = new TreeSet<>(Submission.fields(operation));
            if (common == null) common = fields;
            else common.retainAll(fields);
            assertTrue(String.valueOf(schema.get("properties")).contains(operation), operation + " named in " + schema);
        }
        assertEquals(common, new TreeSet<>(((Map<String, Object>) schema.get("properties")).keySet()));
        assertEquals(Boolean.TRUE, schema.get("additionalProperties"), "the operation's own fields: " + schema);
    }

    @Test
    void should_pass_redocly_lint_with_no_error() throws Exception {
        Path file = env.root.resolve("openapi.json");
        Files.writeString(file, body);
        Files.writeString(Path.of("target", "openapi.json"), body); // to read after the test (mvn's working directory)
        // a missing redocly fails here (the process cannot start): .ci/run installs it
        Process p = new ProcessBuilder("redocly", "lint", "--format", "stylish", file.toString())
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("Woohoo! Your API description is valid") || !out.contains(" error "), out);
    }
}
