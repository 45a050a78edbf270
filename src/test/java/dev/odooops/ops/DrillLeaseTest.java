package dev.odooops.ops;

import dev.odooops.domain.RetentionPlanner;
import dev.odooops.model.NewPack;
import dev.odooops.model.StoredObject;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A drill's lease against the real ops catalog (issue 16): while the drill's run is queued or running, its artifact is
 * never journaled for a prune (decided under the artifact's row lock, so a prune and a drill's start never both go
 * ahead), retention keeps it and the newest drilled-ok artifact, and a pack it refers to is neither collected nor
 * repacked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("fast")
class DrillLeaseTest {
    private TestEnvironment env;
    private OpsDatabase db;
    private OpsCatalog catalog;

    @BeforeAll
    void setUp() throws Exception {
        env = TestEnvironment.create("drlease");
        try (var rt = env.runtime()) {
            // migrates and synchronises the environment into the catalog
        }
        db = new OpsDatabase(dev.odooops.config.Settings.load(TestEnvironment.HOME, env.configDir, System::getenv));
        catalog = new OpsCatalog(db.dataSource());
    }

    @AfterAll
    void cleanUp() throws Exception {
        db.close();
        env.close();
    }

    private String artifact(String name, Instant createdAt) throws Exception {
        String id = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        ops("insert into ops.artifacts (id, environment_id, kind, backup_type, uri, checksums, sizes, manifest, created_at) "
                        + "values (?, ?, 'backup', 'full', ?, '{}', '{\"db.dump\": 10}', '{}', ?::timestamptz) returning id",
                id, env.environmentId(), "file:///nowhere/" + id, createdAt.toString());
        return id;
    }

    /** A drill run (queued, as a drill waiting for its turn) holding a lease on {@code artifactId}. */
    private UUID drill(String artifactId) throws Exception {
        UUID run = UUID.randomUUID();
        ops("insert into ops.runs (run_id, project, environment_id, operation_type, status, created_by) "
                + "values (?, ?, ?, 'drill', 'queued', 'operator') returning run_id", run, env.project, env.environmentId());
        assertTrue(catalog.drills().begin(run, env.project, env.environmentId(), artifactId, "127.0.0.1:5433",
                "drill_scratch", "/tmp/drill-scratch"));
        return run;
    }

    private void endRun(UUID run, boolean passed) throws Exception {
        assertTrue(passed ? catalog.drills().pass(run, 4200L, Map.of())
                : catalog.drills().fail(run, dev.odooops.domain.DrillVerdict.FAILED, Map.of(), "a check failed"));
        ops("update ops.runs set status = ?, finished_at = now() where run_id = ? returning run_id", passed ? "success" : "failed", run);
    }

    @Test
    void should_not_journal_the_prune_of_a_leased_artifact_and_journal_it_once_the_drill_ended() throws Exception {
        String a = artifact("leased", Instant.now().minusSeconds(3600));
        UUID run = drill(a);
        assertTrue(catalog.drills().isLeased(a));
        assertEquals(Optional.empty(), catalog.deletions().planPrune(env.environmentId(), a, "file:///nowhere/" + a, run));
        assertTrue(ops("select 1 as x from ops.store_deletions where artifact_id = ?", a).isEmpty(), "nothing journaled");
        assertTrue(catalog.retention().drillHolds(env.environmentId()).leased().contains(a));
        endRun(run, true);
        assertFalse(catalog.drills().isLeased(a));
        assertFalse(catalog.retention().drillHolds(env.environmentId()).leased().contains(a));
        assertTrue(catalog.deletions().planPrune(env.environmentId(), a, "file:///nowhere/" + a, run).isPresent(),
                "no lease: the prune is journaled");
        assertFalse(catalog.drills().begin(UUID.randomUUID(), env.project, env.environmentId(), a, null, null, null),
                "and a drill never starts on an artifact on its way out");
    }

