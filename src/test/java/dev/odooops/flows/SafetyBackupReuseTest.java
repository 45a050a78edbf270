package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Json;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #8 part 3: a restore of an environment unchanged since a verified artifact records that artifact as its
 * safety backup (its fingerprint matching twice, the settle interval apart), and takes a real one as soon as
 * anything changed; the reused artifact is still checked in the store.
 */
class SafetyBackupReuseTest {
    private TestEnvironment env;
    private OpsRuntime runtime;

    @BeforeEach
    void setUp() throws Exception {
        env = TestEnvironment.create("safereuse").withType("staging")
                .withProperty("restore.safety-backup-reuse", "true")
                .withProperty("restore.safety-settle-seconds", "0"); // settles whenever a copy took a second or more
        runtime = env.runtime();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        if (env != null) env.close();
    }

    private RestoreResult restore(String artifactId) {
        return runtime.operations().restore(new RestoreRequest(env.project, "prod", artifactId, BackupType.FULL, true,
                true, null, "operator", "test"));
    }

    private static Map<String, Object> safety(RestoreResult r) {
        return Json.readMap(Path.of(r.evidenceDir()).resolve("pre_restore_backup.json"));
    }

    /** Waits until the database's write counters read as those recorded with {@code artifactId}. */
    @SuppressWarnings("unchecked")
    private void statisticsCaughtUp(String artifactId) throws Exception {
        Map<String, Object> recorded = (Map<String, Object>) Json.readMap(String.valueOf(ops(
                "select fingerprint::text as f from ops.artifacts where id = ?", artifactId).get(0).get("f")))
                .get("database_all");
        dev.odooops.config.DatabaseConfig db = new dev.odooops.config.DatabaseConfig("127.0.0.1", 5432, env.database,
                env.database + "_owner", new dev.odooops.config.Secret(TestEnvironment.PASSWORD), "disable");
        dev.odooops.support.Await.until("the statistics to catch up with the safety backup's", () -> {
            try {
                return recorded.equals(dev.odooops.postgres.WriteCounters.fingerprint(db, java.util.Set.of()));
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private long safetyBackups() throws Exception {
        return ((Number) ops("select count(*) as n from ops.artifacts where environment_id = ? and kind = 'pre_restore'",
                env.environmentId()).get(0).get("n")).longValue();
    }

    @Test
    void should_reuse_the_safety_backup_of_a_rolled_back_restore_and_take_a_real_one_after_a_change() throws Exception {
        BackupResult b = runtime.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null, null,
                null, null, "operator", "test"));
        assertEquals("success", b.status(), b.error());
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "")) {
            c.createStatement().execute("update res_partner set name = name || ' (changed)' where id = 1");
        }

        // changed since the backup: a real safety backup; the restore then fails validation and is rolled back
        env.withOdooYaml("validate_command: [\"false\"]");
        runtime.close();
        runtime = env.runtime();
        RestoreResult failed = restore(b.artifactId());
        assertEquals("rolled_back", failed.status(), failed.error());
        assertEquals(Boolean.FALSE, safety(failed).get("reused"));
        String taken = failed.preRestoreBackupId();
        assertNotEquals(b.artifactId(), taken);
        assertEquals(1, safetyBackups());

        // the rollback put the environment back as it was: the retry reuses that safety backup, checked in the store.
        // PostgreSQL's statistics trail the writes by up to ten seconds (an idle backend's flush): the retry comes once
        // they caught up, as it would with the settle window, which this test sets to 0
        statisticsCaughtUp(taken);
        env.withOdooYaml(null);
        runtime.close();
        runtime = env.runtime();
        RestoreResult retry = restore(b.artifactId());
        assertEquals("success", retry.status(), retry.error() + " in " + retry.failedStep());
        assertEquals(taken, retry.preRestoreBackupId(), "the unchanged environment's verified artifact is its safety backup");
        Map<String, Object> evidence = safety(retry);
        assertEquals(Boolean.TRUE, evidence.get("reused"), evidence.toString());
        assertEquals(Boolean.TRUE, evidence.get("verified"), evidence.toString());
        assertEquals(1, safetyBackups(), "no second copy was made");
        Map<String, Object> child = ops("select status from ops.runs where run_id = ?::uuid",
                evidence.get("backup_run_id")).get(0);
        assertEquals("skipped_unchanged", child.get("status"));
        Map<String, Object> check = Json.readMap(Path.of(String.valueOf(evidence.get("backup_evidence_dir")))
                .resolve("unchanged_check.json"));
        assertEquals(0, ((Number) check.get("settle_seconds")).intValue(), "the fingerprint was read again after settling");
        assertEquals("reused", evidence.get("path"), evidence.toString());
        assertTrue(check.containsKey("settled_fingerprint"), check.toString());

        // used since (a write): the next restore takes a real one
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "")) {
            c.createStatement().execute("update res_partner set name = name || ' (again)' where id = 2");
        }
        RestoreResult again = restore(b.artifactId());
        assertEquals("success", again.status(), again.error());
        assertEquals(Boolean.FALSE, safety(again).get("reused"));
        assertEquals(2, safetyBackups());

        // retention keeps what a recent restore recorded as its safety backup, whatever its own series says
        List<Map<String, Object>> held = ops("select 1 from ops.artifacts where id = ? and pruned_at is null", taken);
        assertEquals(1, held.size());
    }

    /** A runtime with a 60 s settle window (longer than any copy here), and a backup it took: the artifact to restore. */
    private BackupResult backupWithSettleWindowOf60s() throws Exception {
        env.withProperty("restore.safety-settle-seconds", "60");
        runtime.close();
        runtime = env.runtime();
        BackupResult b = runtime.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null, null,
                null, null, "operator", "test"));
        assertEquals("success", b.status(), b.error());
        return b;
    }

    @Test
    void should_take_the_copy_at_once_rather_than_wait_a_settle_window_longer_than_the_last_copy() throws Exception {
        // Odoo running: its connection to the database means writes may still trail the statistics
        try (dev.odooops.support.OdooStandIn odoo = new dev.odooops.support.OdooStandIn(env.root.resolve("odoo.log"))) {
            env.withOdoo(odoo);
            BackupResult b = backupWithSettleWindowOf60s();

            // unchanged since b, but its copy took a few seconds: waiting 60 s to reuse it would make the restore slower
            RestoreResult r = restore(b.artifactId());

            assertEquals("success", r.status(), r.error() + " in " + r.failedStep());
            Map<String, Object> evidence = safety(r);
            assertEquals("taken", evidence.get("path"), evidence.toString());
            assertTrue(String.valueOf(evidence.get("why")).contains("faster than settling"), evidence.toString());
            assertEquals("fast_last_copy", evidence.get("settle_case"), evidence.toString());
            Map<String, Object> check = Json.readMap(Path.of(String.valueOf(evidence.get("backup_evidence_dir")))
                    .resolve("unchanged_check.json"));
            assertTrue(((Number) check.get("duration_ms")).longValue() < 60_000, "no settle wait: " + check);
            assertTrue(!check.containsKey("settled_fingerprint"), check.toString());
            runtime.close();
            runtime = null;
        }
    }

    @Test
    void should_reuse_at_once_without_a_settle_wait_when_nothing_is_connected_to_the_database() throws Exception {
        // no Odoo running (this environment has no server at all): nothing is connected to its database
        BackupResult b = backupWithSettleWindowOf60s();

        // unchanged since b; its copy was fast, but with Odoo stopped the first match is final: reused, no 60 s wait
        RestoreResult r = restore(b.artifactId());

        assertEquals("success", r.status(), r.error() + " in " + r.failedStep());
        Map<String, Object> evidence = safety(r);
        assertEquals("reused", evidence.get("path"), evidence.toString());
        assertEquals(b.artifactId(), r.preRestoreBackupId());
        assertEquals("app_stopped", evidence.get("settle_case"), evidence.toString());
        assertTrue(String.valueOf(evidence.get("why")).contains("nothing is connected to database"), evidence.toString());
        Map<String, Object> check = Json.readMap(Path.of(String.valueOf(evidence.get("backup_evidence_dir")))
                .resolve("unchanged_check.json"));
        assertTrue(((Number) check.get("duration_ms")).longValue() < 60_000, "no settle wait: " + check);
        assertTrue(!check.containsKey("settled_fingerprint"), check.toString());
        assertEquals(0L, safetyBackups(), "no copy was made");
    }
}
