package dev.odooops.flows;

import dev.odooops.App;
import dev.odooops.OpsRuntime;
import dev.odooops.cli.Commands;
import dev.odooops.domain.Json;
import dev.odooops.domain.TreeDigest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.domain.RequestRejected;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.support.OdooStandIn;
import dev.odooops.support.FlowFixture;
import dev.odooops.support.TestEnvironment;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static dev.odooops.support.TestEnvironment.PASSWORD;
import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Restores into a real environment (PostgreSQL, filestore, S3, an Odoo stand-in over HTTP), each path of the run. */
class RestoreFlowTest {
    private FlowFixture fx;
    private TestEnvironment env;
    private OdooStandIn odoo;
    private OpsRuntime runtime;

    @BeforeEach
    void setUp() throws Exception {
        fx = FlowFixture.standIn("restore");
        env = fx.env;
        odoo = fx.odoo;
        runtime = fx.runtime(); // never restarted here
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (fx != null) fx.close();
    }

    private RestoreResult restore(String artifact, BackupType type) {
        return fx.restore(artifact, type, RestoreRequest.Mode.AUTO);
    }

    /** md5 of every row of every table: equal fingerprints mean equal content. */
    private Map<String, String> dbFingerprint() throws Exception {
        return dev.odooops.support.EnvironmentState.tables(env.database);
    }

    private String fsFingerprint() {
        return TreeDigest.of(env.odoo.filestore()).digest();
    }

