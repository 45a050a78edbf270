package dev.odooops.flows;

import dev.odooops.App;
import dev.odooops.domain.Json;
import dev.odooops.support.Await;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.odooops.support.TestEnvironment.PASSWORD;
import static dev.odooops.support.TestEnvironment.S3_SECRET;
import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * odoo-ops as operators run it: separate JVMs against one ops database. The first backup is held in its
 * quiesce step (a command that waits for a release file) so the tests decide when it may go on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackupProcessesTest {
    private TestEnvironment env;
    private Path release;

    @BeforeAll
    void setUp() throws Exception {
        env = TestEnvironment.create("procs");
        release = env.root.resolve("release");
    }

    @AfterAll
    void cleanUp() throws Exception {
        Files.writeString(release, "go"); // lets any orphaned quiesce command end
        env.close();
    }

    private void holdBackupsInQuiesce() throws Exception {
        Files.deleteIfExists(release);
        env.quiesceWith("sh", "-c", "while [ ! -e '" + release + "' ]; do sleep 0.1; done");
    }

    private String waitForRunningRun() throws Exception {
        return Await.value("a run to reach 'running'", Duration.ofSeconds(60), () -> {
            List<Map<String, Object>> rows = ops("select run_id::text as id from ops.runs where environment_id = ? "
                    + "and status = 'running'", env.environmentId());
            return rows.isEmpty() ? null : (String) rows.get(0).get("id");
        });
    }

    private Result run(String name, String... args) throws Exception {
        Path out = env.root.resolve(name + ".out");
        Path err = env.root.resolve(name + ".err");
        Process p = env.spawn(out, err, args);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), name + " did not finish");
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    record Result(int exit, String stdout, String stderr) {
    }

    @Test
    void should_run_one_of_two_concurrent_backups_and_reject_the_other() throws Exception {
        holdBackupsInQuiesce();
        Path aOut = env.root.resolve("a.out");
        Path aErr = env.root.resolve("a.err");
        Process a = env.spawn(aOut, aErr, "backup", "--project", env.project, "--env", "prod");
        String runA = waitForRunningRun();

        Result b = run("b", "backup", "--project", env.project, "--env", "prod");
        assertEquals(2, b.exit(), b.stderr());
        assertTrue(b.stderr().contains("env: another run is active on " + env.environmentId()), b.stderr());
        assertTrue(b.stderr().contains(runA), "the message names the active run: " + b.stderr());
        assertEquals("", b.stdout());

        Files.writeString(release, "go");
        assertTrue(a.waitFor(180, TimeUnit.SECONDS));
        String aStdout = Files.readString(aOut);
        assertEquals(0, a.exitValue(), Files.readString(aErr));
        Map<String, Object> json = Json.readMap(aStdout);
        assertEquals("success", json.get("status"));
        assertEquals(runA, json.get("run_id"));
        // B never became a run
        assertEquals(0, ops("select 1 from ops.runs where environment_id = ? and status in ('queued','running')",
                env.environmentId()).size());
        // no secret in either process's log
        for (String log : List.of(Files.readString(aErr), b.stderr())) {
            assertFalse(log.contains(PASSWORD), "database password in a log");
            assertFalse(log.contains(S3_SECRET), "S3 secret in a log");
        }
        assertTrue(Files.readString(aErr).contains("backup run " + runA + " succeeded"));
    }

    @Test
    void should_mark_a_killed_run_abandoned_and_proceed() throws Exception {
        holdBackupsInQuiesce();
        Process a = env.spawn(env.root.resolve("k.out"), env.root.resolve("k.err"), "backup", "--project", env.project, "--env", "prod");
        String killed = waitForRunningRun();
        assertTrue(Files.isDirectory(env.workDir.resolve(killed)));
        a.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
        a.waitFor();

        env.quiesceWith("true"); // the next backup is not held
        Result next = run("next", "backup", "--project", env.project, "--env", "prod");
        assertEquals(0, next.exit(), next.stderr());
        assertEquals("abandoned", ops("select status from ops.runs where run_id = ?::uuid", killed).get(0).get("status"));
        assertEquals(1, ops("select 1 from ops.run_events where run_id = ?::uuid and event_type = 'run_abandoned'", killed).size());
        assertEquals("success", Json.readMap(next.stdout()).get("status"));
        assertFalse(Files.exists(env.workDir.resolve(killed)), "the killed run's work directory was not swept");
        assertEquals(1, ops("select 1 from ops.run_events where run_id = ?::uuid and event_type = 'abandoned_run_swept'", killed).size());
        Files.writeString(release, "go");
    }

    @Test
    void should_reject_bad_requests_with_exit_2_naming_the_field_and_leave_no_run() throws Exception {
        record Case(List<String> args, String field) {
        }
        List<Case> cases = List.of(
                new Case(List.of("backup", "--project", "nope", "--env", "prod"), "project: unknown project 'nope'"),
                new Case(List.of("backup", "--project", env.project, "--env", "staging"), "env: project '" + env.project + "' has no environment 'staging'"),
                new Case(List.of("backup", "--project", env.project, "--env", "prod", "--type", "everything"), "type: must be one of full|db_only|filestore_only"),
                new Case(List.of("backup", "--project", env.project, "--env", "prod", "--user", "auditor"), "user: 'auditor' has no backup permission"),
                new Case(List.of("backup", "--project", env.project, "--env", "prod", "--keep-daily", "many"), "keep-daily: must be a whole number"),
                new Case(List.of("backup", "--project", "nope", "--env", env.environmentId()), "project: --project 'nope' does not match the project of --env '" + env.environmentId() + "'"),
                new Case(List.of("backup", "--project", env.project), "env: is required: E or P/E"),
                new Case(List.of("backup", "--project", env.project, "--env", "prod", "--colour", "red"), "colour: unknown option --colour"));
        long before = ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size();
        for (Case c : cases) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            List<String> args = new java.util.ArrayList<>(c.args());
            args.addAll(List.of("--config", env.configDir.toString()));
            int code = App.run(args, new PrintStream(out), new PrintStream(err), System::getenv);
            assertEquals(2, code, c.args() + " -> " + err);
            assertTrue(err.toString().contains(c.field()), c.args() + " -> " + err);
            assertEquals("", out.toString());
        }
        assertEquals(before, ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size(),
                "a rejected request created a run");
    }
}
