package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.RequestRejected;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.RecoverRequest;
import dev.odooops.model.Report;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.model.SnapshotRequest;
import dev.odooops.staging.ScratchCopies;
import dev.odooops.support.FlowFixture;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sanitised snapshot (issue 14, section 1) on an Odoo-shaped environment backed up to a local store (packed
 * filestore): refusals naming the field, the snapshot stored as kind sanitized_snapshot with packs apart from
 * production's and restorable with no original email left, a store failing mid-way, and a kill -9 half-way that
 * {@code recover} cleans up. The stages share one environment and run in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SnapshotTest {
    private FlowFixture fx;
    private TestEnvironment env;
    private BackupResult backup;

    @BeforeAll
    void setUp() throws Exception {
        env = TestEnvironment.create("snapshot").withLocalStore().withOperatorActions("backup, restore, copy");
        fx = FlowFixture.standIn(env);
        backup = fx.backup();
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (fx != null) fx.close();
    }

    private OpsRuntime rt() {
        return fx.runtime();
    }

    private Report snapshot(String artifact, String user) {
        return rt().operations().runQueued(new SnapshotRequest(env.project, "prod", true, artifact, user, "test"), null);
    }

    @Test
    @Order(1)
    void should_refuse_a_snapshot_without_sanitize_naming_the_field() {
        TestEnvironment.CliResult r = env.cli("snapshot", "--env", env.project + "/prod");
        assertEquals(2, r.exit(), r.stdout() + r.stderr());
        assertTrue(r.stderr().contains("sanitize"), r.stderr());
    }

    @Test
    @Order(2)
    void should_refuse_an_unknown_artifact_and_one_of_another_environment() throws Exception {
        RequestRejected unknown = assertThrows(RequestRejected.class, () -> snapshot("no-such-artifact", "operator"));
        assertEquals("artifact", unknown.field(), unknown.getMessage());
        try (TestEnvironment other = TestEnvironment.create("snapother").withLocalStore(); OpsRuntime o = other.runtime()) {
            BackupResult b = o.operations().backup(dev.odooops.model.BackupRequest.of(other.project, "prod", BackupType.DB_ONLY,
                    null, null, null, null, "operator", "test"));
            assertEquals("success", b.status(), b.error());
            RequestRejected foreign = assertThrows(RequestRejected.class, () -> snapshot(b.artifactId(), "operator"));
            assertEquals("artifact", foreign.field());
            assertTrue(foreign.getMessage().contains("belongs to"), foreign.getMessage());
        }
        assertEquals(0, ops("select 1 from ops.runs where environment_id = ? and operation_type = 'snapshot'",
                env.environmentId()).size(), "a refused request starts no run");
    }

    @Test
    @Order(3)
    void should_refuse_a_user_without_copy_permission() {
        RequestRejected denied = assertThrows(RequestRejected.class, () -> snapshot(null, "auditor"));
        assertTrue(denied.getMessage().contains("copy"), denied.getMessage());
    }

    @Test
    @Order(4)
    void should_fail_and_drop_the_scratch_copies_when_a_pack_is_damaged_in_the_store() throws Exception {
        // the scratch database is restored, then the filestore's pack reads back damaged: the run fails, nothing stays
        Path pack;
        try (Stream<Path> s = Files.walk(env.localStoreDir())) {
            pack = s.filter(p -> p.toString().contains("/_packs/") && p.toString().endsWith(".tar.zst")).findFirst().orElseThrow();
        }
        byte[] good = Files.readAllBytes(pack);
        byte[] bad = good.clone();
        bad[bad.length / 2] ^= 0x55;
        Files.write(pack, bad);
        try {
            Report r = snapshot(null, "operator");
            assertFalse(r.ok(), r.body().toString());
            assertEquals("failed", r.body().get("status"));
            assertEquals("unpack-scratch-filestore", r.body().get("failed_step"), r.body().toString());
            assertNoScratchOf(UUID.fromString((String) r.body().get("run_id")));
        } finally {
            Files.write(pack, good);
        }
        // the store gone altogether: failed in fetch-artifact, nothing left
        Path store = env.localStoreDir();
        Path away = store.resolveSibling("store-away");
        Files.move(store, away);
        try {
            Report r = snapshot(null, "operator");
            assertEquals("failed", r.body().get("status"), r.body().toString());
            assertEquals("fetch-artifact", r.body().get("failed_step"), r.body().toString());
            assertNoScratchOf(UUID.fromString((String) r.body().get("run_id")));
        } finally {
            Files.move(away, store);
        }
    }

    @Test
    @Order(4)
    void should_fail_and_drop_the_scratch_copies_when_the_work_disk_fills_up() throws Exception {
        // a real full disk: a tmpfs over the work directory with room for the artifact's files and little more, so the
        // scratch database is loaded and the filestore then finds no room in the scratch directory
        long dump; // every file of the artifact the snapshot starts from (db.dump, the filestore archive, checksums)
        try (Stream<Path> s = Files.walk(env.localStoreDir())) {
            Path dir = s.filter(p -> p.getFileName().toString().equals("db.dump") && p.toString().contains(backup.artifactId()))
                    .findFirst().orElseThrow().getParent();
            try (Stream<Path> files = Files.list(dir)) {
                dump = files.mapToLong(p -> p.toFile().length()).sum();
            }
        }
        Files.createDirectories(env.workDir);
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + (dump + 512 * 1024), "tmpfs", env.workDir.toString())
                .redirectErrorStream(true).start();
        String why = new String(mount.getInputStream().readAllBytes()).strip();
        assertEquals(0, mount.waitFor(), "a full disk needs a tmpfs mount (root, mount rights): " + why);
        try {
            Files.write(env.workDir.resolve("filler"), new byte[480 * 1024]); // leaves the artifact's size and 32 KiB
            Report r = snapshot(null, "operator");
            assertEquals("failed", r.body().get("status"), r.body().toString());
            assertEquals("unpack-scratch-filestore", r.body().get("failed_step"), r.body().toString());
            assertTrue(String.valueOf(r.body().get("error")).contains("No space left on device"), r.body().toString());
            assertNoScratchOf(UUID.fromString((String) r.body().get("run_id")));
            assertEquals(0, ops("select 1 from ops.artifacts where environment_id = ? and kind = 'sanitized_snapshot'",
                    env.environmentId()).size(), "no snapshot artifact");
            try (Stream<Path> s = Files.list(env.workDir)) {
                assertEquals(List.of("filler"), s.map(p -> p.getFileName().toString()).toList(), "the work disk holds nothing of the run");
            }
        } finally {
            new ProcessBuilder("umount", env.workDir.toString()).inheritIO().start().waitFor();
        }
    }

    @Test
    @Order(5)
    void should_store_a_sanitized_snapshot_apart_from_production_that_restores_without_original_emails() throws Exception {
        Report r = snapshot(null, "operator");
        assertTrue(r.ok(), r.body().toString());
        String id = (String) r.body().get("artifact_id");
        assertNotNull(id);
        assertEquals("sanitized_snapshot", ops("select kind from ops.artifacts where id = ?", id).get(0).get("kind"));
        assertEquals(backup.artifactId(), r.body().get("source_artifact_id"));
        Path evidence = Path.of((String) r.body().get("evidence_dir"));
        assertTrue(evidence.toString().contains("/snapshot/"), evidence.toString());
        for (String f : List.of("inputs.json", "artifact_verification.json", "scratch_database.json", "scratch_filestore.json",
                "anonymization.json", "snapshot_artifact.json", "scratch_cleanup.json", "final_status.json")) {
            assertTrue(Files.exists(evidence.resolve(f)), f);
        }
        assertFalse(Files.readString(evidence.resolve("anonymization.json")).matches("(?s).*\"salt\"\\s*:\\s*\"[0-9a-f]{64}\".*"),
                "the salt is never in evidence");
        assertNoScratchOf(UUID.fromString((String) r.body().get("run_id")));
        // the artifact's own evidence (its backup run's) holds what was done to it, as private as every evidence file
        Path child = Path.of((String) dev.odooops.domain.Json.readMap(evidence.resolve("snapshot_artifact.json")).get("backup_evidence_dir"));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(child.resolve("anonymization.json"))));

        // packs: none shared between the snapshot and production's artifacts, in the catalog and in the store
        Set<String> snapshotPacks = packsOf(id);
        Set<String> productionPacks = new HashSet<>();
        for (Map<String, Object> a : ops("select id from ops.artifacts where environment_id = ? and kind <> 'sanitized_snapshot'",
                env.environmentId())) {
            productionPacks.addAll(packsOf((String) a.get("id")));
        }
        assertFalse(snapshotPacks.isEmpty());
        assertFalse(productionPacks.isEmpty());
        assertTrue(java.util.Collections.disjoint(snapshotPacks, productionPacks), snapshotPacks + " / " + productionPacks);
        for (String p : snapshotPacks) {
            assertTrue(storeFiles().contains(p + ".tar.zst"), "pack " + p + " of the snapshot is in the store");
        }
        // a production backup after the snapshot still reuses none of the snapshot's packs
        BackupResult after = fx.backup();
        assertTrue(java.util.Collections.disjoint(snapshotPacks, packsOf(after.artifactId())));

        // restorable: the snapshot restored into the environment validates, and no original email is in its dump
        String before = TestEnvironment.sh(env.root, "pg_dump", "--host=127.0.0.1", "--username=postgres", "--dbname=" + env.database);
        assertTrue(before.contains("partner1@example.com"), "production's own dump holds the original emails");
        RestoreResult restored = rt().operations().restore(new RestoreRequest(env.project, "prod", id, BackupType.FULL, true,
                true, env.environmentId(), "operator", "test", RestoreRequest.Mode.AUTO));
        assertEquals("success", restored.status(), restored.error());
        String dump = TestEnvironment.sh(env.root, "pg_dump", "--host=127.0.0.1", "--username=postgres", "--dbname=" + env.database);
        java.util.regex.Matcher email = java.util.regex.Pattern.compile("partner\\d+@example\\.com").matcher(dump);
        assertFalse(email.find(), () -> "an original email survived in the restored snapshot: " + email.group());
        assertFalse(dump.contains("+32 2 555 0001"), "an original phone survived in the restored snapshot");
    }

    /**
     * kill -9 at each crash point of the run (the scratch copies made, anonymised, inside the storing backup, stored):
     * {@code recover} leaves no scratch database or directory, and the next snapshot succeeds.
     */
    @Test
    @Order(6)
    void should_leave_no_scratch_copy_after_a_kill_half_way_and_recover() throws Exception {
        for (String point : List.of("snapshot:scratch-database-created", "snapshot:scratch-filestore-unpacked", "before:anonymize",
                "snapshot:anonymized", "before:upload-artifact", "snapshot:stored")) {
            env.withSpawnEnv("ODOO_OPS_CRASH_AT", point);
            Path out = env.root.resolve("snap-kill.out");
            Path err = env.root.resolve("snap-kill.err");
            Process p = env.spawn(out, err, "snapshot", "--env", env.project + "/prod", "--sanitize");
            env.withSpawnEnv("ODOO_OPS_CRASH_AT", "");
            assertTrue(p.waitFor(180, TimeUnit.SECONDS), point + ": the snapshot did not end");
            assertEquals(137, p.exitValue(), point + ": " + Files.readString(out) + Files.readString(err));
            List<Map<String, Object>> runs = ops("select run_id from ops.runs where environment_id = ? and operation_type = 'snapshot' "
                    + "order by created_at desc limit 1", env.environmentId());
            UUID killed = (UUID) runs.get(0).get("run_id");
            assertEquals(1, scratchDatabasesOf(killed).size(), point + ": the kill came after the scratch database was made");
            Report recovered = rt().operations().recover(new RecoverRequest(env.project, "prod", "operator", "cli"));
            assertTrue(recovered.ok(), point + ": " + recovered.body());
            assertNoScratchOf(killed);
            assertEquals("abandoned", ops("select status from ops.runs where run_id = ?", killed).get(0).get("status"), point);
        }
        Report again = snapshot(null, "operator");
        assertTrue(again.ok(), again.body().toString());
    }

    private void assertNoScratchOf(UUID run) throws Exception {
        assertEquals(List.of(), scratchDatabasesOf(run), "scratch databases of run " + run);
        try (Stream<Path> s = Files.list(env.workDir)) {
            List<String> left = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("scratch-") && n.endsWith(ScratchCopies.tag(run)))
                    .toList();
            assertEquals(List.of(), left, "scratch directories of run " + run);
        }
    }

    private static List<String> scratchDatabasesOf(UUID run) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        try (var c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
             var rs = c.createStatement().executeQuery("select datname from pg_database")) {
            while (rs.next()) if (ScratchCopies.isScratchOf(rs.getString(1), run)) out.add(rs.getString(1));
        }
        return out;
    }

    private static Set<String> packsOf(String artifact) throws Exception {
        return ops("select pack_id from ops.artifact_packs where artifact_id = ?", artifact).stream()
                .map(m -> (String) m.get("pack_id")).collect(Collectors.toSet());
    }

    private Set<String> storeFiles() throws Exception {
        try (Stream<Path> s = Files.walk(env.localStoreDir())) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }
}
