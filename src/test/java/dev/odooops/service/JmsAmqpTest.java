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
 * The embedded broker's AMQP 1.0 acceptor ({@code jms.embedded-amqp-port}) with a real non-Java client (Debian's
 * python3-qpid-proton): the same users as the core acceptor, the broker's JMSXUserID stamp, and the reply on the
 * client's {@code queue://} reply-to.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JmsAmqpTest {
    private static final String PYTHON = "/usr/bin/python3"; // Debian's, with python3-qpid-proton (.ci/run installs it)

    private TestEnvironment env;
    private OpsRuntime runtime;
    private int amqpPort;

    @BeforeAll
    void setUp() throws Exception {
        int corePort;
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
            corePort = a.getLocalPort();
            amqpPort = b.getLocalPort();
        }
        env = TestEnvironment.create("jms_amqp").withType("staging");
        env.withProperty("jms.enabled", "true").withProperty("jms.embedded-port", String.valueOf(corePort))
                .withProperty("jms.embedded-amqp-port", String.valueOf(amqpPort));
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

    private Map<String, Object> amqp(String user, String password, String body) throws Exception {
        Path script = Path.of("src/test/resources/amqp/request.py").toAbsolutePath();
        Process p = new ProcessBuilder(List.of(PYTHON, script.toString(), String.valueOf(amqpPort), user, password, body))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the python client did not end");
        } finally {
            p.destroyForcibly();
        }
        assertEquals(0, p.exitValue(), "python3 AMQP client failed (is python3-qpid-proton installed?): " + out);
        return Json.readMap(out.lines().reduce((a, b) -> b).orElseThrow(() -> new IOException("no output")));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> replyBody(Map<String, Object> result) {
        assertEquals(Boolean.TRUE, result.get("connected"), result.toString());
        Map<String, Object> reply = (Map<String, Object>) result.get("reply");
        assertNotNull(reply, "no reply over AMQP: " + result);
        assertEquals("python-amqp-1", reply.get("correlation_id"), "the reply carries the request's correlation id: " + reply);
        return Json.readMap((String) reply.get("body"));
    }

    private String backup(String extra) {
        return "{\"operation\": \"backup\", \"environment\": \"" + env.environmentId() + "\", \"type\": \"db_only\"" + extra + "}";
    }

    @Test
    void should_refuse_an_anonymous_amqp_connection_and_a_wrong_password() throws Exception {
        long before = runs();
        Map<String, Object> anonymous = amqp("", "", backup(""));
        assertEquals(Boolean.FALSE, anonymous.get("connected"), anonymous.toString());
        Map<String, Object> wrong = amqp("operator", "not-the-operator-token-at-all", backup(""));
        assertEquals(Boolean.FALSE, wrong.get("connected"), wrong.toString());
        assertEquals(before, runs(), "a refused connection started a run");
    }

    @Test
    void should_refuse_impersonation_and_run_a_request_as_its_amqp_user_with_the_reply_on_its_queue() throws Exception {
        long before = runs();
        Map<String, Object> refused = replyBody(amqp("auditor", TestEnvironment.AUDITOR_TOKEN, backup(", \"user\": \"operator\"")));
        assertEquals("user", refused.get("field"), refused.toString());
        assertTrue(((String) refused.get("error")).contains("runs as 'auditor'"), refused.toString());
        assertEquals(before, runs(), "an impersonating AMQP message started a run");

        Map<String, Object> accepted = replyBody(amqp("operator", TestEnvironment.OPERATOR_TOKEN, backup("")));
        assertEquals("queued", accepted.get("status"), accepted.toString());
        assertEquals("operator", TestEnvironment.ops("select created_by from ops.runs where run_id = ?::uuid",
                accepted.get("run_id")).get(0).get("created_by"));
    }
}
