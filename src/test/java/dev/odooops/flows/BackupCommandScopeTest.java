package dev.odooops.flows;

import dev.odooops.domain.Json;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * {@code odoo-ops backup} starts only its routes (backup, backup-run, backup-failed: {@code OpsRuntime.Scope}): a
 * backup whose store cannot be reached (the S3 client made on first use, against a dead endpoint) still fails through
 * the dead-letter route, recorded and reported in its step, exit 1.
 */
class BackupCommandScopeTest {
    @Test
    void should_report_a_failed_backup_through_its_dead_letter_route_when_started_alone() throws Exception {
        try (TestEnvironment env = TestEnvironment.create("scopebk").withDeadS3()) {
            TestEnvironment.CliResult r = env.cli("backup", "--env", env.environmentId());
            assertEquals(1, r.exit(), r.stdout() + r.stderr());
            Map<String, Object> json = Json.readMap(r.stdout());
            assertEquals("failed", json.get("status"), r.stdout());
            assertNotNull(json.get("failed_step"), r.stdout());
            Map<String, Object> row = ops("select status, failed_step from ops.runs where run_id = ?::uuid", json.get("run_id")).get(0);
            assertEquals("failed", row.get("status"));
            assertEquals(json.get("failed_step"), row.get("failed_step"));
        }
    }
}
