package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.cli.Commands;
import dev.odooops.domain.Json;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.support.TestEnvironment;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.odooops.flows.BackupFlowTest.files;
import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each failure path of a backup run: the run ends failed, nothing half-written stays behind. */
class BackupFailureTest {
    private TestEnvironment env;
    private OpsRuntime runtime;

    @AfterEach
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        if (env != null) env.close();
    }

    private BackupResult backup() {
        return runtime.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null,
                null, null, null, "operator", "test"));
    }

    private void assertFailedCleanly(BackupResult r, String expectedStep) throws Exception {
        assertEquals("failed", r.status());
        if (expectedStep != null) assertEquals(expectedStep, r.failedStep());
        List<Map<String, Object>> run = ops("select status, failed_step, failure_reason from ops.runs where run_id = ?::uuid", r.runId());
        assertEquals("failed", run.get(0).get("status"));
        assertEquals(r.failedStep(), run.get(0).get("failed_step"));
        assertEquals(List.of(), ops("select id from ops.artifacts where environment_id = ?", env.environmentId()));
        assertEquals(List.of(), files(env.workDir), "temporary files left behind");
        assertEquals(1, ops("select 1 from ops.run_events where run_id = ?::uuid and event_type = 'backup_failed'", r.runId()).size());
        Map<String, Object> fin = Json.readMap(Path.of(r.evidenceDir(), "final_status.json"));
        assertEquals("failed", fin.get("status"));
        assertEquals(r.failedStep(), fin.get("failed_step"));
    }

    /** The archive fails where it uploads; the packed format where it uploads its first pack (upload-packs). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"archive, upload-artifact", "packed, upload-packs"})
    void should_fail_the_run_without_artifact_or_temp_files_when_s3_is_down(String format, String step) throws Exception {
        env = TestEnvironment.create("s3down").withDeadS3().withProperty("backup.filestore-format", format);
        runtime = env.runtime();
        BackupResult r = backup();
        assertFailedCleanly(r, step);
        assertTrue(r.error().contains("S3"), r.error());
    }

    @Test
    void should_remove_uploaded_objects_and_the_catalog_row_when_a_late_step_fails() throws Exception {
        env = TestEnvironment.create("latefail");
        runtime = env.runtime();
        AdviceWith.adviceWith(runtime.camelContext(), "backup-run",
                a -> a.weaveById("plan-retention").replace().throwException(new IllegalStateException("injected failure")));
        BackupResult r = backup();
        assertFailedCleanly(r, "upload-artifact".equals(r.failedStep()) ? null : r.failedStep());
        assertTrue(r.error().contains("injected failure"), r.error());
        Path stored = env.s3Dir.resolve("backups/ops").resolve(env.project).resolve("prod");
        assertEquals(List.of(), files(stored), "partial upload left in the store");
    }

    @Test
    void should_fail_the_run_when_the_database_half_fails_while_the_filestore_half_runs() throws Exception {
        env = TestEnvironment.create("dumpfail");
        runtime = env.runtime();
        // the database half fails for real: its role loses the right to read a table mid-way
        try (var c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "")) {
            c.createStatement().execute("create table secret_audit(id int)");
            c.createStatement().execute("revoke all on secret_audit from public");
        }
        BackupResult r = backup();
        assertFailedCleanly(r, "dump-database");
        assertTrue(r.error().contains("permission denied"), r.error());
        assertTrue(Files.notExists(env.s3Dir.resolve("backups/ops").resolve(env.project)), "nothing may be uploaded");
    }
}
