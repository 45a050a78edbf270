package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.cli.Commands;
import dev.odooops.domain.Json;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.store.ArtifactStore;
import dev.odooops.store.S3ArtifactStore;
import dev.odooops.support.TestEnvironment;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.odooops.flows.BackupFlowTest.files;
import static dev.odooops.flows.RetentionFlowTest.age;
import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the store holds after failures: retention prunes only committed runs' predecessors, deletes where each
 * artifact really is, and whatever a failed or killed run left in the store is swept once the store is back.
 */
class StoreHygieneTest {
    private TestEnvironment env;
    private OpsRuntime runtime;
    private Path mounted;

    @AfterEach
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        if (mounted != null) new ProcessBuilder("umount", mounted.toString()).start().waitFor();
        if (env != null) env.close();
    }

    private BackupResult backup(Integer daily) {
        return runtime.operations().backup(BackupRequest.of(env.project, "prod", BackupType.DB_ONLY, null,
                daily, daily == null ? null : 0, daily == null ? null : 0, "operator", "test"));
    }

    private BackupResult succeeded(BackupResult r) {
        assertEquals("success", r.status(), r.error());
        return r;
    }

    private void restart() throws Exception {
        runtime.close();
        runtime = env.runtime();
    }

    private Path localFolder(Path storeRoot, String id) {
        return storeRoot.resolve(env.project).resolve("prod").resolve(id);
    }

    private static Object prunedAt(String id) throws Exception {
        return ops("select pruned_at from ops.artifacts where id = ?", id).get(0).get("pruned_at");
    }

    private void assertLive(String id, Path folder) throws Exception {
        assertNull(prunedAt(id), id + " marked pruned");
        assertTrue(Files.isRegularFile(folder.resolve("manifest.json")), id + " no longer in the store");
    }

    private void useLocalStore(Path dir) throws IOException {
        Path f = env.configDir.resolve("environments.yaml");
        String yaml = Files.readString(f);
        String start = yaml.substring(0, yaml.indexOf("users:"));
        Files.writeString(f, yaml.replace(start, "store:\n  type: local\n  local:\n    path: " + dir + "\n"));
    }

    // item 6: a failure after the upload must not have pruned anything

    @Test
    void should_leave_every_older_artifact_live_when_the_run_fails_after_the_upload() throws Exception {
        env = TestEnvironment.create("hyglate").withLocalStore();
        runtime = env.runtime();
        BackupResult old = succeeded(backup(null));
        age(old.artifactId(), "3 days");
        // a real failure after the upload: an evidence file is gone when the run checks its evidence
        AdviceWith.adviceWith(runtime.camelContext(), "backup-run", a -> a.weaveById("upload-artifact").after()
                .process(ex -> Files.delete(Path.of(ex.getVariable("backupJob", dev.odooops.model.BackupJob.class)
                        .evidence().dir().toString(), "config_snapshot.json"))));
        BackupResult failed = backup(1);

        assertEquals("failed", failed.status());
        assertTrue(failed.error().contains("evidence incomplete"), failed.error());
        assertLive(old.artifactId(), localFolder(env.localStoreDir(), old.artifactId()));
        assertEquals(List.of(), ops("select artifact_id from ops.store_deletions where reason = 'prune' and environment_id = ?",
                env.environmentId()));
        assertEquals(List.of(), ops("select id from ops.artifacts where id <> ? and environment_id = ?", old.artifactId(),
                env.environmentId()), "the failed run's artifact is removed");
    }

    @Test
    void should_prune_nothing_when_the_evidence_disk_fills_up_after_the_upload() throws Exception {
        env = TestEnvironment.create("hygfull").withLocalStore();
        mounted = env.evidenceRoot;
        Files.createDirectories(mounted);
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mounted.toString())
                .redirectErrorStream(true).start();
        String why = new String(mount.getInputStream().readAllBytes());
        if (mount.waitFor() != 0) {
            mounted = null;
            Assumptions.abort("cannot mount a small tmpfs as the evidence disk here (needs root and mount rights): " + why);
        }
        runtime = env.runtime();
        BackupResult old = succeeded(backup(null));
        age(old.artifactId(), "3 days");
        // after the upload, something else fills the evidence disk: every later evidence write fails (ENOSPC)
        AdviceWith.adviceWith(runtime.camelContext(), "backup-run", a -> a.weaveById("upload-artifact").after()
                .process(ex -> fill(mounted.resolve("filler"))));
        BackupResult failed = backup(1);

        assertEquals("failed", failed.status());
        assertLive(old.artifactId(), localFolder(env.localStoreDir(), old.artifactId()));
        assertEquals(1, ops("select 1 from ops.artifacts where environment_id = ?", env.environmentId()).size(),
                "only the older artifact is registered");
    }

    private static void fill(Path file) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (var out = Files.newOutputStream(file)) {
            while (true) out.write(block);
        } catch (IOException full) {
            // the disk is full
        }
    }

    // items 6 and 23: prunes go to the store the artifact was written to; a failing prune is a warning

    @Test
    void should_delete_old_local_artifacts_after_the_store_was_switched_to_s3() throws Exception {
        env = TestEnvironment.create("hygswitch").withLocalStore();
        runtime = env.runtime();
        BackupResult old = succeeded(backup(null));
        age(old.artifactId(), "3 days");
        Path oldFolder = localFolder(env.localStoreDir(), old.artifactId());
        assertTrue(Files.isRegularFile(oldFolder.resolve("db.dump")));

        env.withS3Store();
        restart();
        BackupResult now = succeeded(backup(1));

        assertFalse(Files.exists(oldFolder), "the old artifact is still in the local store: " + files(oldFolder));
        assertNotNull(prunedAt(old.artifactId()));
        assertEquals(List.of(), now.warnings());
        assertEquals(List.of(old.artifactId()), Json.readMap(Path.of(now.evidenceDir(), "retention_prune.json")).get("pruned_ids"));
        assertTrue(runtime.store().size(ArtifactStore.artifactPath(env.project, "prod", now.artifactId()), "manifest.json") > 0);
    }

    @Test
    void should_keep_the_new_backup_and_warn_when_the_old_store_is_unreachable_then_prune_once_it_is_back_and_unpinned() throws Exception {
        env = TestEnvironment.create("hygunreach").withLocalStore();
        runtime = env.runtime();
        BackupResult old = succeeded(backup(null));
        age(old.artifactId(), "3 days");
        Path oldStore = env.localStoreDir();
        Path unmounted = env.root.resolve("store-unmounted");

        // the backups now go to another disk, and the old one is not mounted
        Path newStore = env.root.resolve("store2");
        useLocalStore(newStore);
        restart();
        Files.move(oldStore, unmounted);
        BackupResult now = succeeded(backup(1));

        assertEquals(1, now.warnings().size(), now.warnings().toString());
        assertTrue(now.warnings().get(0).contains(old.artifactId()) && now.warnings().get(0).contains("cannot be reached"),
                now.warnings().toString());
        assertLive(now.artifactId(), localFolder(newStore, now.artifactId()));
        assertEquals("success", ops("select status from ops.runs where run_id = ?::uuid", now.runId()).get(0).get("status"));
        assertNull(prunedAt(old.artifactId()), "marked pruned though its objects were not deleted");
        Map<String, Object> evidence = Json.readMap(Path.of(now.evidenceDir(), "retention_prune.json"));
        assertEquals(List.of(), evidence.get("pruned_ids"));
        assertTrue(((Map<?, ?>) evidence.get("prune_failures")).containsKey(old.artifactId()), evidence.toString());
        assertTrue(((List<?>) Json.readMap(Path.of(now.evidenceDir(), "final_status.json")).get("warnings")).size() == 1);
        assertEquals(1, ops("select 1 from ops.run_events where run_id = ?::uuid and event_type = 'prune_planned' "
                + "and payload->>'artifact_id' = ?", now.runId(), old.artifactId()).size(), "prune journaled before deleting");

        // the disk is back, but the operator pinned the artifact meanwhile: the pin holds the pending prune
        Files.move(unmounted, oldStore);
        runtime.catalog().artifacts().setPinned(old.artifactId(), true, null, null);
        succeeded(backup(1));
        assertLive(old.artifactId(), localFolder(oldStore, old.artifactId()));

        // unpinned: the next run finishes the prune it finds pending
        runtime.catalog().artifacts().setPinned(old.artifactId(), false, null, null);
        succeeded(backup(1));
        assertFalse(Files.exists(localFolder(oldStore, old.artifactId())));
        assertNotNull(prunedAt(old.artifactId()));
        assertEquals(List.of(), ops("select id from ops.store_deletions where environment_id = ? and done_at is null",
                env.environmentId()));
        assertLive(now.artifactId(), localFolder(newStore, now.artifactId()));
    }

    // item 22: what failed or killed runs left in the store is swept

    @Test
    void should_remove_a_failed_runs_upload_at_the_next_run_when_the_store_was_down_during_cleanup() throws Exception {
        env = TestEnvironment.create("hygdown");
        runtime = env.runtime();
        // the store goes down after the upload, then a later step fails: the cleanup cannot reach the store
        AdviceWith.adviceWith(runtime.camelContext(), "backup-run", a -> {
            a.weaveById("upload-artifact").after().process(ex -> env.stopS3());
            a.weaveById("plan-retention").replace().throwException(new IllegalStateException("injected failure"));
        });
        BackupResult failed = backup(null);
        assertEquals("failed", failed.status());
        String leftId = (String) ops("select metadata->>'artifact_id' as a from ops.runs where run_id = ?::uuid",
                failed.runId()).get(0).get("a");
        Path left = env.s3Dir.resolve("backups/ops").resolve(env.project).resolve("prod").resolve(leftId);
        assertFalse(files(left).isEmpty(), "the test needs objects left behind");
        assertEquals(1, ops("select 1 from ops.store_deletions where artifact_id = ? and reason = 'failed_run' "
                + "and done_at is null and last_error is not null", leftId).size());

        env.restartS3();
        restart();
        succeeded(backup(null));
        assertEquals(List.of(), files(left), "the failed run's objects are still in the store");
        assertEquals(List.of(), ops("select id from ops.store_deletions where artifact_id = ? and done_at is null", leftId));
    }

    @Test
    void should_abort_the_multipart_upload_of_a_killed_backup_at_the_next_run() throws Exception {
        env = TestEnvironment.create("hygmpu");
        runtime = env.runtime();
        String deadArtifact = env.project + "-prod-20260101T000000Z-dead01";
        String prefix = "ops/" + env.project + "/prod/" + deadArtifact + "/";
        killedBackupRun(deadArtifact);
        S3Client s3 = runtime.camelContext().getRegistry().lookupByNameAndType(S3ArtifactStore.CLIENT_BEAN, S3Client.class);
        // what the killed process left: one object complete, one multipart upload with a part and never completed
        s3.putObject(PutObjectRequest.builder().bucket("backups").key(prefix + "db.dump.sha256").build(),
                RequestBody.fromString("0".repeat(64) + "  db.dump\n"));
        String uploadId = s3.createMultipartUpload(CreateMultipartUploadRequest.builder().bucket("backups")
                .key(prefix + "db.dump").build()).uploadId();
        s3.uploadPart(UploadPartRequest.builder().bucket("backups").key(prefix + "db.dump").uploadId(uploadId).partNumber(1)
                .build(), RequestBody.fromBytes(new byte[6 * 1024 * 1024]));
        assertEquals(1, uploads(s3, prefix));

        BackupResult next = succeeded(backup(null));

        assertEquals(0, uploads(s3, prefix), "the killed run's multipart upload is still open");
        assertEquals(List.of(), runtime.store().list(ArtifactStore.artifactPath(env.project, "prod", deadArtifact)));
        List<Path> anyLeft = files(env.s3Dir).stream().filter(p -> p.toString().contains(deadArtifact)
                || p.toString().contains(uploadId)).toList();
        assertEquals(List.of(), anyLeft, "parts or objects of the killed run left on the store's disk");
        Map<String, Object> swept = Json.readMap((String) ops("select payload::text as p from ops.run_events where "
                + "event_type = 'abandoned_run_swept' and run_id in (select run_id from ops.runs where environment_id = ?)",
                env.environmentId()).get(0).get("p"));
        assertEquals(1, ((Number) swept.get("incomplete_uploads_aborted")).intValue(), swept.toString());
        assertNotNull(next.artifactId());
    }

    private static int uploads(S3Client s3, String prefix) {
        return s3.listMultipartUploads(ListMultipartUploadsRequest.builder().bucket("backups").prefix(prefix).build())
                .uploads().size();
    }

    /** A backup run whose process died: started with ops.begin_run on a connection that then closes (lock gone). */
    private void killedBackupRun(String artifactId) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + TestEnvironment.OPS_DB,
                "postgres", "")) {
            var ps = c.prepareStatement("select ops.begin_run(?, ?, ?, 'backup', 'operator', cast(? as jsonb), 60)");
            ps.setObject(1, UUID.randomUUID());
            ps.setString(2, env.project);
            ps.setString(3, env.environmentId());
            ps.setString(4, Json.compact(Map.of("artifact_id", artifactId, "kind", "backup", "backup_type", "db_only")));
            ps.executeQuery().close();
        }
    }
}
