package dev.odooops.service;

import dev.odooops.support.Await;
import dev.odooops.support.TestEnvironment;
import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.config.impl.SecurityConfiguration;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.activemq.artemis.spi.core.security.ActiveMQJAASSecurityManager;
import org.apache.activemq.artemis.spi.core.security.jaas.InVMLoginModule;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two `serve` JVMs on one external broker (an Artemis broker of the test, as an operator's would be): both consume
 * the request queue, and each message is handled by exactly one of them.
 */
class JmsTwoInstancesTest {
    @Test
    void should_share_the_request_queue_and_handle_each_message_once() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        // an operator's broker: it authenticates its clients and stamps each message with its sender (JMSXUserID)
        SecurityConfiguration accounts = new SecurityConfiguration();
        accounts.addUser("odoo-ops", "serve-password-of-the-test");
        accounts.addRole("odoo-ops", "all");
        accounts.addUser("operator", TestEnvironment.OPERATOR_TOKEN);
        accounts.addRole("operator", "all");
        EmbeddedActiveMQ broker = new EmbeddedActiveMQ();
        broker.setConfiguration(new ConfigurationImpl().setPersistenceEnabled(false).setSecurityEnabled(true)
                .setPopulateValidatedUser(true)
                .putSecurityRoles("#", Set.of(new Role("all", true, true, true, true, true, true, false, true, true, true, false, false)))
                .addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + port));
        broker.setSecurityManager(new ActiveMQJAASSecurityManager(InVMLoginModule.class.getName(), accounts));
        broker.start();
        List<Process> serves = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        try (TestEnvironment env = TestEnvironment.create("jms_two").withType("staging")) {
            env.withProperty("jms.enabled", "true").withProperty("jms.broker-url", "tcp://127.0.0.1:" + port)
                    .withProperty("jms.user", "odoo-ops").withSpawnEnv("ODOO_OPS_JMS_PASSWORD", "serve-password-of-the-test");
            try {
                for (int i = 0; i < 2; i++) {
                    env.withServicePorts();
                    Path err = env.root.resolve("serve" + i + ".err");
                    logs.add(err);
                    Process p = env.spawn(env.root.resolve("serve" + i + ".out"), err, "serve");
                    serves.add(p);
                    Await.serveReady(p, err);
                }
                // requests both instances refuse at once (an unknown environment): nothing else to wait for
                int n = 40;
                try (Connection c = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + port).createConnection("operator",
                        TestEnvironment.OPERATOR_TOKEN)) {
                    Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                    MessageProducer p = s.createProducer(s.createQueue("odoo-ops.requests"));
                    for (int i = 0; i < n; i++) {
                        TextMessage m = s.createTextMessage("{\"operation\": \"backup\", \"environment\": \"nowhere-" + i + "\"}");
                        p.send(m);
                    }
                }
                Pattern handled = Pattern.compile("jms: message (\\S+) refused: environment: no project has an environment 'nowhere-(\\d+)'");
                Await.until("all " + n + " messages handled", () -> count(logs, handled).values().stream().mapToInt(List::size).sum() >= n);
                Map<Path, List<String>> byInstance = count(logs, handled);
                Map<String, Integer> times = new HashMap<>();
                byInstance.values().forEach(ids -> ids.forEach(id -> times.merge(id, 1, Integer::sum)));
                assertEquals(n, times.size(), "every message handled: " + times.keySet());
                times.forEach((id, k) -> assertEquals(1, k, "request nowhere-" + id + " handled by both instances"));
                for (Path log : logs) {
                    assertTrue(!byInstance.get(log).isEmpty(), "an instance consumed nothing: " + byInstance);
                }
            } finally {
                for (Process p : serves) p.destroy();
                for (Process p : serves) p.waitFor(60, TimeUnit.SECONDS);
            }
        } finally {
            broker.stop();
        }
    }

    /** Per log, the requests (by their environment number) it refused. */
    private static Map<Path, List<String>> count(List<Path> logs, Pattern handled) {
        Map<Path, List<String>> out = new HashMap<>();
        for (Path log : logs) {
            List<String> ids = new ArrayList<>();
            try {
                Matcher m = handled.matcher(Files.readString(log));
                while (m.find()) ids.add(m.group(2));
            } catch (java.io.IOException e) {
                // not written yet
            }
            out.put(log, ids);
        }
        return out;
    }
}
