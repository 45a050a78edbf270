package dev.odooops.service;

import dev.odooops.domain.Json;
import dev.odooops.support.Await;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `odoo-ops serve` (separate JVMs) killed with SIGKILL after it accepted an inbox file (its run recorded) and
 * before it moved the file: after the restart the queued run is picked up, the file is read again and answered
 * with that run, and the request runs exactly once.
 */
class InboxRestartTest {
    @Test
    void should_run_an_inbox_file_accepted_before_a_crash_exactly_once() throws Exception {
        try (TestEnvironment env = TestEnvironment.create("inbox_restart").withType("staging").withServicePorts()) {
            Path inbox = env.root.resolve("inbox");
            env.withProperty("inbox.dir", inbox.toString()).withProperty("inbox.poll-millis", "200");
            env.withSpawnEnv("ODOO_OPS_CRASH_AT", "inbox:accepted");
            // the worker may not start the run before the crash (it once did, and the run died with the process)
            env.withSpawnEnv("ODOO_OPS_HOLD_AT", "service:worker-start");
            Path err1 = env.root.resolve("serve1.err");
            Process first = env.spawn(env.root.resolve("serve1.out"), err1, "serve");
            Await.serveReady(first, err1);
            Path tmp = inbox.resolve("crash.json.tmp");
            Files.writeString(tmp, "{\"operation\": \"backup\", \"environment\": \"" + env.environmentId() + "\", \"type\": \"db_only\"}");
            Files.move(tmp, inbox.resolve("crash.json"), StandardCopyOption.ATOMIC_MOVE);
            assertTrue(first.waitFor(60, TimeUnit.SECONDS), "not killed");
            assertEquals(137, first.exitValue(), Files.readString(err1));
            assertTrue(Files.exists(inbox.resolve("crash.json")), "the file stays where it was");
            List<Map<String, Object>> runs = TestEnvironment.ops("select run_id::text as run_id, status from ops.runs "
                    + "where environment_id = ? and channel = 'inbox'", env.environmentId());
            assertEquals(1, runs.size(), runs.toString());
            assertEquals("queued", runs.get(0).get("status"));

            env.withSpawnEnv("ODOO_OPS_CRASH_AT", "").withSpawnEnv("ODOO_OPS_HOLD_AT", "");
            Path err2 = env.root.resolve("serve2.err");
            Process second = env.spawn(env.root.resolve("serve2.out"), err2, "serve");
            try {
                Await.serveReady(second, err2);
                Path result = inbox.resolve("done").resolve("crash.json.result.json");
                Await.until("the file answered", () -> Files.exists(result));
                assertEquals(runs.get(0).get("run_id"), Json.readMap(Files.readString(result)).get("run_id"),
                        "the file is answered with the run it was accepted as");
                Await.until("the run to succeed", () -> {
                    try {
                        return "success".equals(TestEnvironment.ops("select status from ops.runs where run_id = ?::uuid",
                                runs.get(0).get("run_id")).get(0).get("status"));
                    } catch (Exception e) {
                        return false;
                    }
                });
                assertEquals(1, TestEnvironment.ops("select 1 from ops.runs where environment_id = ? and channel = 'inbox'",
                        env.environmentId()).size(), "exactly one run");
            } finally {
                second.destroy();
                assertTrue(second.waitFor(60, TimeUnit.SECONDS));
            }
        }
    }
}
