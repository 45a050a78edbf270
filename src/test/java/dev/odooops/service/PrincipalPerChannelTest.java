package dev.odooops.service;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Json;
import dev.odooops.support.Await;
import dev.odooops.support.TestEnvironment;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * One serve, three channels, one principal each (the bearer token's user, the JMS connection's user, the inbox's
 * {@code inbox.user}), all auditor, who has no restore permission: each channel refuses the restore with the same
 * field and the same words, and no run is recorded.
 */
class PrincipalPerChannelTest {
    @Test
    void should_refuse_a_restore_without_permission_on_every_channel_with_the_same_error() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (TestEnvironment env = TestEnvironment.create("principals").withType("staging")) {
            Path inbox = env.root.resolve("inbox");
            env.withProperty("jms.enabled", "true").withProperty("jms.embedded-port", String.valueOf(port))
                    .withProperty("inbox.dir", inbox.toString()).withProperty("inbox.user", "auditor")
                    .withProperty("inbox.poll-millis", "200").withProperty("inbox.min-age-millis", "0");
            String expected = "user: 'auditor' has no restore permission on project '" + env.project + "'";
            String restore = "{\"operation\": \"restore\", \"environment\": \"" + env.environmentId() + "\", \"artifact_id\": \"a1\"}";
            try (OpsRuntime rt = env.serviceRuntime()) {
                // HTTP: the bearer token's user
                HttpResponse<String> http = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(env.apiUrl() + "/restores"))
                        .header("Authorization", "Bearer " + TestEnvironment.AUDITOR_TOKEN).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(restore.replace("\"operation\": \"restore\", ", ""))).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(403, http.statusCode(), http.body());
                assertEquals(expected, Json.readMap(http.body()).get("error"));
                assertEquals("user", Json.readMap(http.body()).get("field"));

                // JMS: the connection's user
                try (Connection c = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + port).createConnection("auditor",
                        TestEnvironment.AUDITOR_TOKEN)) {
                    c.start();
                    Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                    TemporaryQueue replies = s.createTemporaryQueue();
                    TextMessage m = s.createTextMessage(restore);
                    m.setJMSReplyTo(replies);
                    s.createProducer(s.createQueue("odoo-ops.requests")).send(m);
                    Message reply = s.createConsumer(replies).receive(60_000);
                    assertNotNull(reply);
                    Map<String, Object> r = Json.readMap(((TextMessage) reply).getText());
                    assertEquals(expected, r.get("error"));
                    assertEquals("user", r.get("field"));
                }

                // the inbox: inbox.user
                Path tmp = inbox.resolve("restore.json.tmp");
                Files.writeString(tmp, restore);
                Files.move(tmp, inbox.resolve("restore.json"), StandardCopyOption.ATOMIC_MOVE);
                Path error = inbox.resolve("error").resolve("restore.json.error.txt");
                Await.until("the inbox file refused", () -> Files.exists(error));
                assertEquals(expected, Files.readString(error).strip());
            }
            assertEquals(0, TestEnvironment.ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size());
        }
    }
}
