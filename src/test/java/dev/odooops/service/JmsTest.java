package dev.odooops.service;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Json;
import dev.odooops.support.Await;
import dev.odooops.support.TestEnvironment;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JMS channel against the embedded Artemis broker of `serve`, with a plain JMS client: request/reply with
 * JMSReplyTo and JMSCorrelationID, malformed messages to the dead-letter queue with the reason, and a process
 * killed between receiving a message and recording it: the message is redelivered after the restart and runs once.
 */
class JmsTest {
    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static TestEnvironment withJms(TestEnvironment env, int port) throws Exception {
        return env.withProperty("jms.enabled", "true").withProperty("jms.embedded-port", String.valueOf(port))
                .withServicePorts();
    }

    /** Sends {@code body} to the request queue and waits for the reply on a temporary queue. */
    private static Map<String, Object> request(Connection c, String body, String correlation) throws Exception {
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        TemporaryQueue replies = s.createTemporaryQueue();
        MessageProducer p = s.createProducer(s.createQueue("odoo-ops.requests"));
        TextMessage m = s.createTextMessage(body);
        m.setJMSReplyTo(replies);
        m.setJMSCorrelationID(correlation);
        p.send(m);
        Message reply = s.createConsumer(replies).receive(60_000);
        assertNotNull(reply, "no reply to " + body);
        assertEquals(correlation, reply.getJMSCorrelationID());
        Map<String, Object> json = Json.readMap(((TextMessage) reply).getText());
        s.close();
        return json;
    }

    private static String status(String runId) throws Exception {
        return (String) TestEnvironment.ops("select status from ops.runs where run_id = ?::uuid", runId).get(0).get("status");
    }

    private static List<Map<String, Object>> runsAfterCrash(TestEnvironment env) throws Exception {
        return TestEnvironment.ops("select run_id::text as run_id, status from ops.runs where request_id = 'jms-after-crash' "
                + "and environment_id = ?", env.environmentId());
    }

    private static void awaitStatus(String runId, String expected) throws Exception {
        Await.polled(Await.DEFAULT, () -> expected.equals(status(runId)));
        assertEquals(expected, status(runId));
    }

    @Test
    void should_answer_a_request_with_the_queued_run_and_send_a_malformed_one_to_the_dead_letter_queue() throws Exception {
        int port = freePort();
        try (TestEnvironment env = withJms(TestEnvironment.create("jms").withType("staging"), port);
             OpsRuntime rt = env.serviceRuntime();
             Connection c = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + port).createConnection("operator",
                     TestEnvironment.OPERATOR_TOKEN)) {
            c.start();
            Map<String, Object> accepted = request(c, "{\"operation\": \"backup\", \"environment\": \"" + env.environmentId()
                    + "\", \"type\": \"db_only\"}", "corr-1");
            assertEquals("queued", accepted.get("status"), accepted.toString());
            String runId = (String) accepted.get("run_id");
            awaitStatus(runId, "success");
            assertEquals("jms", TestEnvironment.ops("select channel from ops.runs where run_id = ?::uuid", runId).get(0).get("channel"));

            long runs = TestEnvironment.ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size();
            Map<String, Object> refused = request(c, "{\"operation\": \"backup\", \"environment\": \"" + env.environmentId()
                    + "\", \"type\": 7}", "corr-2");
            assertEquals("type", refused.get("field"), refused.toString());
            Map<String, Object> garbage = request(c, "this is not json", "corr-3");
            assertEquals("body", garbage.get("field"), garbage.toString());
            assertEquals(runs, TestEnvironment.ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size(),
                    "a refused message recorded a run");

            // a client may browse the dead-letter queue (consume it: only odoo-ops)
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            List<Message> dead = new java.util.ArrayList<>();
            Await.until("both malformed messages in the dead-letter queue", () -> {
                try {
                    dead.clear();
                    java.util.Enumeration<?> e = s.createBrowser(s.createQueue("odoo-ops.requests.dlq")).getEnumeration();
                    while (e.hasMoreElements()) dead.add((Message) e.nextElement());
                    return dead.size() >= 2;
                } catch (jakarta.jms.JMSException x) {
                    return false;
                }
            });
            Message first = dead.get(0);
            Message second = dead.get(1);
            List<String> reasons = List.of(first.getStringProperty(JmsChannel.ERROR_PROPERTY), second.getStringProperty(JmsChannel.ERROR_PROPERTY));
            assertTrue(reasons.stream().anyMatch(r -> r.startsWith("type: ")), reasons.toString());
            assertTrue(reasons.stream().anyMatch(r -> r.startsWith("body: not valid JSON")), reasons.toString());
            assertTrue(List.of(((TextMessage) first).getText(), ((TextMessage) second).getText()).contains("this is not json"));
        }
    }

    @Test
    void should_redeliver_a_message_whose_process_died_before_recording_it_and_run_it_once() throws Exception {
        int port = freePort();
        try (TestEnvironment env = withJms(TestEnvironment.create("jms_restart").withType("staging"), port)) {
            env.withSpawnEnv("ODOO_OPS_CRASH_AT", "jms:received");
            Path err1 = env.root.resolve("serve1.err");
            Process first = env.spawn(env.root.resolve("serve1.out"), err1, "serve");
            Await.serveReady(first, err1);
            try (Connection c = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + port + "?reconnectAttempts=0")
                    .createConnection("operator", TestEnvironment.OPERATOR_TOKEN)) {
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                Queue q = s.createQueue("odoo-ops.requests");
                TextMessage m = s.createTextMessage("{\"operation\": \"backup\", \"environment\": \"" + env.environmentId()
                        + "\", \"type\": \"db_only\", \"request_id\": \"jms-after-crash\"}");
                s.createProducer(q).send(m); // persistent: in the broker's journal once send returns
            } catch (jakarta.jms.JMSException closing) {
                // the broker died with its process right after taking the message
            }
            assertTrue(first.waitFor(60, TimeUnit.SECONDS), "not killed: " + Files.readString(err1));
            assertEquals(137, first.exitValue(), Files.readString(err1));
            assertEquals(0, TestEnvironment.ops("select 1 from ops.runs where request_id = 'jms-after-crash' and environment_id = ?",
                    env.environmentId()).size(), "nothing recorded before the crash");

            env.withSpawnEnv("ODOO_OPS_CRASH_AT", "");
            Path err2 = env.root.resolve("serve2.err");
            Process second = env.spawn(env.root.resolve("serve2.out"), err2, "serve");
            try {
                Await.serveReady(second, err2);
                Await.polled(Await.DEFAULT, () -> runsAfterCrash(env).stream().anyMatch(r -> "success".equals(r.get("status"))));
                List<Map<String, Object>> runs = runsAfterCrash(env);
                assertEquals(1, runs.size(), "exactly one run: " + runs + "\n" + Files.readString(err2));
                assertEquals("success", runs.get(0).get("status"), Files.readString(err2));
            } finally {
                second.destroy();
                assertTrue(second.waitFor(60, TimeUnit.SECONDS));
            }
        }
    }

}
