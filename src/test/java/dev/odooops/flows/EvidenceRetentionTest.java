package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.Json;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.EvidencePruneRequest;
import dev.odooops.model.RecoverRequest;
import dev.odooops.model.Report;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Evidence retention end to end with a fixed clock (issue 14, section 7): a backup (its artifact live) and a recover
 * run (no artifact) leave evidence; 40 days later the recover run's evidence is compressed into the real local store,
 * read back and removed locally while the backup's stays; 100 days later the stored copy is deleted. Runs as the
 * built-in scheduler, as the schedule does.
 */
class EvidenceRetentionTest {

    private static OpsRuntime at(TestEnvironment env, Duration later) throws Exception {
        return OpsRuntime.start(TestEnvironment.HOME, env.configDir, System::getenv,
                Clock.fixed(Instant.now().plus(later), ZoneOffset.UTC));
    }

    private static Map<String, Object> archiveOf(String runId) throws Exception {
        List<Map<String, Object>> rows = TestEnvironment.ops("select metadata -> 'evidence_archive' as a from ops.runs where run_id = ?::uuid",
                runId);
        Object a = rows.get(0).get("a");
        return a == null ? null : Json.readMap(a.toString());
    }

    @Test
    @SuppressWarnings("unchecked")
    void should_compress_upload_verify_and_remove_old_evidence_keep_a_live_artifacts_and_delete_it_after_90_days() throws Exception {
        try (TestEnvironment env = TestEnvironment.create("evret").withLocalStore()) {
            BackupResult backup;
            Report recover;
            try (OpsRuntime rt = env.runtime()) {
                backup = rt.operations().backup(BackupRequest.of(env.project, "prod", BackupType.DB_ONLY, null, null, null, null,
                        "operator", "test"));
                assertEquals("success", backup.status(), backup.error());
                recover = rt.operations().recover(new RecoverRequest(env.project, "prod", "operator", "test"));
            }
            Path backupDir = Path.of(backup.evidenceDir());
            Path recoverDir = Path.of((String) recover.body().get("evidence_dir"));
            String recoverRun = (String) recover.body().get("run_id");
            assertTrue(Files.isDirectory(recoverDir));

            try (OpsRuntime rt = at(env, Duration.ofDays(40))) {
                Report plan = rt.operations().evidencePrune(new EvidencePruneRequest(env.project, "prod", true, "scheduler", "test"));
                assertTrue(plan.ok());
                List<Map<String, Object>> lines = (List<Map<String, Object>>) plan.body().get("plan");
                assertTrue(lines.stream().anyMatch(l -> recoverRun.equals(l.get("run_id")) && "compress".equals(l.get("action"))), lines.toString());
                assertTrue(lines.stream().anyMatch(l -> backup.artifactId().equals(l.get("artifact_id")) && "keep".equals(l.get("action"))),
                        lines.toString());
                assertTrue(Files.isDirectory(recoverDir), "a dry run changes nothing");

                Report r = rt.operations().evidencePrune(new EvidencePruneRequest(env.project, "prod", false, "scheduler", "test"));
                assertTrue(r.ok(), r.body().toString());
                assertEquals("success", r.body().get("status"));
                assertEquals(1, r.body().get("compressed"), r.body().toString());
                assertTrue(Files.isRegularFile(Path.of((String) r.body().get("evidence_dir")).resolve("plan.json")));
            }
            assertFalse(Files.exists(recoverDir), "removed locally once uploaded and read back");
            assertTrue(Files.isDirectory(backupDir), "the evidence of a live artifact stays");
            Path stored = env.localStoreDir().resolve(env.project).resolve("_evidence").resolve("prod").resolve(recoverRun + ".tar.zst");
            assertTrue(Files.isRegularFile(stored), "uploaded to the environment's store: " + stored);
            Map<String, Object> archive = archiveOf(recoverRun);
            assertNotNull(archive, "the catalog says where the run's evidence went");
            assertEquals(Checksums.sha256(stored), archive.get("sha256"));
            assertTrue(Files.isRegularFile(stored.resolveSibling(recoverRun + ".json")), "a manifest beside it");
            String listing = TestEnvironment.sh(env.root, "tar", "--zstd", "-tf", stored.toString());
            assertTrue(listing.contains(recoverDir.getFileName() + "/final_status.json"), listing);

            Path got = env.root.resolve("got");
            TestEnvironment.CliResult get = env.cli("evidence", "get", recoverRun, "--out", got.toString(), "--user", "operator");
            assertEquals(0, get.exit(), get.stdout() + get.stderr());
            assertTrue(get.stdout().contains("\"where\" : \"store\""), get.stdout());
            assertTrue(Files.isRegularFile(got.resolve(recoverDir.getFileName()).resolve("final_status.json")),
                    "fetched back, checked and unpacked: " + get.stdout());
            TestEnvironment.CliResult local = env.cli("evidence", "get", backup.runId(), "--user", "operator");
            assertEquals(0, local.exit(), local.stderr());
            assertTrue(local.stdout().contains(backupDir.toString()), local.stdout());
            TestEnvironment.CliResult view = env.cli("run", recoverRun, "--user", "operator");
            assertTrue(view.stdout().contains("evidence_archive"), "the run names where its evidence went: " + view.stdout());

            try (OpsRuntime rt = at(env, Duration.ofDays(100))) {
                Report r = rt.operations().evidencePrune(new EvidencePruneRequest(env.project, "prod", false, "scheduler", "test"));
                assertTrue(r.ok(), r.body().toString());
                assertTrue(((Number) r.body().get("deleted")).intValue() >= 1, r.body().toString());
            }
            assertFalse(Files.exists(stored), "deleted from the store after 90 days");
            assertNotNull(archiveOf(recoverRun).get("deleted_at"));
            assertTrue(Files.isDirectory(backupDir), "still live: still kept");
            TestEnvironment.CliResult gone = env.cli("evidence", "get", recoverRun, "--out", env.root.resolve("again").toString(),
                    "--user", "operator");
            assertEquals(2, gone.exit(), gone.stdout() + gone.stderr());
            assertTrue(gone.stderr().contains("deleted by evidence retention"), gone.stderr());
            List<Map<String, Object>> runs = TestEnvironment.ops("select status from ops.runs where environment_id = ? "
                    + "and operation_type = 'evidence_retention' and created_by = 'scheduler'", env.environmentId());
            assertEquals(2, runs.size(), "the dry run made no run: " + runs);
            assertTrue(runs.stream().allMatch(x -> "success".equals(x.get("status"))), runs.toString());
            UUID.fromString(recoverRun);
        }
    }