    /**
     * The race: a drill takes its lease (the artifact's row locked, its row inserted, not committed yet) while a
     * retention journals the prune. The prune waits for the row lock and then sees the lease: nothing is journaled.
     */
    @Test
    void should_see_a_lease_taken_while_the_prune_waited_for_the_artifact_row() throws Exception {
        String a = artifact("race", Instant.now().minusSeconds(1800));
        UUID run = UUID.randomUUID();
        ops("insert into ops.runs (run_id, project, environment_id, operation_type, status, created_by) "
                + "values (?, ?, ?, 'drill', 'queued', 'operator') returning run_id", run, env.project, env.environmentId());
        CompletableFuture<Optional<dev.odooops.model.StoreDeletion>> prune;
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + TestEnvironment.OPS_DB, "postgres", "")) {
            c.setAutoCommit(false);
            try (PreparedStatement lock = c.prepareStatement("select id from ops.artifacts where id = ? for update")) {
                lock.setString(1, a);
                lock.executeQuery().close();
            }
            try (PreparedStatement ins = c.prepareStatement("insert into ops.drills(run_id, project, environment_id, artifact_id) "
                    + "values (?, ?, ?, ?)")) {
                ins.setObject(1, run);
                ins.setString(2, env.project);
                ins.setString(3, env.environmentId());
                ins.setString(4, a);
                ins.executeUpdate();
            }
            prune = CompletableFuture.supplyAsync(() -> catalog.deletions().planPrune(env.environmentId(), a, "file:///nowhere/" + a, run));
            c.commit();
        }
        assertEquals(Optional.empty(), prune.get(), "the prune saw the lease committed while it waited");
        assertTrue(ops("select 1 as x from ops.store_deletions where artifact_id = ?", a).isEmpty());
        endRun(run, false);
    }

    @Test
    void should_name_the_newest_artifact_whose_last_drill_passed_for_retention() throws Exception {
        String older = artifact("ok-older", Instant.now().minusSeconds(120));
        String newer = artifact("ok-newer", Instant.now().minusSeconds(60));
        endRun(drill(older), true);
        assertEquals(Optional.of(older), catalog.retention().drillHolds(env.environmentId()).newestDrilledOk());
        endRun(drill(newer), false);
        assertEquals(Optional.of(older), catalog.retention().drillHolds(env.environmentId()).newestDrilledOk(),
                "a failed drill proves nothing: the older drilled-ok artifact stays the one kept");
        assertEquals("failed", ops("select last_drill_status from ops.artifacts where id = ?", newer).get(0).get("last_drill_status"));
        List<RetentionPlanner.Candidate> candidates = catalog.retention().retentionCandidates(env.environmentId(), "backup", "full");
        RetentionPlanner.Plan plan = new RetentionPlanner(java.time.ZoneOffset.UTC).plan(candidates,
                new dev.odooops.domain.RetentionPolicy(0, 0, 0, java.time.Duration.ZERO, 0, java.time.Duration.ZERO).series("backup"),
                Set.of(), Map.of(), catalog.retention().drillHolds(env.environmentId()), Instant.now());
        assertTrue(plan.keep().get(older).contains(RetentionPlanner.NEWEST_DRILLED_OK), plan.keep().toString());
        assertTrue(plan.prune().contains(newer) || plan.keep().get(newer).contains("newest"), plan.toString());
    }

    /** A pack a leased artifact refers to: the repack's record is refused under the pack's lock, the collector leaves it. */
    @Test
    void should_neither_repack_nor_collect_a_pack_a_leased_artifact_refers_to() throws Exception {
        String a = artifact("packed", Instant.now().minusSeconds(900));
        String pack = "p-" + UUID.randomUUID().toString().substring(0, 8);
        ops("insert into ops.filestore_packs (project, pack_id, uri, sha256, size, files, bytes, compressed) "
                + "values (?, ?, 'file:///nowhere/p', 'aa', 10, 2, 20, false) returning pack_id", env.project, pack);
        ops("insert into ops.filestore_objects (project, path, sha1, size, pack_id) values (?, 'ab/one', 'sha-one', 10, ?), "
                + "(?, 'cd/two', 'sha-two', 10, ?) returning path", env.project, pack, env.project, pack);
        ops("insert into ops.artifact_packs (artifact_id, project, pack_id) values (?, ?, ?) returning pack_id", a, env.project, pack);
        UUID run = drill(a);
        assertEquals(List.of(a), catalog.packs().drillLeasesOnPack(env.project, pack));
        String next = pack + "-r0001";
        assertTrue(catalog.packs().reservePack(env.project, next, "file:///nowhere/" + next, false));
        assertFalse(catalog.packs().recordRepack(env.project, pack, new NewPack(next, "file:///nowhere/" + next, "bb", 5, 1, 10, false),
                List.of(new StoredObject("ab/one", "sha-one", 10, next)), Set.of(a)), "a leased artifact's pack is not moved");
        assertEquals(pack, ops("select pack_id from ops.filestore_objects where project = ? and path = 'ab/one'", env.project)
                .get(0).get("pack_id"));
        // pruned under the drill (only by hand: retention never does it), the pack is still not collected
        ops("update ops.artifacts set pruned_at = now() where id = ? returning id", a);
        assertFalse(catalog.packs().collectablePacks(env.project).contains(pack));
        assertFalse(catalog.packs().markPackDeleted(env.project, pack), "the collector's own check under the lock");
        endRun(run, true);
        assertTrue(catalog.packs().drillLeasesOnPack(env.project, pack).isEmpty());
        assertTrue(catalog.packs().collectablePacks(env.project).contains(pack), "the drill ended: the pack is nobody's");
        catalog.packs().dropReservation(env.project, next);
    }
}