    private void damage() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "")) {
            c.createStatement().execute("delete from res_partner where id > 250 and id not in (select partner_id from account_move "
                    + "union select partner_id from res_users)");
            c.createStatement().execute("update res_partner set name = 'damaged' where id < 10");
        }
        try (Stream<Path> files = Files.walk(env.odoo.filestore())) {
            List<Path> all = files.filter(Files::isRegularFile).sorted().toList();
            for (int i = 0; i < 10; i++) Files.delete(all.get(i));
        }
        Files.writeString(env.odoo.filestore().resolve("stray-file"), "not from the backup");
    }

    private List<String> leftoverDatabases() throws Exception {
        return ops("select 1").isEmpty() ? List.of() : TestEnvironment.ops(
                "select datname from pg_database where datname like ?", env.database + "\\_\\_%").stream()
                .map(m -> (String) m.get("datname")).toList();
    }

    private List<String> leftoverDirectories() throws Exception {
        try (Stream<Path> s = Files.list(env.odoo.filestore().getParent())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(env.odoo.filestore().getFileName().toString())).toList();
        }
    }

    @Test
    void should_restore_database_and_filestore_to_the_backed_up_state() throws Exception {
        Map<String, String> db = dbFingerprint();
        String fs = fsFingerprint();
        BackupResult b = fx.backup(BackupType.FULL);
        damage();
        assertNotEquals(db, dbFingerprint());
        assertNotEquals(fs, fsFingerprint());

        RestoreResult r = restore(b.artifactId(), BackupType.FULL);

        assertEquals("success", r.status(), r.error());
        assertEquals(db, dbFingerprint());
        assertEquals(fs, fsFingerprint());
        assertNotNull(r.preRestoreBackupId());
        var safety = runtime.catalog().artifacts().artifact(r.preRestoreBackupId()).orElseThrow();
        assertEquals("pre_restore", safety.kind());
        assertEquals(r.runId(), ops("select parent_run_id::text as p from ops.runs where run_id = ?",
                safety.runId()).get(0).get("p"));
        assertEquals(List.of(), leftoverDatabases(), "databases kept aside or half-restored remain");
        assertEquals(List.of(), leftoverDirectories(), "filestore directories kept aside remain");
        assertTrue(odoo.calls().containsAll(List.of("POST /maintenance/on", "POST /stop", "POST /start", "GET /web/health",
                "POST /maintenance/off")), odoo.calls().toString());
        assertTrue(odoo.running());
        assertFalse(odoo.inMaintenance());

        Path dir = Path.of(r.evidenceDir());
        assertTrue(dir.getParent().getParent().getFileName().toString().matches("\\d{8}-\\d{4}"), dir.toString());
        for (String name : List.of("inputs.json", "run_id.txt", "artifact_verification.json", "pre_restore_backup.json",
                "quiesce_status.json", "db_restore.log", "db_restore_duration.json", "db_restore_checksum_verification.json",
                "filestore_restore.log", "filestore_restore_duration.json", "filestore_restore_checksum_verification.json",
                "config_snapshot.json", "config_comparison.json", "odoo_restart.log", "restart_duration.json",
                "validation_report.json", "final_status.json")) {
            assertTrue(Files.isRegularFile(dir.resolve(name)), "missing evidence " + name);
        }
        Map<String, Object> report = Json.readMap(dir.resolve("validation_report.json"));
        assertEquals(true, report.get("ok"), report.toString());
        assertEquals(7, ((List<?>) report.get("checks")).size());
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                assertFalse(Files.readString(f, StandardCharsets.ISO_8859_1).contains(PASSWORD), "password in " + f);
            }
        }
        assertEquals("success", ops("select status from ops.runs where run_id = ?::uuid", r.runId()).get(0).get("status"));
    }

    @Test
    void should_restore_an_environment_whose_database_and_filestore_are_gone() throws Exception {
        Map<String, String> db = dbFingerprint();
        String fs = fsFingerprint();
        BackupResult b = fx.backup(BackupType.FULL);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
            c.createStatement().execute("drop database " + env.database + " with (force)");
        }
        dev.odooops.demo.DemoEnvironment.deleteTree(env.odoo.filestore());

        RestoreResult r = restore(b.artifactId(), BackupType.FULL);

        assertEquals("success", r.status(), r.error());
        assertEquals(db, dbFingerprint());
        assertEquals(fs, fsFingerprint());
        Map<String, Object> safety = Json.readMap(Path.of(r.evidenceDir(), "pre_restore_backup.json"));
        assertEquals(true, safety.get("skipped"));
        assertTrue(String.valueOf(safety.get("reason")).contains("disaster recovery"), safety.toString());
        assertEquals(null, r.preRestoreBackupId());
        assertEquals(List.of(), leftoverDatabases());
    }

    @Test
    void should_only_validate_when_the_same_artifact_is_restored_again() throws Exception {
        BackupResult b = fx.backup(BackupType.FULL);
        RestoreResult first = restore(b.artifactId(), BackupType.FULL);
        assertEquals("success", first.status(), first.error());
        // the new database's fingerprint is the one check-row-counts's scan took (nothing wrote to it since): the
        // second restore below finds it equal to the database it then reads
        String fingerprinted = (String) ops("select payload::text as p from ops.run_events where run_id = ?::uuid "
                + "and step = 'fingerprint-new-copies' and event_type = 'step_completed'", first.runId()).get(0).get("p");
        assertTrue(fingerprinted.contains("\"database_taken_by_check_row_counts\": true"), fingerprinted);
        long safetyBackups = ops("select 1 from ops.artifacts where kind = 'pre_restore' and environment_id = ?", env.environmentId()).size();

        RestoreResult second = restore(b.artifactId(), BackupType.FULL);

        assertEquals("success", second.status(), second.error());
        assertTrue(second.validationOnly());
        assertEquals(safetyBackups, ops("select 1 from ops.artifacts where kind = 'pre_restore' and environment_id = ?",
                env.environmentId()).size(), "validation-only must not take a safety backup");
        assertFalse(Files.exists(Path.of(second.evidenceDir(), "db_restore.log")));
        assertEquals(true, Json.readMap(Path.of(second.evidenceDir(), "validation_report.json")).get("ok"));
    }

    /**
     * The fingerprint a restore of a packed artifact records for its filestore is the index's tree digest (version 3,
     * the tree is not read again); the next restore of that artifact reads the live tree in that version, so a file
     * rewritten in place with the same size is still a change.
     */
    @Test
    @SuppressWarnings("unchecked")
    void should_restore_again_when_a_file_changed_since_the_same_artifact_was_restored() throws Exception {
        BackupResult b = fx.backup(BackupType.FULL);
        RestoreResult first = restore(b.artifactId(), BackupType.FULL);
        assertEquals("success", first.status(), first.error());
        Map<String, Object> recorded = (Map<String, Object>) ((Map<String, Object>) Json.readMap(
                Path.of(first.evidenceDir(), "final_status.json")).get("fingerprint")).get("filestore");
        assertEquals("3", recorded.get("tree_digest_version"), recorded.toString());
        assertEquals(Json.readMap(Path.of(first.evidenceDir(), "filestore_restore_checksum_verification.json"))
                .get("actual_tree_digest"), recorded.get("tree_digest"), "the verified tree's digest, not read again");

        Path file;
        try (Stream<Path> files = Files.walk(env.odoo.filestore())) {
            file = files.filter(Files::isRegularFile).sorted().findFirst().orElseThrow();
        }
        byte[] content = Files.readAllBytes(file);
        content[0] ^= 1;
        Files.write(file, content); // same size, same name: only the content differs
        RestoreResult second = restore(b.artifactId(), BackupType.FULL);

        assertEquals("success", second.status(), second.error());
        assertFalse(second.validationOnly());
        String reason = String.valueOf(Json.readMap(Path.of(second.evidenceDir(), "final_status.json")).get("mode_reason"));
        assertTrue(reason.contains("the filestore changed (tree_digest"), reason);
        content[0] ^= 1;
        assertTrue(java.util.Arrays.equals(content, Files.readAllBytes(file)), "the file is the artifact's again");

        // version 3 describes regular files only: a link planted since is counted, so it is still a change
        Path planted = file.resolveSibling("planted-link");
        Files.createSymbolicLink(planted, Path.of("/etc/passwd"));
        RestoreResult third = restore(b.artifactId(), BackupType.FULL);
        assertEquals("success", third.status(), third.error());
        assertFalse(third.validationOnly());
        reason = String.valueOf(Json.readMap(Path.of(third.evidenceDir(), "final_status.json")).get("mode_reason"));
        assertTrue(reason.contains("the filestore changed (other_entries: 0 -> 1)"), reason);
        assertFalse(Files.exists(planted, java.nio.file.LinkOption.NOFOLLOW_LINKS), "the restored tree has no link");
    }

    /** The same artifact restored again after the filestore was lost: decided from the missing tree, then restored. */
    @Test
    void should_restore_again_when_the_filestore_is_gone_since_the_same_artifact_was_restored() throws Exception {
        String fs = fsFingerprint();
        BackupResult b = fx.backup(BackupType.FULL);
        assertEquals("success", restore(b.artifactId(), BackupType.FULL).status());
        dev.odooops.demo.DemoEnvironment.deleteTree(env.odoo.filestore());

        RestoreResult again = restore(b.artifactId(), BackupType.FULL);

        assertEquals("success", again.status(), again.error());
        assertFalse(again.validationOnly());
        String reason = String.valueOf(Json.readMap(Path.of(again.evidenceDir(), "final_status.json")).get("mode_reason"));
        assertTrue(reason.endsWith("but the filestore does not exist"), reason);
        assertEquals(fs, fsFingerprint());
    }

    @Test
    void should_restore_only_the_database_or_only_the_filestore() throws Exception {
        Map<String, String> db = dbFingerprint();
        String fs = fsFingerprint();
        BackupResult b = fx.backup(BackupType.FULL);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "")) {
            c.createStatement().execute("update res_partner set name = 'damaged' where id < 10");
        }
        Files.writeString(env.odoo.filestore().resolve("stray-file"), "not from the backup");
        String changedFs = fsFingerprint();

        RestoreResult dbOnly = restore(b.artifactId(), BackupType.DB_ONLY);
        assertEquals("success", dbOnly.status(), dbOnly.error());
        assertEquals(db, dbFingerprint());
        assertEquals(changedFs, fsFingerprint(), "a db_only restore leaves the filestore alone");
        assertFalse(Files.exists(Path.of(dbOnly.evidenceDir(), "filestore_restore.log")));

        try (Stream<Path> files = Files.walk(env.odoo.filestore())) {
            Files.delete(files.filter(Files::isRegularFile).sorted().findFirst().orElseThrow());
        }
        RestoreResult fsOnly = restore(b.artifactId(), BackupType.FILESTORE_ONLY);
        assertEquals("success", fsOnly.status(), fsOnly.error());
        assertEquals(fs, fsFingerprint());
        assertEquals(db, dbFingerprint());
        assertFalse(Files.exists(Path.of(fsOnly.evidenceDir(), "db_restore.log")));
    }

    @Test
    void should_roll_back_a_database_restore_that_leaves_attachments_without_files() throws Exception {
        BackupResult b = fx.backup(BackupType.FULL);
        damage(); // deletes attachment files the restored database refers to
        Map<String, String> damaged = dbFingerprint();

        RestoreResult r = restore(b.artifactId(), BackupType.DB_ONLY);

        assertEquals("rolled_back", r.status());
        assertEquals("validate", r.failedStep());
        assertTrue(r.error().contains("filestore:") && r.error().contains("missing"), r.error());
        assertEquals(damaged, dbFingerprint());
    }

    @Test
    void should_refuse_an_artifact_with_one_byte_flipped_before_touching_anything() throws Exception {
        BackupResult b = fx.backup(BackupType.FULL);
        damage();
        Map<String, String> db = dbFingerprint();
        String fs = fsFingerprint();
        Path dump = env.s3Dir.resolve("backups/ops").resolve(env.project).resolve("prod").resolve(b.artifactId()).resolve("db.dump");
        byte[] bytes = Files.readAllBytes(dump);
        bytes[bytes.length / 3] ^= 0x10;
        Files.write(dump, bytes);
        long runs = ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size();

        RequestRejected e = assertThrows(RequestRejected.class, () -> restore(b.artifactId(), BackupType.FULL));

        assertTrue(e.getMessage().contains("artifact: checksum mismatch") && e.getMessage().contains("db.dump"), e.getMessage());
        assertEquals(db, dbFingerprint());
        assertEquals(fs, fsFingerprint());
        assertEquals(runs, ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size());
        assertFalse(odoo.calls().contains("POST /stop"));
        assertTrue(Files.list(env.workDir).findAny().isEmpty(), "fetched files left in the work directory");
    }

    @Test
    void should_leave_everything_as_before_when_pg_restore_fails_beside_the_live_database() throws Exception {
        BackupResult b = fx.backup(BackupType.FULL);
        // a dump that passes the integrity checks but does not load: its stored bytes and recorded checksums agree
        corruptStored(b.artifactId(), "db.dump", "PGDMP this is not a loadable archive");
        damage();
        Map<String, String> db = dbFingerprint();
        String fs = fsFingerprint();
        int callsBefore = odoo.calls().size();

        RestoreResult r = restore(b.artifactId(), BackupType.FULL);
        List<String> all = new ArrayList<>(odoo.calls());
        List<String> calls = all.subList(callsBefore, all.size());

        // pg_restore runs before quiesce, into a database beside the live one: nothing of the environment changed
        assertEquals("failed", r.status());
        assertEquals("restore-database", r.failedStep());
        assertEquals(db, dbFingerprint());
        assertEquals(fs, fsFingerprint());
        assertEquals(List.of(), leftoverDatabases());
        assertEquals(List.of(), leftoverDirectories());
        assertTrue(odoo.running(), "Odoo was never stopped");
        assertFalse(calls.contains("POST /stop"), calls.toString());
        assertFalse(calls.contains("POST /maintenance/on"), calls.toString());
        assertFalse(odoo.inMaintenance());
        Map<String, Object> rollback = Json.readMap(Path.of(r.evidenceDir(), "rollback.json"));
        assertEquals("not_needed", rollback.get("outcome"));
        assertTrue(Files.exists(Path.of(r.evidenceDir(), "failure.json")));
        assertTrue(Files.readString(Path.of(r.evidenceDir(), "db_restore.log")).contains("FAILED"));
        assertEquals("failed", ops("select status from ops.runs where run_id = ?::uuid", r.runId()).get(0).get("status"));
    }

    /** Replaces a stored file with bytes that pass the integrity checks (catalog checksum updated) but do not load. */
    private void corruptStored(String artifactId, String name, String content) throws Exception {
        Path file = env.s3Dir.resolve("backups/ops").resolve(env.project).resolve("prod").resolve(artifactId).resolve(name);
        Files.writeString(file, content);
        String sha = TestEnvironment.sh(null, "sha256sum", file.toString()).substring(0, 64);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + TestEnvironment.OPS_DB, "postgres", "")) {
            var ps = c.prepareStatement("update ops.artifacts set checksums = jsonb_set(checksums, array[?], to_jsonb(?::text)) where id = ?");
            ps.setString(1, name);
            ps.setString(2, sha);
            ps.setString(3, artifactId);
            ps.executeUpdate();
        }
    }

    @Test
    void should_put_the_database_back_when_the_filestore_step_fails_after_the_database_swap() throws Exception {
        BackupResult b = fx.backup(BackupType.FULL);
        // the filestore step fails at its end, both swaps done (a prepared filestore that failed earlier stops the
        // restore before the database swap instead: PackedFilestoreTest)
        AdviceWith.adviceWith(runtime.camelContext(), "restore-run", a -> a.weaveById("restore-filestore").after()
                .throwException(new IllegalStateException("the filestore step failed after its swap (injected)")));
        damage();
        Map<String, String> damaged = dbFingerprint();
        String damagedFs = fsFingerprint();

        RestoreResult r = restore(b.artifactId(), BackupType.FULL);

        assertEquals("rolled_back", r.status(), r.error());
        assertEquals("restore-filestore", r.failedStep());
        assertTrue(Files.readString(Path.of(r.evidenceDir(), "db_restore.log")).contains("renamed"), "the database was swapped");
        assertEquals(damaged, dbFingerprint(), "the swapped-in database is replaced by the one kept aside");
        assertEquals(damagedFs, fsFingerprint());
        assertEquals(List.of(), leftoverDatabases());
        assertEquals(List.of(), leftoverDirectories());
    }

    @Test
    void should_roll_back_when_the_health_check_fails() throws Exception {
        Map<String, String> db = dbFingerprint();
        BackupResult b = fx.backup(BackupType.FULL);
        damage();
        Map<String, String> damaged = dbFingerprint();
        String damagedFs = fsFingerprint();
        odoo.unhealthyStarts = 1; // the restored data does not come up; the put-back data does

        RestoreResult r = restore(b.artifactId(), BackupType.FULL);

        assertEquals("rolled_back", r.status(), r.error());
        assertEquals("restart-odoo", r.failedStep());
        assertTrue(r.error().contains("health check failed"), r.error());
        assertEquals(damaged, dbFingerprint(), "the environment is put back as it was before the restore");
        assertNotEquals(db, dbFingerprint());
        assertEquals(damagedFs, fsFingerprint());
        assertEquals(List.of(), leftoverDatabases());
    }

    @Test
    void should_roll_back_when_validation_fails_and_never_roll_back_twice() throws Exception {
        BackupResult b = fx.backup(BackupType.FULL);
        damage();
        Map<String, String> damaged = dbFingerprint();
        odoo.errorInLogAtStart = true;
        // the rollback route is entered a second time for the same run: it must not roll back again
        AdviceWith.adviceWith(runtime.camelContext(), "restore-failed",
                a -> a.weaveById("finish-failed-restore").before().to("direct:rollback-restore"));

        RestoreResult r = restore(b.artifactId(), BackupType.FULL);

        assertEquals("validate", r.failedStep());
        assertTrue(r.error().contains("odoo_log"), r.error());
        assertEquals("failed", r.status(), "the second rollback attempt reports failed, as a repeated rollback does");
        assertEquals(damaged, dbFingerprint());
        assertEquals(1, ops("select 1 from ops.run_events where run_id = ?::uuid and event_type = 'rollback_started'", r.runId()).size());
        assertEquals(1, ops("select 1 from ops.run_events where run_id = ?::uuid and event_type = 'rollback_completed'", r.runId()).size());
        assertEquals("already_done", Json.readMap(Path.of(r.evidenceDir(), "rollback.json")).get("outcome"));
        Map<String, Object> report = Json.readMap(Path.of(r.evidenceDir(), "validation_report.json"));
        assertEquals(false, report.get("ok"));
    }

    @Test
    void should_roll_back_from_the_pre_restore_backup_when_the_kept_aside_copy_is_gone() throws Exception {
        BackupResult b = fx.backup(BackupType.FULL);
        damage();
        Map<String, String> damaged = dbFingerprint();
        String damagedFs = fsFingerprint();
        odoo.unhealthyStarts = 1; // the restored data does not come up; the put-back data does
        // the database kept aside disappears before the rollback: the fast path cannot put it back
        AdviceWith.adviceWith(runtime.camelContext(), "restore-failed", a -> a.weaveById("record-restore-failure").after()
                .process(ex -> {
                    var job = ex.getVariable("restoreJob", dev.odooops.model.RestoreJob.class);
                    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
                        c.createStatement().execute("drop database " + job.asideDatabase() + " with (force)");
                    }
                }));

        RestoreResult r = restore(b.artifactId(), BackupType.FULL);

        Map<String, Object> rollback = Json.readMap(Path.of(r.evidenceDir(), "rollback.json"));
        assertEquals("rolled_back", r.status(), rollback.toString());
        assertTrue(rollback.get("actions").toString().contains("slow path: database of pre-restore backup " + r.preRestoreBackupId()),
                rollback.toString());
        assertEquals(damaged, dbFingerprint(), "the pre-restore backup brought the environment back");
        assertEquals(damagedFs, fsFingerprint());
        assertEquals(List.of(), leftoverDatabases(), rollback.toString());
        assertEquals(List.of(), leftoverDirectories(), rollback.toString());
        assertTrue(Files.isRegularFile(Path.of(r.evidenceDir(), "rollback", "db_restore.log")), "slow-path evidence");
    }

    @Test
    void should_never_stop_odoo_when_a_restore_fails_while_loading_beside_the_live_copies() throws Exception {
        BackupResult b = fx.backup(BackupType.FULL);
        damage();
        Map<String, String> damaged = dbFingerprint();
        String damagedFs = fsFingerprint();
        // the new database is created and the filestore prepared, then the load fails: all before quiesce
        AdviceWith.adviceWith(runtime.camelContext(), "restore-run", a -> a.weaveById("restore-database").replace()
                .throwException(new IllegalStateException("could not load the database")));
        int callsBefore = odoo.calls().size();

        RestoreResult r = restore(b.artifactId(), BackupType.FULL);
        List<String> all = new ArrayList<>(odoo.calls());
        List<String> calls = all.subList(callsBefore, all.size());

        assertEquals("failed", r.status(), "nothing was changed, so nothing is rolled back");
        Map<String, Object> rollback = Json.readMap(Path.of(r.evidenceDir(), "rollback.json"));
        assertEquals("not_needed", rollback.get("outcome"));
        assertTrue(rollback.get("actions").toString().contains("dropped " + env.database + "__restore_"), rollback.toString());
        assertEquals(damaged, dbFingerprint());
        assertEquals(damagedFs, fsFingerprint());
        assertEquals(List.of(), leftoverDatabases(), rollback.toString());
        assertEquals(List.of(), leftoverDirectories(), rollback.toString());
        assertTrue(odoo.running(), "Odoo still runs");
        assertFalse(odoo.inMaintenance(), "and was never in maintenance mode");
        assertFalse(calls.contains("POST /stop"), calls.toString());
        assertFalse(calls.contains("POST /maintenance/on"), "the safety backup does not quiesce either: " + calls);
    }

    @Test
    void should_bring_odoo_back_when_a_restore_fails_after_quiesce_before_changing_any_data() throws Exception {
        BackupResult b = fx.backup(BackupType.FULL);
        damage();
        Map<String, String> damaged = dbFingerprint();
        AdviceWith.adviceWith(runtime.camelContext(), "restore-run", a -> a.weaveById("swap-database").replace()
                .throwException(new IllegalStateException("could not swap the database")));

        RestoreResult r = restore(b.artifactId(), BackupType.FULL);

        assertEquals("failed", r.status(), "nothing was changed, so nothing is rolled back");
        assertEquals("not_needed", Json.readMap(Path.of(r.evidenceDir(), "rollback.json")).get("outcome"));
        assertEquals(damaged, dbFingerprint());
        assertEquals(List.of(), leftoverDatabases());
        assertEquals(List.of(), leftoverDirectories());
        assertTrue(odoo.running(), "Odoo is started again");
        assertFalse(odoo.inMaintenance(), "and out of maintenance mode");
        assertTrue(odoo.calls().contains("POST /stop"));
    }

    @Test
    void should_not_restore_production_without_confirm() throws Exception {
        BackupResult b = fx.backup(BackupType.FULL);
        damage();
        Map<String, String> db = dbFingerprint();
        for (List<String> extra : List.of(List.<String>of(), List.of("--confirm", "prod"))) {
            List<String> args = new ArrayList<>(List.of("restore", "--project", env.project, "--env", "prod", "--artifact",
                    b.artifactId(), "--config", env.configDir.toString()));
            args.addAll(extra);
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals(2, App.run(args, new PrintStream(out), new PrintStream(err), System::getenv), err.toString());
            assertTrue(err.toString().contains("confirm: " + env.environmentId() + " is a production environment: "
                    + "restoring it needs --confirm " + env.environmentId()), err.toString());
            assertEquals("", out.toString());
        }
        assertEquals(db, dbFingerprint());
        assertEquals(0, ops("select 1 from ops.runs where environment_id = ? and operation_type = 'restore'", env.environmentId()).size());
    }

    @Test
    void should_report_the_eleven_preflight_checks() throws Exception {
        BackupResult b = fx.backup(BackupType.FULL);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = App.run(List.of("preflight-restore", "--env", env.environmentId(), "--artifact", b.artifactId(),
                "--confirm", env.environmentId(), "--config", env.configDir.toString()), new PrintStream(out), System.err, System::getenv);
        assertEquals(0, code, out.toString());
        Map<String, Object> report = Json.readMap(out.toString());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> checks = (List<Map<String, Object>>) report.get("checks");
        assertEquals(List.of("environment", "permission", "no_active_run", "artifact", "metadata", "version", "disk_space",
                "postgres", "filestore", "odoo_conf", "checksums"), checks.stream().map(c -> c.get("name")).toList());

        // a statement of the server's version is a major version, named by its option when it is not
        out.reset();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        code = App.run(List.of("preflight-restore", "--env", env.environmentId(), "--artifact", b.artifactId(),
                "--confirm", env.environmentId(), "--odoo-version", "17", "--config", env.configDir.toString()),
                new PrintStream(out), new PrintStream(err), System::getenv);
        assertEquals(2, code, out + " " + err);
        assertTrue((out + " " + err).contains("odoo-version: expected a major version such as 17.0"), out + " " + err);

        out.reset();
        code = App.run(List.of("validate-env", "--env", env.environmentId(), "--artifact", b.artifactId(), "--config",
                env.configDir.toString()), new PrintStream(out), System.err, System::getenv);
        assertEquals(0, code, out.toString());
        assertEquals(true, Json.readMap(out.toString()).get("ok"));
    }
}