    @Test
    void should_refuse_a_user_without_the_evidence_permission() throws Exception {
        try (TestEnvironment env = TestEnvironment.create("evperm").withLocalStore()) {
            TestEnvironment.CliResult r = env.cli("evidence", "prune", "--env", env.project + "/prod", "--user", "operator");
            assertEquals(2, r.exit(), r.stdout() + r.stderr());
            assertTrue(r.stderr().contains("evidence"), r.stderr());
            TestEnvironment.CliResult dry = env.cli("evidence", "prune", "--env", env.project + "/prod", "--dry-run", "--user", "scheduler");
            assertEquals(0, dry.exit(), dry.stdout() + dry.stderr());
            assertTrue(dry.stdout().contains("\"dry_run\" : true"), dry.stdout());
        }
    }

    @Test
    void should_keep_the_local_evidence_when_the_store_cannot_read_the_upload_back_and_finish_at_the_next_run() throws Exception {
        try (TestEnvironment env = TestEnvironment.create("evfault")) { // the S3 store, with faults behind its protocol
            Report recover;
            try (OpsRuntime rt = env.runtime()) {
                recover = rt.operations().recover(new RecoverRequest(env.project, "prod", "operator", "test"));
            }
            Path recoverDir = Path.of((String) recover.body().get("evidence_dir"));
            String recoverRun = (String) recover.body().get("run_id");
            try (OpsRuntime rt = at(env, Duration.ofDays(40))) {
                env.storeFaults.fail("getBlob", Integer.MAX_VALUE); // the upload lands, its read-back fails
                Report failed = rt.operations().evidencePrune(new EvidencePruneRequest(env.project, "prod", false, "scheduler", "test"));
                assertFalse(failed.ok(), failed.body().toString());
                assertEquals("failed", failed.body().get("status"));
                assertEquals("apply-evidence-retention", failed.body().get("failed_step"));
                assertTrue(((Map<?, ?>) failed.body().get("failed")).containsKey(recoverRun), failed.body().toString());
                assertTrue(Files.isDirectory(recoverDir), "not read back: the local copy stays");
                assertEquals(null, archiveOf(recoverRun), "nothing recorded for an upload not verified");

                env.storeFaults.clear();
                Report again = rt.operations().evidencePrune(new EvidencePruneRequest(env.project, "prod", false, "scheduler", "test"));
                assertTrue(again.ok(), again.body().toString());
                // the recover run's, and the failed retention run's own (40 days old by this clock too)
                assertEquals(2, again.body().get("compressed"), again.body().toString());
            }
            assertFalse(Files.exists(recoverDir));
            assertNotNull(archiveOf(recoverRun).get("sha256"));
        }
    }

