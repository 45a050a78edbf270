package dev.odooops.service;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Json;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded broker's STOMP acceptor ({@code jms.embedded-stomp-port}) with a real non-Java client (Debian's
 * python3-stomp, run by {@code /usr/bin/python3}): the same users and security as the core acceptor, the broker's
 * JMSXUserID stamp on STOMP messages too, and the reply delivered to the client's reply-to destination.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JmsStompTest {
    private static final String PYTHON = "/usr/bin/python3"; // Debian's, with python3-stomp (.ci/run installs it)

    private TestEnvironment env;
    private OpsRuntime runtime;
    private int stompPort;
    private int corePort;

    @BeforeAll
    void setUp() throws Exception {
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
            corePort = a.getLocalPort();
            stompPort = b.getLocalPort();
        }
        env = TestEnvironment.create("jms_stomp").withType("staging");
        env.withProperty("jms.enabled", "true").withProperty("jms.embedded-port", String.valueOf(corePort))
                .withProperty("jms.embedded-stomp-port", String.valueOf(stompPort));
        runtime = env.serviceRuntime();
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        if (env != null) env.close();
    }

    private long runs() throws Exception {
        return TestEnvironment.ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size();
    }

    /** Runs the python client: what it saw (connected or not, the reply's headers and body). */
    @SuppressWarnings("unchecked")
    private Map<String, Object> stomp(String user, String password, String body) throws Exception {
        return stomp(user, password, body, "plain");
    }

    /** @param style {@code plain} (bare names) or {@code queue} (/queue/ destinations and a /queue/ reply-to) */
    @SuppressWarnings("unchecked")
    private Map<String, Object> stomp(String user, String password, String body, String style) throws Exception {
        Path script = Path.of("src/test/resources/stomp/request.py").toAbsolutePath();
        Process p = new ProcessBuilder(List.of(PYTHON, script.toString(), String.valueOf(stompPort), user, password, body, style))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the python client did not end");
        } finally {
            p.destroyForcibly();
        }
        assertEquals(0, p.exitValue(), "python3 stomp client failed (is python3-stomp installed?): " + out);
        String last = out.lines().reduce((a, b) -> b).orElseThrow(() -> new IOException("no output"));
        return Json.readMap(last);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> replyBody(Map<String, Object> result) {
        assertEquals(Boolean.TRUE, result.get("connected"), result.toString());
        Map<String, Object> reply = (Map<String, Object>) result.get("reply");
        assertNotNull(reply, "no reply over STOMP: " + result);
        Map<String, Object> headers = (Map<String, Object>) reply.get("headers");
        assertEquals("python-1", headers.get("correlation-id"), "the reply carries the request's correlation id: " + headers);
        return Json.readMap((String) reply.get("body"));
    }

    @Test
    void should_refuse_an_anonymous_stomp_connection_and_a_wrong_password() throws Exception {
        long before = runs();
        String backup = "{\"operation\": \"backup\", \"environment\": \"" + env.environmentId() + "\", \"type\": \"db_only\"}";
        Map<String, Object> anonymous = stomp("", "", backup);
        assertEquals(Boolean.FALSE, anonymous.get("connected"), anonymous.toString());
        Map<String, Object> wrong = stomp("operator", "not-the-operator-token-at-all", backup);
        assertEquals(Boolean.FALSE, wrong.get("connected"), wrong.toString());
        assertEquals(before, runs(), "a refused connection started a run");
    }

    @Test
    void should_refuse_a_stomp_message_naming_another_user_with_a_reply_naming_the_field() throws Exception {
        long before = runs();
        Map<String, Object> reply = replyBody(stomp("auditor", TestEnvironment.AUDITOR_TOKEN, "{\"operation\": \"backup\", "
                + "\"environment\": \"" + env.environmentId() + "\", \"type\": \"db_only\", \"user\": \"operator\"}"));
        assertEquals("user", reply.get("field"), reply.toString());
        assertTrue(((String) reply.get("error")).contains("runs as 'auditor'"), reply.toString());
        assertEquals(before, runs(), "an impersonating STOMP message started a run");
    }

    @Test
    void should_run_an_authenticated_stomp_request_as_its_connection_user_and_reply_over_stomp() throws Exception {
        // the client also sets a JMSXUserID header of its own ("operator"): the broker's stamp replaces it
        Map<String, Object> refused = replyBody(stomp("auditor", TestEnvironment.AUDITOR_TOKEN, "{\"operation\": \"restore\", "
                + "\"environment\": \"" + env.environmentId() + "\", \"artifact_id\": \"x\"}"));
        assertEquals("user", refused.get("field"), refused.toString());
        assertEquals("user: 'auditor' has no restore permission on project '" + env.project + "'", refused.get("error"));

        // the client names its queues /queue/x: the request goes to the queue, the reply to its reply queue
        Map<String, Object> accepted = replyBody(stomp("operator", TestEnvironment.OPERATOR_TOKEN, "{\"operation\": \"backup\", "
                + "\"environment\": \"" + env.environmentId() + "\", \"type\": \"db_only\"}", "queue"));
        assertEquals("queued", accepted.get("status"), accepted.toString());
        Map<String, Object> run = TestEnvironment.ops("select created_by, request_id from ops.runs where run_id = ?::uuid",
                accepted.get("run_id")).get(0);
        assertEquals("operator", run.get("created_by"));
        // a STOMP message has no JMSMessageID: the broker's id of the stored message keys a redelivery instead
        assertTrue(String.valueOf(run.get("request_id")).startsWith("jms:core-"), run.toString());
    }

    @Test
    void should_answer_a_stomp_request_on_its_plain_reply_to_queue() throws Exception {
        long before = runs();
        Map<String, Object> refused = replyBody(stomp("auditor", TestEnvironment.AUDITOR_TOKEN, "{\"operation\": \"backup\", "
                + "\"environment\": \"" + env.environmentId() + "\", \"type\": \"db_only\", \"user\": \"operator\"}", "queue"));
        assertEquals("user", refused.get("field"), refused.toString());
        assertTrue(((String) refused.get("error")).contains("runs as 'auditor'"), refused.toString());
        assertEquals(before, runs(), "an impersonating STOMP message started a run");
    }

    @Test
    void should_put_an_unreadable_stomp_message_in_the_dead_letter_queue_with_the_reason_once() throws Exception {
        long before = runs();
        Map<String, Object> reply = replyBody(stomp("operator", TestEnvironment.OPERATOR_TOKEN, "this is not json {", "queue"));
        assertNotNull(reply.get("error"), reply.toString());
        assertEquals("body", reply.get("field"), reply.toString());
        Thread.sleep(1500); // a redelivery (none expected) would come after the broker's 1 s delay
        List<jakarta.jms.Message> dead = dead("this is not json {");
        assertEquals(1, dead.size(), "the poison message is in the dead-letter queue once, not redelivered");
        assertTrue(dead.get(0).getStringProperty(JmsChannel.ERROR_PROPERTY).startsWith("body: not valid JSON"),
                dead.get(0).getStringProperty(JmsChannel.ERROR_PROPERTY));
        assertEquals(before, runs(), "an unreadable message started a run");
    }

    @Test
    void should_put_a_request_whose_reply_cannot_be_delivered_in_the_dead_letter_queue_with_the_reason() throws Exception {
        String body = "not json, replied to the request queue " + java.util.UUID.randomUUID();
        Map<String, Object> result = stomp("operator", TestEnvironment.OPERATOR_TOKEN, body, "loop");
        assertEquals(Boolean.TRUE, result.get("connected"), result.toString());
        List<String> reasons = new java.util.ArrayList<>();
        dev.odooops.support.Await.until("the request in the dead-letter queue with the reply's reason", java.time.Duration.ofSeconds(20), () -> {
            reasons.clear();
            for (jakarta.jms.Message m : dead(body)) reasons.add(m.getStringProperty(JmsChannel.ERROR_PROPERTY));
            return reasons.stream().anyMatch(r -> r.startsWith("reply: not delivered to "));
        });
        assertTrue(reasons.stream().anyMatch(r -> r.contains("the reply-to is odoo-ops's own queue odoo-ops.requests")), reasons.toString());
        Thread.sleep(1500);
        assertEquals(2, dead(body).size(), "refused once and undeliverable once, never redelivered: " + reasons);
    }

    /** The dead-letter queue's messages with this body, browsed over the core port (as a client may). */
    private List<jakarta.jms.Message> dead(String body) throws Exception {
        var cf = new org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory("tcp://127.0.0.1:" + corePort,
                "operator", TestEnvironment.OPERATOR_TOKEN);
        try (jakarta.jms.Connection c = cf.createConnection()) {
            c.start();
            jakarta.jms.Session s = c.createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE);
            List<jakarta.jms.Message> found = new java.util.ArrayList<>();
            java.util.Enumeration<?> e = s.createBrowser(s.createQueue("odoo-ops.requests.dlq")).getEnumeration();
            while (e.hasMoreElements()) {
                jakarta.jms.Message m = (jakarta.jms.Message) e.nextElement();
                String text = m instanceof jakarta.jms.TextMessage t ? t.getText() : m.getBody(String.class);
                if (body.equals(text)) found.add(m);
            }
            return found;
        }
    }
}
