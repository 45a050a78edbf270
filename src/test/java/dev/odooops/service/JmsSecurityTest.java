package dev.odooops.service;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Json;
import dev.odooops.support.TestEnvironment;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.ServerSocket;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded broker of `serve` authenticates its clients (real Artemis, real JMS client): no anonymous or
 * wrongly signed-in connection, a request runs as its connection's user whatever its body says, and a client
 * cannot take requests off the queue.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JmsSecurityTest {
    private TestEnvironment env;
    private OpsRuntime runtime;
    private String url;

    @BeforeAll
    void setUp() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        env = TestEnvironment.create("jms_security").withType("staging");
        env.withProperty("jms.enabled", "true").withProperty("jms.embedded-port", String.valueOf(port));
        runtime = env.serviceRuntime();
        url = "tcp://127.0.0.1:" + port + "?reconnectAttempts=0";
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        if (env != null) env.close();
    }

    private long runs() throws Exception {
        return TestEnvironment.ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size();
    }

    /** Sends {@code body} as {@code user} and returns the reply. */
    private Map<String, Object> request(String user, String password, String body) throws Exception {
        try (Connection c = new ActiveMQConnectionFactory(url).createConnection(user, password)) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            TemporaryQueue replies = s.createTemporaryQueue();
            MessageProducer p = s.createProducer(s.createQueue("odoo-ops.requests"));
            TextMessage m = s.createTextMessage(body);
            m.setJMSReplyTo(replies);
            m.setStringProperty("JMSXUserID", "operator"); // a client's own claim: the broker's stamp replaces it
            p.send(m);
            Message reply = s.createConsumer(replies).receive(60_000);
            assertNotNull(reply, "no reply to " + body);
            return Json.readMap(((TextMessage) reply).getText());
        }
    }

    @Test
    void should_refuse_an_anonymous_connection_and_a_wrong_password() {
        assertThrows(JMSSecurityException.class, () -> new ActiveMQConnectionFactory(url).createConnection().close());
        assertThrows(JMSSecurityException.class, () -> new ActiveMQConnectionFactory(url)
                .createConnection("operator", "not-the-operator-token-at-all").close());
        assertThrows(JMSSecurityException.class, () -> new ActiveMQConnectionFactory(url)
                .createConnection("scheduler", "").close(), "a user without a JMS password or token cannot sign in");
    }

    @Test
    void should_refuse_a_message_that_names_another_user_than_its_connection() throws Exception {
        long before = runs();
        Map<String, Object> reply = request("auditor", TestEnvironment.AUDITOR_TOKEN, "{\"operation\": \"restore\", "
                + "\"environment\": \"" + env.environmentId() + "\", \"artifact_id\": \"x\", \"user\": \"operator\"}");
        assertEquals("user", reply.get("field"), reply.toString());
        assertTrue(((String) reply.get("error")).contains("runs as 'auditor'"), reply.toString());
        assertEquals(before, runs(), "an impersonating message started a run");
    }

    @Test
    void should_run_a_message_as_its_connection_user() throws Exception {
        // no user field: the connection's user (auditor, no restore permission), not the default user operator
        Map<String, Object> reply = request("auditor", TestEnvironment.AUDITOR_TOKEN, "{\"operation\": \"restore\", "
                + "\"environment\": \"" + env.environmentId() + "\", \"artifact_id\": \"x\"}");
        assertEquals("user", reply.get("field"), reply.toString());
        assertEquals("user: 'auditor' has no restore permission on project '" + env.project + "'", reply.get("error"));

        Map<String, Object> accepted = request("operator", TestEnvironment.OPERATOR_TOKEN, "{\"operation\": \"backup\", "
                + "\"environment\": \"" + env.environmentId() + "\", \"type\": \"db_only\", \"user\": \"operator\"}");
        assertEquals("queued", accepted.get("status"), accepted.toString());
        assertEquals("operator", TestEnvironment.ops("select created_by from ops.runs where run_id = ?::uuid",
                accepted.get("run_id")).get(0).get("created_by"));
    }

    @Test
    void should_not_let_a_client_consume_the_request_queue() throws Exception {
        try (Connection c = new ActiveMQConnectionFactory(url).createConnection("operator", TestEnvironment.OPERATOR_TOKEN)) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            assertThrows(JMSException.class, () -> s.createConsumer(s.createQueue("odoo-ops.requests")));
        }
    }
}
