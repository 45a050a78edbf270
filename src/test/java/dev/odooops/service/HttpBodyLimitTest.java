package dev.odooops.service;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Json;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #13 A12: a body far over {@code http.max-body-bytes}, which the web server itself refuses before any route
 * reads it (camel.server.maxBodySize), is answered in the API's JSON error shape like the API's own 413 (real HTTP
 * on a real serve runtime), with a Content-Length and chunked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpBodyLimitTest {
    private TestEnvironment env;
    private OpsRuntime runtime;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    void setUp() throws Exception {
        env = TestEnvironment.create("http_body").withProperty("http.max-body-bytes", "1024");
        runtime = env.serviceRuntime();
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        if (env != null) env.close();
    }

    private HttpResponse<String> post(HttpRequest.BodyPublisher body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(env.apiUrl() + "/backups")).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + TestEnvironment.OPERATOR_TOKEN)
                .header("Content-Type", "application/json").POST(body).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertJson413(HttpResponse<String> r) {
        assertEquals(413, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.headers().toString());
        Map<String, Object> m = Json.readMap(r.body());
        assertEquals("body", m.get("field"), r.body());
        assertEquals(413, ((Number) m.get("status")).intValue(), r.body());
        assertTrue(String.valueOf(m.get("error")).contains("1024 bytes"), r.body());
    }

    @Test
    void should_answer_the_api_s_own_413_in_json_for_a_body_just_over_the_limit() throws Exception {
        String body = "{\"environment\": \"" + env.environmentId() + "\", \"label\": \"" + "x".repeat(2000) + "\"}";
        assertJson413(post(HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void should_answer_the_web_server_s_413_for_a_huge_body_in_the_same_json_shape() throws Exception {
        byte[] huge = ("{\"label\": \"" + "x".repeat(60_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertJson413(post(HttpRequest.BodyPublishers.ofByteArray(huge))); // Content-Length over the server's limit
        assertJson413(post(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(huge)))); // chunked
        assertEquals(0, TestEnvironment.ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size());
    }
}
