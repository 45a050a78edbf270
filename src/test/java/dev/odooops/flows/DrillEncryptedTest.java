package dev.odooops.flows;

import dev.odooops.domain.Json;
import dev.odooops.model.BackupResult;
import dev.odooops.model.DrillRequest;
import dev.odooops.model.Report;
import dev.odooops.staging.ScratchCopies;
import dev.odooops.support.DrillServer;
import dev.odooops.support.EnvironmentState;
import dev.odooops.support.FlowFixture;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A drill of an encrypted (age) artifact: with the project's identity it decrypts, validates and passes; on a host
 * without the identity its run fails in fetch-drill-artifact, naming {@code encryption.identity}, and leaves nothing behind (no scratch
 * database on the drill server, no scratch directory, no identity file, no decrypted file).
 */
class DrillEncryptedTest {

    @Test
    void should_pass_with_the_identity_and_fail_naming_it_without_leaving_anything() throws Exception {
        DrillServer.require();
        TestEnvironment env = TestEnvironment.create("drillenc").withLocalStore().withOperatorActions("backup, restore, drill")
                .withSecret(DrillServer.SECRET, DrillServer.PASSWORD);
        EncryptedPathsTest.Key key = EncryptedPathsTest.Key.make(env.root);
        Path drillDir = env.root.resolve("drills");
        String drills = "drills:\n  database: " + DrillServer.databaseYaml() + "\n  work_dir: " + drillDir + "\n";
        env.withSecret("age_identity", key.identity());
        env.withTopYaml(drills + "encryption:\n  recipients: [" + key.recipient() + "]\n  identity: \"${secret:age_identity}\"\n");
        try (FlowFixture fx = FlowFixture.standIn(env)) {
            BackupResult backup = fx.backup();
            assertEquals("success", backup.status(), backup.error());
            assertNotNull(ops("select manifest->'encryption' as e from ops.artifacts where id = ?", backup.artifactId()).get(0).get("e"),
                    "the artifact is encrypted");
            EnvironmentState before = EnvironmentState.of(env);

            // with the identity: decrypted, every check passes
            Report r = fx.runtime().operations().drill(new DrillRequest(env.project, "prod", null, "operator", "test"));
            assertTrue(r.ok(), r.body().toString());
            assertEquals("passed", r.body().get("drill"));
            assertEquals(backup.artifactId(), r.body().get("artifact_id"));
            UUID run = UUID.fromString((String) r.body().get("run_id"));
            Map<String, Object> checks = Json.readMap((String) ops("select checks::text as c from ops.drills where run_id = ?", run)
                    .get(0).get("c"));
            for (String c : List.of("row_counts", "modules", "data_samples", "attachments", "tree_digest")) {
                assertEquals("passed", ((Map<?, ?>) checks.get(c)).get("status"), c + ": " + checks.get(c));
            }
            String evidence = Files.readString(Path.of((String) r.body().get("evidence_dir")).resolve("final_status.json"));
            assertFalse(evidence.contains(key.identity()), "the identity in evidence");
            assertNothingLeft(env, drillDir, run);

            // a host without the identity: refused or failed, naming the missing identity, nothing made
            env.withTopYaml(drills + "encryption:\n  recipients: [" + key.recipient() + "]\n");
            fx.restart();
            long drillsBefore = (Long) ops("select count(*) as n from ops.drills where environment_id = ?", env.environmentId()).get(0).get("n");
            // the run is not refused at admission: with several serve instances, the one that admits a drill need not be
            // the drill host that holds the identity; the drill fails in its fetch step, before any scratch copy is made
            Report f = fx.runtime().operations().drill(new DrillRequest(env.project, "prod", null, "operator", "test"));
            assertFalse(f.ok(), f.body().toString());
            assertEquals("fetch-drill-artifact", f.body().get("failed_step"), f.body().toString());
            UUID failedRun = UUID.fromString((String) f.body().get("run_id"));
            Map<String, Object> row = ops("select status, failure from ops.drills where run_id = ?", failedRun).get(0);
            // the drill host's configuration, not the artifact: inconclusive, the artifact keeps the verdict it had
            assertEquals("inconclusive", row.get("status"), row.toString());
            assertEquals("inconclusive", f.body().get("drill"), f.body().toString());
            assertEquals("passed", ops("select last_drill_status from ops.artifacts where id = ?", backup.artifactId()).get(0)
                    .get("last_drill_status"), "a drill host without the identity flagged the artifact");
            String said = f.body() + " " + row.get("failure");
            assertTrue(said.contains("encryption.identity"), said);
            assertFalse(said.contains(key.identity()), "the identity printed");
            assertNothingLeft(env, drillDir, failedRun);
            assertNothingLeft(env, drillDir, null);
            assertEquals(before, EnvironmentState.of(env), "the environment is unchanged");
        }
    }

    /** No scratch database or directory of {@code run} (null: no scratch directory at all), no identity file in the work dir. */
    private static void assertNothingLeft(TestEnvironment env, Path drillDir, UUID run) throws Exception {
        if (run != null) {
            assertEquals(List.of(), DrillServer.databasesLike(ScratchCopies.DATABASE_PREFIX).stream()
                    .filter(n -> ScratchCopies.isScratchOf(n, run)).toList(), "scratch databases");
        }
        if (Files.isDirectory(drillDir)) {
            try (Stream<Path> s = Files.list(drillDir)) {
                assertEquals(List.of(), s.map(p -> p.getFileName().toString())
                        .filter(n -> run == null || n.endsWith(ScratchCopies.tag(run))).toList(), "scratch directories");
            }
        }
        try (Stream<Path> s = Files.walk(env.root)) {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(".age-identity") || n.endsWith(".plain-tmp")).toList(), "identity or decrypted files left");
        }
    }
}
