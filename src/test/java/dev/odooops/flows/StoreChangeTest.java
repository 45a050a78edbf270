package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Json;
import dev.odooops.model.ArtifactRequest;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.CheckRequest;
import dev.odooops.model.PinRequest;
import dev.odooops.model.Report;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
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
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Moving from one store to another (issue 13, A8): backups go to store A (S3), then the configuration names store B
 * (a local directory) with A as a previous store. Old artifacts stay readable where they are, the files only A holds
 * are stored once in B, check and verify read each artifact and pack from its own store, retention deletes from A,
 * and {@code store copy --to new} moves the rest so that A can leave the configuration. The stages share one
 * environment and run in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StoreChangeTest {
    private TestEnvironment env;
    private OpsRuntime runtime;
    private BackupResult pinned;   // in A, pinned
    private BackupResult older;    // in A, pruned by stage 4
    private BackupResult second;   // in A, moved by store copy

    @BeforeAll
    void setUp() throws Exception {
        env = TestEnvironment.create("storechange").withType("staging");
        try (OpsRuntime a = env.runtime()) {
            pinned = backup(a, null);
            older = backup(a, null);
            second = backup(a, null);
            a.operations().pin(new PinRequest(pinned.artifactId(), true, null, null, "operator"));
        }
        // store B is current; A is where the three artifacts and their packs are
        env.withStoreYaml(storeB(true));
        runtime = env.runtime();
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        env.close();
    }

    private String storeB(boolean withPrevious) {
        String b = "  name: new\n  type: local\n  local:\n    path: " + env.localStoreDir() + "\n";
        if (!withPrevious) return b;
        return b + "  previous:\n    - name: old-s3\n" + env.s3StoreYaml().indent(6);
    }

    private BackupResult backup(OpsRuntime rt, Integer daily) {
        BackupResult r = rt.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null, daily,
                daily == null ? null : 0, daily == null ? null : 0, "operator", "test"));
        assertEquals("success", r.status(), r.error());
        return r;
    }

    private static Map<String, Object> archiveStep(BackupResult r) throws Exception {
        List<Map<String, Object>> rows = ops("select payload::text as p from ops.run_events where run_id = ?::uuid "
                + "and event_type = 'step_completed' and step = 'archive-filestore'", r.runId());
        return Json.readMap((String) rows.get(0).get("p"));
    }

    private String uri(String artifactId) throws Exception {
        return (String) ops("select uri from ops.artifacts where id = ?", artifactId).get(0).get("uri");
    }

    /** The store copy runs of the environment, oldest first: status, evidence_dir, metadata kind. */
    private List<Map<String, Object>> copyRuns() throws Exception {
        return ops("select run_id, status, evidence_dir, metadata->>'kind' as kind from ops.runs where environment_id = ? "
                + "and operation_type = ? order by created_at", env.environmentId(), dev.odooops.app.StoreCopy.OPERATION);
    }

    /** A pack line of copied.json: read from A, now in B with the SHA-256 read back, and the catalog points at B. */
    private void assertPackInB(Map<String, Object> pack) throws Exception {
        assertTrue(((String) pack.get("source_uri")).startsWith("s3://"), pack.toString());
        Path inB = Path.of(java.net.URI.create((String) pack.get("target_uri")));
        assertEquals(dev.odooops.domain.Checksums.sha256(inB), pack.get("sha256_read_back"), pack.toString());
        assertEquals(pack.get("target_uri"), ops("select uri from ops.filestore_packs where project = ? and pack_id = ?",
                env.project, pack.get("pack_id")).get(0).get("uri"));
    }

    private Path inA(String artifactId) {
        return env.s3Dir.resolve("backups/ops").resolve(env.project).resolve("prod").resolve(artifactId);
    }

    private RestoreResult restoreAfterDamage(OpsRuntime rt, String artifactId) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "")) {
            c.createStatement().execute("delete from account_move");
        }
        // files the restore cannot link from the live filestore: their packs must be read
        try (var files = Files.walk(env.odoo.filestore())) {
            for (Path f : files.filter(Files::isRegularFile).limit(20).toList()) Files.delete(f);
        }
        RestoreResult r = rt.operations().restore(new RestoreRequest(env.project, "prod", artifactId, BackupType.FULL,
                true, true, null, "operator", "test"));
        assertEquals("success", r.status(), r.error());
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "")) {
            var rs = c.createStatement().executeQuery("select count(*) from account_move");
            rs.next();
            assertEquals(600, rs.getInt(1));
        }
        return r;
    }

    @Test
    @Order(1)
    void should_store_the_files_only_the_previous_store_holds_once_then_nothing_new() throws Exception {
        BackupResult first = backup(runtime, null);
        Map<String, Object> step = archiveStep(first);
        assertEquals(step.get("files"), step.get("new_files"), "every file is only in A: each is stored once in B " + step);
        assertTrue(first.warnings().isEmpty(), "no warning about A's packs: " + first.warnings());
        assertTrue(uri(first.artifactId()).startsWith(env.localStoreDir().toUri().toString()), uri(first.artifactId()));

        BackupResult next = backup(runtime, null);
        step = archiveStep(next);
        assertEquals(0, ((Number) step.get("new_files")).intValue(), "the catalog knows them in B now: " + step);
        assertEquals(0, ((Number) step.get("new_packs")).intValue(), step.toString());
        assertTrue(next.warnings().isEmpty(), next.warnings().toString());
    }

    @Test
    @Order(2)
    void should_restore_a_pinned_artifact_of_the_previous_store() throws Exception {
        assertTrue(uri(pinned.artifactId()).startsWith("s3://backups/ops/"), uri(pinned.artifactId()));
        restoreAfterDamage(runtime, pinned.artifactId());
    }

    @Test
    @Order(3)
    void should_check_and_verify_each_artifact_in_its_own_store() {
        Report check = runtime.operations().check(new CheckRequest(env.project, "operator"));
        assertTrue(check.ok(), check.body().toString());
        assertEquals(List.of(), check.body().get("missing_or_damaged"));
        for (String id : List.of(pinned.artifactId(), second.artifactId())) {
            Report verified = runtime.operations().verifyArtifact(new ArtifactRequest(id, true, 100, "operator"));
            assertTrue(verified.ok(), id + ": " + verified.body());
        }
    }

    @Test
    @Order(4)
    void should_prune_an_old_artifact_from_the_previous_store() throws Exception {
        assertTrue(Files.isDirectory(inA(older.artifactId())), "in A before the prune");
        RetentionFlowTest.age(older.artifactId(), "2 days");
        backup(runtime, 1);
        assertNotNull(ops("select pruned_at from ops.artifacts where id = ?", older.artifactId()).get(0).get("pruned_at"));
        assertFalse(Files.exists(inA(older.artifactId())), "pruned artifact still in A");
        assertNull(ops("select pruned_at from ops.artifacts where id = ?", pinned.artifactId()).get(0).get("pruned_at"));
        assertTrue(Files.isDirectory(inA(pinned.artifactId())), "the pinned artifact stays in A");
    }

    @Test
    @Order(5)
    @SuppressWarnings("unchecked")
    void should_copy_the_rest_to_the_new_store_and_restore_without_the_old_one() throws Exception {
        runtime.close();
        runtime = null;
        // killed (SIGKILL) after its first pack is copied and re-pointed, before that artifact's own files are
        Path out = env.root.resolve("copy-killed.out");
        env.withSpawnEnv("ODOO_OPS_CRASH_AT", "store-copy:pack-moved");
        Process killed = env.spawn(out, env.root.resolve("copy-killed.err"), "store", "copy", "--to", "new");
        assertTrue(killed.waitFor(180, java.util.concurrent.TimeUnit.SECONDS), "store copy did not end");
        env.withSpawnEnv("ODOO_OPS_CRASH_AT", "");
        assertEquals(137, killed.exitValue(), Files.readString(env.root.resolve("copy-killed.err")));
        // the oldest artifact (the pinned one) half moved: a pack of it in B, its own files still in A
        assertTrue(uri(pinned.artifactId()).startsWith("s3://"), uri(pinned.artifactId()));
        assertTrue(ops("select 1 from ops.artifact_packs ap join ops.filestore_packs p on p.project = ap.project "
                + "and p.pack_id = ap.pack_id where ap.artifact_id = ? and p.uri like 'file:%'", pinned.artifactId()).size() > 0);
        // the killed copy is a run of the environment, still 'running' until the next run finds its owner gone
        List<Map<String, Object>> killedRuns = copyRuns();
        assertEquals(1, killedRuns.size(), killedRuns.toString());
        String killedRun = killedRuns.get(0).get("run_id").toString();
        assertEquals("running", killedRuns.get(0).get("status"));
        Path killedEvidence = Path.of((String) killedRuns.get(0).get("evidence_dir"));
        assertTrue(Files.exists(killedEvidence.resolve("inputs.json")), killedEvidence.toString());
        Map<String, Object> killedLedger = Json.readMap(killedEvidence.resolve("copied.json"));
        List<Map<String, Object>> movedPacks = (List<Map<String, Object>>) killedLedger.get("packs");
        assertEquals(1, movedPacks.size(), "copied.json names the pack it re-pointed before the kill: " + killedLedger);
        assertPackInB(movedPacks.get(0));
        try (OpsRuntime afterKill = env.runtime()) {
            // every artifact still reads whole from the stores its rows and its packs' rows name
            for (String id : List.of(pinned.artifactId(), second.artifactId())) {
                Report verified = afterKill.operations().verifyArtifact(new ArtifactRequest(id, true, 100, "operator"));
                assertTrue(verified.ok(), id + " after the kill: " + verified.body());
            }
            assertTrue(afterKill.operations().check(new CheckRequest(env.project, "operator")).ok());
        }

        // the rerun continues
        TestEnvironment.CliResult copy = env.cli("store", "copy", "--to", "new");
        assertEquals(0, copy.exit(), copy.stdout() + copy.stderr());
        Map<String, Object> report = Json.readMap(copy.stdout());
        assertEquals(0, ((Number) report.get("left_elsewhere")).intValue(), report.toString());
        assertTrue(((List<?>) report.get("copied")).contains(pinned.artifactId()), report.toString());
        String b = env.localStoreDir().toUri().toString();
        // the rerun's start ended the killed run abandoned; the rerun is a run of its own, success, with its evidence
        List<Map<String, Object>> runs = copyRuns();
        assertEquals(2, runs.size(), runs.toString());
        assertEquals("abandoned", runs.stream().filter(r -> killedRun.equals(r.get("run_id").toString())).findFirst()
                .orElseThrow().get("status"));
        Map<String, Object> rerun = runs.stream().filter(r -> !killedRun.equals(r.get("run_id").toString())).findFirst().orElseThrow();
        assertEquals("success", rerun.get("status"), rerun.toString());
        assertEquals("store_copy", rerun.get("kind"));
        assertEquals(List.of(Map.of("run_id", rerun.get("run_id").toString(), "environment_id", env.environmentId(),
                "status", "success", "evidence_dir", rerun.get("evidence_dir"))), report.get("runs"));
        Path evidence = Path.of((String) rerun.get("evidence_dir"));
        assertTrue(evidence.startsWith(env.evidenceRoot), evidence + " under " + env.evidenceRoot);
        Map<String, Object> finalStatus = Json.readMap(evidence.resolve("final_status.json"));
        assertEquals("success", finalStatus.get("status"));
        assertEquals(report.get("copied"), finalStatus.get("copied"));
        Map<String, Object> ledger = Json.readMap(evidence.resolve("copied.json"));
        List<Map<String, Object>> artifacts = (List<Map<String, Object>>) ledger.get("artifacts");
        assertEquals(report.get("copied"), artifacts.stream().map(x -> x.get("artifact_id")).toList(), ledger.toString());
        for (Map<String, Object> a : artifacts) {
            assertTrue(((String) a.get("source_uri")).startsWith("s3://"), a.toString());
            assertEquals(uri((String) a.get("artifact_id")), a.get("target_uri"));
            List<Map<String, Object>> objects = (List<Map<String, Object>>) a.get("objects");
            assertFalse(objects.isEmpty(), a.toString());
            for (Map<String, Object> o : objects) {
                Path inB = Path.of(java.net.URI.create((String) o.get("target_uri")));
                assertEquals(dev.odooops.domain.Checksums.sha256(inB), o.get("sha256_read_back"), o.toString());
                assertTrue(((String) o.get("source_uri")).startsWith((String) a.get("source_uri")), o.toString());
            }
        }
        List<Map<String, Object>> packs = (List<Map<String, Object>>) ledger.get("packs");
        assertEquals(((Number) report.get("packs_copied")).intValue(), packs.size(), ledger.toString());
        for (Map<String, Object> p : packs) assertPackInB(p);
        // the killed run left no work directory
        assertFalse(Files.exists(env.workDir.resolve(killedRun)), "the killed copy's work directory is swept");
        for (Map<String, Object> row : ops("select a.id, a.uri from ops.artifacts a join ops.environments e on e.id = a.environment_id "
                + "where e.project = ? and a.pruned_at is null", env.project)) {
            assertTrue(((String) row.get("uri")).startsWith(b), row.toString());
        }
        for (Map<String, Object> row : ops("select pack_id, uri from ops.filestore_packs where project = ? and deleted_at is null",
                env.project)) {
            assertTrue(((String) row.get("uri")).startsWith(b), row.toString());
        }
        // a second run finds everything in place
        copy = env.cli("store", "copy", "--to", "new", "--env", env.project + "/prod");
        assertEquals(0, copy.exit(), copy.stdout() + copy.stderr());
        assertEquals(List.of(), Json.readMap(copy.stdout()).get("copied"));
        assertEquals(3, copyRuns().size(), "an environment named by --env gets a run even with nothing to copy");

        // A leaves the configuration and goes away: everything restores from B
        env.withStoreYaml(storeB(false));
        env.stopS3();
        runtime = env.runtime();
        restoreAfterDamage(runtime, pinned.artifactId());
        Report check = runtime.operations().check(new CheckRequest(env.project, "operator"));
        assertTrue(check.ok(), check.body().toString());
        Report verified = runtime.operations().verifyArtifact(new ArtifactRequest(second.artifactId(), true, 100, "operator"));
        assertTrue(verified.ok(), verified.body().toString());
    }
}
