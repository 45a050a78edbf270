package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Json;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.DrillRequest;
import dev.odooops.model.Report;
import dev.odooops.staging.ScratchCopies;
import dev.odooops.support.DrillServer;
import dev.odooops.support.EnvironmentState;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A drill of a Dolibarr environment whose filestore is one archive (backup.filestore-format archive): what applies to it
 * (row counts, enabled modules, data samples, the documents llx_ecm_files indexes, the tree digest) passes on the drill
 * server, and nothing is left.
 */
class DrillDolibarrTest {

    @Test
    void should_drill_a_dolibarr_archive_artifact_on_the_drill_server() throws Exception {
        DrillServer.require();
        try (TestEnvironment env = TestEnvironment.createDolibarr("drilldoli").withLocalStore()
                .withOperatorActions("backup, restore, drill").withProperty("backup.filestore-format", "archive")
                .withSecret(DrillServer.SECRET, DrillServer.PASSWORD)) {
            env.withTopYaml("drills:\n  database: " + DrillServer.databaseYaml() + "\n  work_dir: " + env.root.resolve("drills") + "\n");
            try (OpsRuntime rt = env.runtime()) {
                BackupResult b = rt.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null, null, null, null,
                        "operator", "test"));
                assertEquals("success", b.status(), b.error());
                EnvironmentState before = EnvironmentState.of(env);
                Report r = rt.operations().drill(new DrillRequest(env.project, "prod", null, "operator", "test"));
                assertTrue(r.ok(), r.body().toString());
                UUID run = UUID.fromString((String) r.body().get("run_id"));
                Map<String, Object> checks = Json.readMap((String) ops("select checks::text as c from ops.drills where run_id = ?", run)
                        .get(0).get("c"));
                for (String c : List.of("row_counts", "data_samples", "tree_digest")) {
                    assertEquals("passed", ((Map<?, ?>) checks.get(c)).get("status"), c + ": " + checks);
                }
                assertEquals(List.of(), DrillServer.databasesLike(ScratchCopies.DATABASE_PREFIX).stream()
                        .filter(n -> ScratchCopies.isScratchOf(n, run)).toList());
                assertEquals(before, EnvironmentState.of(env), "the environment is unchanged");
            }
        }
    }
}
