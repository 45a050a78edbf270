package dev.odooops.flows;

import dev.odooops.domain.Json;
import dev.odooops.support.Await;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs that exist but cannot start (step create-run), and what a request refused during a restore names.
 * The full disk is real: a 64 KiB tmpfs mounted over the evidence root and filled up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunStartFailureTest {
    private TestEnvironment env;
    private Path release;

    @BeforeAll
    void setUp() throws Exception {
        env = TestEnvironment.create("start");
        release = env.root.resolve("release");
    }

    @AfterAll
    void cleanUp() throws Exception {
        Files.writeString(release, "go"); // lets any held quiesce command end
        env.close();
    }

    private TestEnvironment.CliResult run(String... args) {
        return env.cli(args);
    }

    private String backup() {
        TestEnvironment.CliResult b = run("backup", "--env", env.environmentId());
        assertEquals(0, b.exit(), b.stderr());
        return (String) Json.readMap(b.stdout()).get("artifact_id");
    }

    private static String sh(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        return p.waitFor() == 0 ? null : out.isBlank() ? "exit " + p.exitValue() : out.strip();
    }

    /** Mounts a 64 KiB tmpfs on {@code dir} and fills it; skips the test when this machine does not allow mounting. */
    private void fullDisk(Path dir) throws Exception {
        Files.createDirectories(dir);
        String refused = sh("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir.toString());
        Assumptions.assumeTrue(refused == null, "a full disk needs a tmpfs mount, which is not allowed here: " + refused);
        try (OutputStream o = Files.newOutputStream(dir.resolve("filler"))) {
            byte[] block = new byte[4096];
            for (int i = 0; i < 1000; i++) o.write(block);
        } catch (IOException expected) {
            // full
        }
    }

    @Test
    void should_report_a_run_that_cannot_write_its_evidence_as_failed_in_create_run_and_leave_nothing_behind() throws Exception {
        env.quiesceWith("true");
        String artifact = backup();
        try {
            fullDisk(env.evidenceRoot);
            TestEnvironment.CliResult b = run("backup", "--env", env.environmentId());
            TestEnvironment.CliResult r = run("restore", "--env", env.environmentId(), "--artifact", artifact, "--confirm", env.environmentId());
            for (TestEnvironment.CliResult res : List.of(b, r)) {
                assertEquals(1, res.exit(), res.stderr());
                Map<String, Object> json = Json.readMap(res.stdout());
                assertEquals("failed", json.get("status"), res.stdout());
                assertEquals("create-run", json.get("failed_step"), res.stdout());
                String error = (String) json.get("error");
                assertTrue(error.contains("cannot write evidence") && error.contains("No space left on device"),
                        "the I/O error itself is kept: " + error);
                assertNull(json.get("evidence_dir"), "an evidence directory with nothing in it is removed");
                String runId = (String) json.get("run_id");
                Map<String, Object> row = ops("select status, failed_step, failure_reason from ops.runs where run_id = ?::uuid",
                        runId).get(0);
                assertEquals("failed", row.get("status"));
                assertEquals("create-run", row.get("failed_step"));
                assertTrue(((String) row.get("failure_reason")).contains("No space left on device"), row.toString());
                assertFalse(Files.exists(env.workDir.resolve(runId)), "the run's work directory is removed");
            }
            try (Stream<Path> files = Files.walk(env.evidenceRoot)) {
                List<Path> tmp = files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList();
                assertEquals(List.of(), tmp, "no half-written evidence file");
            }
        } finally {
            sh("umount", env.evidenceRoot.toString());
        }
        backup(); // no run is left active: the environment takes the next one
    }

    @Test
    void should_name_the_restore_not_its_safety_backup_when_refusing_a_run_during_it() throws Exception {
        env.quiesceWith("true");
        String artifact = backup();
        Files.deleteIfExists(release);
        env.quiesceWith("sh", "-c", "while [ ! -e '" + release + "' ]; do sleep 0.1; done"); // holds the safety backup
        Process restore = env.spawn(env.root.resolve("r.out"), env.root.resolve("r.err"), "restore", "--env",
                env.environmentId(), "--artifact", artifact, "--confirm", env.environmentId());
        try {
            Map<String, Object> child = waitForRunningChild();
            String restoreRun = child.get("parent").toString();
            TestEnvironment.CliResult b = run("backup", "--env", env.environmentId());
            assertEquals(2, b.exit(), b.stderr());
            assertTrue(b.stderr().contains("env: another run is active on " + env.environmentId()
                    + " (restore run " + restoreRun), b.stderr());
            assertFalse(b.stderr().contains(child.get("id").toString()), "names the safety backup: " + b.stderr());
        } finally {
            Files.writeString(release, "go");
            assertTrue(restore.waitFor(180, TimeUnit.SECONDS), "the restore did not end");
            env.quiesceWith("true");
        }
    }

    private Map<String, Object> waitForRunningChild() throws Exception {
        Map<String, Object> child = Await.poll(Duration.ofSeconds(120), () -> ops("select run_id::text as id, "
                + "parent_run_id::text as parent from ops.runs where environment_id = ? and status = 'running' "
                + "and parent_run_id is not null", env.environmentId()).stream().findFirst().orElse(null));
        if (child != null) return child;
        throw new AssertionError("no safety backup reached 'running': " + Files.readString(env.root.resolve("r.err")));
    }
}
