package dev.odooops.service;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Json;
import dev.odooops.model.BackupResult;
import dev.odooops.support.Await;
import dev.odooops.support.DrillServer;
import dev.odooops.support.FlowFixture;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A drill requested over the inbox (a request file; its result file beside it) and over JMS by a non-Java client
 * (Debian's python3-stomp on the embedded broker's STOMP acceptor; its reply on its own reply queue): the result
 * reaches the requester and the drill passes on the drill server. HTTP is {@link DrillServiceTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DrillChannelsTest {
    private static final String PYTHON = "/usr/bin/python3";

    private TestEnvironment env;
    private OpsRuntime runtime;
    private Path inbox;
    private int stompPort;
    private BackupResult backup;

    @BeforeAll
    void setUp() throws Exception {
        DrillServer.require();
        int corePort;
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
            corePort = a.getLocalPort();
            stompPort = b.getLocalPort();
        }
        env = TestEnvironment.create("drillchan").withOperatorActions("backup, restore, drill")
                .withSecret(DrillServer.SECRET, DrillServer.PASSWORD);
        env.withTopYaml("drills:\n  database: " + DrillServer.databaseYaml() + "\n  work_dir: " + env.root.resolve("drills") + "\n");
        FlowFixture fx = FlowFixture.of(env);
        backup = fx.backup();
        fx.runtime().close(); // the environment stays (closing the fixture would drop it)
        inbox = env.root.resolve("inbox");
        env.withProperty("inbox.dir", inbox.toString()).withProperty("inbox.poll-millis", "200")
                .withProperty("inbox.min-age-millis", "500")
                .withProperty("jms.enabled", "true").withProperty("jms.embedded-port", String.valueOf(corePort))
                .withProperty("jms.embedded-stomp-port", String.valueOf(stompPort));
        runtime = env.serviceRuntime();
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        if (env != null) env.close();
    }

    @Test
    void should_run_a_drill_requested_by_an_inbox_file_and_write_its_result_beside_it() throws Exception {
        Path tmp = inbox.resolve("drill.yaml.tmp");
        Files.createDirectories(inbox);
        Files.writeString(tmp, "operation: drill\nenvironment: " + env.environmentId() + "\nartifact_id: " + backup.artifactId() + "\n");
        Files.move(tmp, inbox.resolve("drill.yaml"), StandardCopyOption.ATOMIC_MOVE);
        Path result = inbox.resolve("done").resolve("drill.yaml.result.json");
        Await.until("the inbox drill to end", () -> {
            try {
                if (!Files.exists(result)) return false;
                Object status = Json.readMap(Files.readString(result)).get("status");
                return !"queued".equals(status) && !"running".equals(status);
            } catch (Exception e) {
                return false;
            }
        });
        Map<String, Object> r = Json.readMap(Files.readString(result));
        assertEquals("success", r.get("status"), r.toString());
        Map<String, Object> row = ops("select d.status, d.artifact_id, r.channel from ops.drills d join ops.runs r using (run_id) "
                + "where d.run_id = ?::uuid", r.get("run_id")).get(0);
        assertEquals("passed", row.get("status"), row.toString());
        assertEquals(backup.artifactId(), row.get("artifact_id"));
        assertEquals("inbox", row.get("channel"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void should_run_a_drill_requested_over_stomp_and_reply_to_the_python_client() throws Exception {
        Path script = Path.of("src/test/resources/stomp/request.py").toAbsolutePath();
        String body = "{\"operation\": \"drill\", \"environment\": \"" + env.environmentId() + "\"}";
        Process p = new ProcessBuilder(List.of(PYTHON, script.toString(), String.valueOf(stompPort), "operator",
                TestEnvironment.OPERATOR_TOKEN, body, "queue")).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the python client did not end");
        } finally {
            p.destroyForcibly();
        }
        assertEquals(0, p.exitValue(), "python3 stomp client failed (is python3-stomp installed?): " + out);
        Map<String, Object> said = Json.readMap(out.lines().reduce((a, b) -> b).orElseThrow());
        assertEquals(Boolean.TRUE, said.get("connected"), said.toString());
        Map<String, Object> reply = (Map<String, Object>) said.get("reply");
        assertNotNull(reply, "no reply over STOMP: " + said);
        assertEquals("python-1", ((Map<String, Object>) reply.get("headers")).get("correlation-id"));
        Map<String, Object> accepted = Json.readMap((String) reply.get("body"));
        assertEquals("queued", accepted.get("status"), accepted.toString());
        String runId = (String) accepted.get("run_id");
        assertNotNull(runId, accepted.toString());
        Await.until("the STOMP drill to end", () -> {
            try {
                Object s = ops("select status from ops.runs where run_id = ?::uuid", runId).get(0).get("status");
                return !"queued".equals(s) && !"running".equals(s);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Map<String, Object> row = ops("select d.status, r.status as run_status, r.channel from ops.drills d join ops.runs r "
                + "using (run_id) where d.run_id = ?::uuid", runId).get(0);
        assertEquals("success", row.get("run_status"), row.toString());
        assertEquals("passed", row.get("status"), row.toString());
        assertEquals("jms", row.get("channel"), row.toString());
    }
}