    /**
     * A retention run killed (SIGKILL, a JVM of its own) after the upload and after the catalog record: the local
     * evidence is still there both times, and the environment's next retention run ends the killed one abandoned and
     * archives it.
     */
    @Test
    void should_lose_nothing_when_killed_after_the_upload_or_after_the_record() throws Exception {
        for (String point : List.of("evidence-retention:uploaded", "evidence-retention:recorded")) {
            try (TestEnvironment env = TestEnvironment.create("evkill").withLocalStore()
                    .withProperty("evidence.compress-after-days", "1").withProperty("evidence.delete-after-days", "30")) {
                Report recover;
                try (OpsRuntime rt = env.runtime()) {
                    recover = rt.operations().recover(new RecoverRequest(env.project, "prod", "operator", "test"));
                }
                Path recoverDir = Path.of((String) recover.body().get("evidence_dir"));
                String recoverRun = (String) recover.body().get("run_id");
                try (var c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + TestEnvironment.OPS_DB,
                        "postgres", ""); var ps = c.prepareStatement("update ops.runs set created_at = created_at - interval '2 days', "
                        + "finished_at = finished_at - interval '2 days' where run_id = ?::uuid")) {
                    ps.setString(1, recoverRun); // two days old, as the catalog would say after two days
                    assertEquals(1, ps.executeUpdate());
                }

                env.withSpawnEnv("ODOO_OPS_CRASH_AT", point);
                Process p = env.spawn(env.root.resolve("kill.out"), env.root.resolve("kill.err"), "evidence", "prune", "--env",
                        env.project + "/prod", "--user", "scheduler");
                env.withSpawnEnv("ODOO_OPS_CRASH_AT", "");
                assertTrue(p.waitFor(180, java.util.concurrent.TimeUnit.SECONDS), "the killed run did not end");
                assertEquals(137, p.exitValue(), point + ": " + Files.readString(env.root.resolve("kill.err")));
                assertTrue(Files.isDirectory(recoverDir), point + ": the local copy stays until the record exists");
                assertEquals(point.endsWith("recorded"), archiveOf(recoverRun) != null, point);

                try (OpsRuntime rt = env.runtime()) {
                    Report r = rt.operations().evidencePrune(new EvidencePruneRequest(env.project, "prod", false, "scheduler", "test"));
                    assertTrue(r.ok(), point + ": " + r.body());
                }
                assertFalse(Files.exists(recoverDir), point);
                Path stored = env.localStoreDir().resolve(env.project).resolve("_evidence").resolve("prod").resolve(recoverRun + ".tar.zst");
                assertEquals(Checksums.sha256(stored), archiveOf(recoverRun).get("sha256"), point);
                List<Map<String, Object>> killed = TestEnvironment.ops("select status from ops.runs where environment_id = ? "
                        + "and operation_type = 'evidence_retention' order by created_at", env.environmentId());
                assertEquals("abandoned", killed.get(0).get("status"), point + ": " + killed);
            }
        }
    }
}
