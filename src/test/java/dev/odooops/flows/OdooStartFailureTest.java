package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Odoo's start command exits non-zero during a restore: the restore fails at once naming the exit code, and the
 * rollback's own start attempt is not followed by the whole health time-out either.
 */
class OdooStartFailureTest {
    private static final int HEALTH_TIMEOUT_SECONDS = 60;
    private TestEnvironment env;

    @AfterEach
    void cleanUp() throws Exception {
        if (env != null) env.close();
    }

    @Test
    void should_not_wait_for_health_after_a_start_that_exited_non_zero() throws Exception {
        env = TestEnvironment.create("startfail");
        BackupResult b;
        try (OpsRuntime rt = env.runtime()) {
            b = rt.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null, null, null, null,
                    "operator", "test"));
        }
        assertEquals("success", b.status(), b.error());
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        env.withOdooYaml("start: {command: [sh, -c, \"echo cannot bind >&2; exit 1\"]}\n"
                + "health_url: \"http://127.0.0.1:" + deadPort + "/web/health\"\n"
                + "timeout_seconds: " + HEALTH_TIMEOUT_SECONDS + "\n"
                // the server is down, so its version comes from the installed code, as odoo-bin --version tells it
                + "version_command: [echo, \"Odoo Server 17.0\"]\n");

        RestoreResult r;
        long start = System.nanoTime();
        try (OpsRuntime rt = env.runtime()) {
            r = rt.operations().restore(new RestoreRequest(env.project, "prod", b.artifactId(), BackupType.FULL, true,
                    true, env.environmentId(), "operator", "test"));
        }
        long seconds = (System.nanoTime() - start) / 1_000_000_000;

        assertEquals("restart-odoo", r.failedStep(), r.error());
        assertTrue(r.error().contains("start failed") && r.error().contains("exited with 1"), r.error());
        assertEquals("rolled_back_odoo_down", r.status(), r.error());
        String restart = Files.readString(Path.of(r.evidenceDir(), "restart_duration.json"));
        assertTrue(restart.contains("\"exit_code\"") && restart.contains("not waited for"), restart);
        String rollback = Files.readString(Path.of(r.evidenceDir(), "rollback.json"));
        assertTrue(rollback.contains("not waited for: the start failed"), rollback);
        assertTrue(!rollback.contains("not healthy after"), "the rollback waited for health: " + rollback);
        assertTrue(seconds < HEALTH_TIMEOUT_SECONDS / 2, "the restore took " + seconds + " s");
    }
}
