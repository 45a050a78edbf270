package dev.odooops.service;

import dev.odooops.support.Await;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code serve --port P}: the HTTP API listens on P, whatever http.port says; a bad port is refused naming it. */
class ServePortTest {
    @Test
    void should_listen_on_the_port_given_on_the_command_line_over_http_port() throws Exception {
        try (TestEnvironment env = TestEnvironment.create("serve_port").withType("staging")) {
            env.withServicePorts(); // http.port: a free port that serve must not take
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Path err = env.root.resolve("serve.err");
            Process serve = env.spawn(env.root.resolve("serve.out"), err, "serve", "--port", String.valueOf(port));
            Await.serveReady(serve, err);
            String line = "http://127.0.0.1:" + port + "/api/v1";
            Await.until("the summary's http line naming " + line, () -> {
                try {
                    return Files.readString(err).contains(line);
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/v1/runs?env=" + env.environmentId()))
                    .header("Authorization", "Bearer " + TestEnvironment.OPERATOR_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            serve.destroy();
            assertTrue(serve.waitFor(60, TimeUnit.SECONDS));

            Path badErr = env.root.resolve("bad.err");
            Process bad = env.spawn(env.root.resolve("bad.out"), badErr, "serve", "--port", "70000");
            assertTrue(bad.waitFor(60, TimeUnit.SECONDS));
            assertEquals(2, bad.exitValue());
            assertTrue(Files.readString(badErr).contains("odoo-ops: rejected: port: must be 0 to 65535, got 70000"),
                    Files.readString(badErr));
        }
    }
}
