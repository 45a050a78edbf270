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
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * auditor (no permission at all) on every channel that takes the operation: backup and restore on the command line,
     * HTTP, JMS and the inbox; pin and verify on the command line and HTTP (the only channels that take them). Each
     * refusal names the field user with the same text, the one of the entry route's authorize node; no run is recorded
     * and the artifact stays unpinned.
     */
    @Test
    void should_refuse_backup_restore_pin_and_verify_without_permission_on_every_channel_with_the_same_error() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (TestEnvironment env = TestEnvironment.create("principals4").withType("staging")) {
            Path inbox = env.root.resolve("inbox");
            env.withProperty("jms.enabled", "true").withProperty("jms.embedded-port", String.valueOf(port))
                    .withProperty("inbox.dir", inbox.toString()).withProperty("inbox.user", "auditor")
                    .withProperty("inbox.poll-millis", "200").withProperty("inbox.min-age-millis", "0");
            TestEnvironment.CliResult made = env.cli("backup", "--env", env.environmentId(), "--type", "db_only");
            assertEquals(0, made.exit(), made.stderr());
            String artifact = (String) Json.readMap(made.stdout()).get("artifact_id");
            int runsBefore = TestEnvironment.ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size();
            Map<String, String> expected = new java.util.LinkedHashMap<>();
            for (String[] op : new String[][]{{"backup", "backup"}, {"restore", "restore"}, {"pin", "backup"}, {"verify", "backup"}}) {
                expected.put(op[0], "user: 'auditor' has no " + op[1] + " permission on project '" + env.project + "'");
            }
            Map<String, String> bodies = Map.of(
                    "backup", "{\"operation\": \"backup\", \"environment\": \"" + env.environmentId() + "\", \"type\": \"db_only\"}",
                    "restore", "{\"operation\": \"restore\", \"environment\": \"" + env.environmentId() + "\", \"artifact_id\": \""
                            + artifact + "\", \"type\": \"db_only\"}");

            // the command line: --user names the principal
            Map<String, String[]> cli = Map.of(
                    "backup", new String[]{"backup", "--env", env.environmentId(), "--user", "auditor"},
                    "restore", new String[]{"restore", "--env", env.environmentId(), "--artifact", artifact, "--type", "db_only",
                            "--user", "auditor"},
                    "pin", new String[]{"pin", artifact, "--reason", "audit", "--user", "auditor"},
                    "verify", new String[]{"verify-artifact", artifact, "--user", "auditor"});
            for (Map.Entry<String, String[]> c : cli.entrySet()) {
                TestEnvironment.CliResult r = env.cli(c.getValue());
                assertEquals(2, r.exit(), c.getKey() + ": " + r.stdout() + r.stderr());
                assertTrue(r.stderr().contains(expected.get(c.getKey())), c.getKey() + ": " + r.stderr());
            }

            try (OpsRuntime rt = env.serviceRuntime()) {
                // HTTP: the bearer token's user
                Map<String, String[]> http = Map.of(
                        "backup", new String[]{"/backups", bodies.get("backup").replace("\"operation\": \"backup\", ", "")},
                        "restore", new String[]{"/restores", bodies.get("restore").replace("\"operation\": \"restore\", ", "")},
                        "pin", new String[]{"/artifacts/" + artifact + "/pin", "{\"reason\": \"audit\"}"},
                        "verify", new String[]{"/artifacts/" + artifact + "/verify", null});
                for (Map.Entry<String, String[]> h : http.entrySet()) {
                    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(env.apiUrl() + h.getValue()[0]))
                            .header("Authorization", "Bearer " + TestEnvironment.AUDITOR_TOKEN).header("Content-Type", "application/json");
                    String body = h.getValue()[1];
                    HttpResponse<String> r = HttpClient.newHttpClient().send(b.POST(body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(403, r.statusCode(), h.getKey() + ": " + r.body());
                    assertEquals(expected.get(h.getKey()), Json.readMap(r.body()).get("error"), h.getKey());
                    assertEquals("user", Json.readMap(r.body()).get("field"), h.getKey());
                }

                // JMS: the connection's user
                try (Connection c = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + port).createConnection("auditor",
                        TestEnvironment.AUDITOR_TOKEN)) {
                    c.start();
                    Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                    for (String op : List.of("backup", "restore")) {
                        TemporaryQueue replies = s.createTemporaryQueue();
                        TextMessage m = s.createTextMessage(bodies.get(op));
                        m.setJMSReplyTo(replies);
                        s.createProducer(s.createQueue("odoo-ops.requests")).send(m);
                        Message reply = s.createConsumer(replies).receive(60_000);
                        assertNotNull(reply, op);
                        Map<String, Object> r = Json.readMap(((TextMessage) reply).getText());
                        assertEquals(expected.get(op), r.get("error"), op);
                        assertEquals("user", r.get("field"), op);
                    }
                }

                // the inbox: inbox.user
                for (String op : List.of("backup", "restore")) {
                    Path tmp = inbox.resolve(op + ".json.tmp");
                    Files.writeString(tmp, bodies.get(op));
                    Files.move(tmp, inbox.resolve(op + ".json"), StandardCopyOption.ATOMIC_MOVE);
                    Path error = inbox.resolve("error").resolve(op + ".json.error.txt");
                    Await.until("the inbox file " + op + ".json refused", () -> Files.exists(error));
                    assertEquals(expected.get(op), Files.readString(error).strip(), op);
                }
            }
            assertEquals(runsBefore, TestEnvironment.ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size());
            assertEquals(false, TestEnvironment.ops("select pinned from ops.artifacts where id = ?", artifact).get(0).get("pinned"));
        }
    }
}
