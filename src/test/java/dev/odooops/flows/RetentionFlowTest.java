package dev.odooops.flows;

import dev.odooops.App;
import dev.odooops.OpsRuntime;
import dev.odooops.cli.Commands;
import dev.odooops.domain.Json;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.store.ArtifactStore;
import dev.odooops.support.OdooStandIn;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Retention as the backup route applies it, against a local-directory store and the real catalog. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RetentionFlowTest {
    private TestEnvironment env;
    private OpsRuntime runtime;

    @BeforeAll
    void setUp() throws Exception {
        env = TestEnvironment.create("retention").withLocalStore();
        runtime = env.runtime();
    }

    @AfterAll
    void cleanUp() throws Exception {
        runtime.close();
        env.close();
    }

    private BackupResult backup(BackupType type, Integer daily) {
        BackupResult r = runtime.operations().backup(BackupRequest.of(env.project, "prod", type, null,
                daily, daily == null ? null : 0, daily == null ? null : 0, "operator", "test"));
        assertEquals("success", r.status(), r.error());
        return r;
    }

    /** Makes an artifact older in the catalog (what retention reads), as if time had passed. */
    static void age(String artifactId, String interval) throws Exception {
        ops("update ops.artifacts set created_at = created_at - ?::interval where id = ? returning id", interval, artifactId);
    }

    private Path stored(String id) {
        return env.localStoreDir().resolve(env.project).resolve("prod").resolve(id);
    }

    @Test
    void should_prune_from_store_and_catalog_what_falls_outside_but_keep_pinned_and_other_types() throws Exception {
        BackupResult pinned = backup(BackupType.DB_ONLY, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, App.run(List.of("pin", pinned.artifactId(), "--config", env.configDir.toString()),
                new PrintStream(out), System.err, System::getenv));
        assertEquals(Map.of("artifact_id", pinned.artifactId(), "pinned", true), Json.readMap(out.toString()));
        BackupResult old = backup(BackupType.DB_ONLY, 365);
        age(old.artifactId(), "2 days");
        BackupResult full = backup(BackupType.FULL, null);
        assertTrue(Files.isRegularFile(stored(old.artifactId()).resolve("db.dump")));

        // with 1 daily, 0 weekly, 0 monthly only the newest day's db_only backups survive (all of the last
        // 24 h: keep_within), plus the pinned one; the full backup is another series
        BackupResult newest = backup(BackupType.DB_ONLY, 1);

        assertFalse(Files.exists(stored(old.artifactId())), "pruned artifact still in the store");
        assertNotNull(ops("select pruned_at from ops.artifacts where id = ?", old.artifactId()).get(0).get("pruned_at"));
        for (BackupResult kept : List.of(pinned, full, newest)) {
            assertTrue(Files.isRegularFile(stored(kept.artifactId()).resolve("manifest.json")), kept.artifactId());
            assertNull(ops("select pruned_at from ops.artifacts where id = ?", kept.artifactId()).get(0).get("pruned_at"));
        }
        Map<String, Object> evidence = Json.readMap(Path.of(newest.evidenceDir(), "retention_prune.json"));
        assertEquals(List.of(old.artifactId()), evidence.get("pruned_ids"));
        @SuppressWarnings("unchecked")
        Map<String, List<String>> keptBy = (Map<String, List<String>>) evidence.get("kept");
        assertTrue(keptBy.get(pinned.artifactId()).contains("pinned"), keptBy.toString());
        assertTrue(keptBy.get(newest.artifactId()).contains("protected"), keptBy.toString());
        List<Map<String, Object>> event = ops("select payload::text as p from ops.run_events where run_id = ?::uuid "
                + "and event_type = 'backup_completed'", newest.runId());
        assertEquals(List.of(old.artifactId()), Json.readMap((String) event.get(0).get("p")).get("retention_planned_prune"));
        event = ops("select payload::text as p from ops.run_events where run_id = ?::uuid "
                + "and event_type = 'retention_applied'", newest.runId());
        assertEquals(List.of(old.artifactId()), Json.readMap((String) event.get(0).get("p")).get("pruned_ids"));

        out.reset();
        assertEquals(2, App.run(List.of("verify-artifact", old.artifactId(), "--config", env.configDir.toString()),
                new PrintStream(out), new PrintStream(new ByteArrayOutputStream()), System::getenv));
    }

    @Test
    void should_keep_both_manual_backups_of_one_day_within_keep_within() throws Exception {
        // the default policy (daily 7): daily alone would keep only the newest of the day
        BackupResult first = backup(BackupType.FILESTORE_ONLY, null);
        BackupResult second = backup(BackupType.FILESTORE_ONLY, null);
        for (BackupResult r : List.of(first, second)) {
            assertTrue(Files.isRegularFile(stored(r.artifactId()).resolve("manifest.json")), r.artifactId());
            assertNull(ops("select pruned_at from ops.artifacts where id = ?", r.artifactId()).get(0).get("pruned_at"));
        }
        @SuppressWarnings("unchecked")
        Map<String, List<String>> keptBy = (Map<String, List<String>>) Json.readMap(
                Path.of(second.evidenceDir(), "retention_prune.json")).get("kept");
        assertTrue(keptBy.get(first.artifactId()).contains("keep_within"), keptBy.toString());
    }

    @Test
    void should_keep_the_safety_backups_of_two_restores_on_the_same_day() throws Exception {
        try (TestEnvironment restoreEnv = TestEnvironment.create("retsafety");
             OdooStandIn odoo = new OdooStandIn(restoreEnv.root.resolve("odoo.log"))) {
            restoreEnv.withOdoo(odoo);
            try (OpsRuntime rt = restoreEnv.runtime()) {
                var commands = rt.operations();
                List<String> safety = new java.util.ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    BackupResult b = commands.backup(BackupRequest.of(restoreEnv.project, "prod", BackupType.DB_ONLY, null,
                            null, null, null, "operator", "test"));
                    assertEquals("success", b.status(), b.error());
                    RestoreResult r = commands.restore(new RestoreRequest(restoreEnv.project, "prod", b.artifactId(),
                            BackupType.DB_ONLY, false, true, restoreEnv.environmentId(), "operator", "test"));
                    assertEquals("success", r.status(), r.error());
                    assertNotNull(r.preRestoreBackupId());
                    safety.add(r.preRestoreBackupId());
                }
                // the state before the first restore is still there, in the catalog and the store
                for (String id : safety) {
                    var a = rt.catalog().artifacts().artifact(id).orElseThrow();
                    assertEquals("pre_restore", a.kind());
                    assertNull(a.prunedAt(), id);
                    assertTrue(rt.store().size(ArtifactStore.artifactPath(restoreEnv.project, "prod", id), "manifest.json") > 0, id);
                }
            }
        }
    }
}
