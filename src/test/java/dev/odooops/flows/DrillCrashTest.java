package dev.odooops.flows;

import dev.odooops.model.DrillRequest;
import dev.odooops.model.RecoverRequest;
import dev.odooops.model.Report;
import dev.odooops.staging.ScratchCopies;
import dev.odooops.support.Await;
import dev.odooops.support.DrillServer;
import dev.odooops.support.EnvironmentState;
import dev.odooops.support.FlowFixture;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A drill killed with {@code kill -9} (exec.CrashPoints) leaves its scratch database on the drill server and its scratch
 * directory; {@code recover} (after a kill mid-restore) or the next drill (after a kill once the filestore was
 * unpacked) drops them and finishes the drill row inconclusive ("abandoned"): a kill says nothing of the artifact, whose
 * last verdict stays. The environment is unchanged throughout.
 */
class DrillCrashTest {

    @Test
    void should_leave_nothing_on_the_drill_server_or_in_the_work_dir_after_a_kill_and_recover_or_the_next_drill() throws Exception {
        DrillServer.require();
        TestEnvironment env = TestEnvironment.create("drillcrash").withLocalStore().withOperatorActions("backup, restore, drill")
                .withSecret(DrillServer.SECRET, DrillServer.PASSWORD);
        Path drillDir = env.root.resolve("drills");
        env.withTopYaml("drills:\n  database: " + DrillServer.databaseYaml() + "\n  work_dir: " + drillDir + "\n");
        try (FlowFixture fx = FlowFixture.standIn(env)) {
            String artifact = fx.backup().artifactId();
            EnvironmentState before = EnvironmentState.of(env);
            for (String point : List.of("drill:scratch-database-created", "drill:scratch-filestore-unpacked")) {
                env.withSpawnEnv("ODOO_OPS_CRASH_AT", point);
                Path out = env.root.resolve("drill-kill.out");
                Path err = env.root.resolve("drill-kill.err");
                Process p = env.spawn(out, err, "drill", "--env", env.environmentId(), "--json");
                env.withSpawnEnv("ODOO_OPS_CRASH_AT", "");
                assertTrue(p.waitFor(180, TimeUnit.SECONDS), point + ": the drill did not end");
                assertEquals(137, p.exitValue(), point + ": " + Files.readString(out) + Files.readString(err));
                UUID killed = (UUID) ops("select run_id from ops.runs where environment_id = ? and operation_type = 'drill' "
                        + "order by created_at desc limit 1", env.environmentId()).get(0).get("run_id");
                assertEquals(1, scratchOnDrillServer(killed).size(), point + ": the kill came after the scratch database was made");
                assertEquals("running", ops("select status from ops.drills where run_id = ?", killed).get(0).get("status"));
                if (point.endsWith("unpacked")) assertEquals(1, dirsOf(drillDir, killed).size(), point + ": the scratch directory");

                if (point.endsWith("created")) {
                    Report recovered = fx.runtime().operations().recover(new RecoverRequest(env.project, "prod", "operator", "cli"));
                    assertTrue(recovered.ok(), point + ": " + recovered.body());
                } else {
                    Report next = fx.runtime().operations().drill(new DrillRequest(env.project, "prod", null, "operator", "test"));
                    assertTrue(next.ok(), point + ": " + next.body());
                }
                assertEquals(List.of(), scratchOnDrillServer(killed), point + ": scratch databases on the drill server");
                assertEquals(List.of(), dirsOf(drillDir, killed), point + ": scratch directories");
                Map<String, Object> row = ops("select status, failure from ops.drills where run_id = ?", killed).get(0);
                assertEquals("inconclusive", row.get("status"), point);
                assertTrue(String.valueOf(row.get("failure")).contains("abandoned"), row.toString());
                assertNotEquals(killed, ops("select last_drill_run from ops.artifacts where id = ?", artifact).get(0)
                        .get("last_drill_run"), point + ": the killed drill is not the artifact's last verdict");
                assertEquals("abandoned", ops("select status from ops.runs where run_id = ?", killed).get(0).get("status"), point);
            }
            assertEquals(before, EnvironmentState.of(env), "the environment is unchanged");
        }
    }

    /**
     * The odoo-ops process killed with {@code kill -9} while its pg_restore into the scratch database runs (the
     * environment holds a bulk table so that pg_restore runs for seconds): pg_restore and its workers end with it
     * (parent-death signal), and the next drill drops the half-restored scratch database and the scratch directory
     * and finishes the killed drill inconclusive ("abandoned").
     */
    @Test
    void should_leave_no_pg_restore_and_let_the_next_drill_clean_up_after_a_kill_during_pg_restore() throws Exception {
        DrillServer.require();
        TestEnvironment env = TestEnvironment.create("drillkillrestore").withBulk(64).withLocalStore()
                .withOperatorActions("backup, restore, drill").withSecret(DrillServer.SECRET, DrillServer.PASSWORD);
        Path drillDir = env.root.resolve("drills");
        env.withTopYaml("drills:\n  database: " + DrillServer.databaseYaml() + "\n  work_dir: " + drillDir + "\n");
        try (FlowFixture fx = FlowFixture.standIn(env)) {
            fx.backup();
            EnvironmentState before = EnvironmentState.of(env);
            Path out = env.root.resolve("drill-kill.out");
            Path err = env.root.resolve("drill-kill.err");
            Process jvm = env.spawn(out, err, "drill", "--env", env.environmentId(), "--json");
            // every pg_restore process (the main one and its --jobs workers) of the spawned odoo-ops, once it runs
            List<ProcessHandle> restores = Await.poll(Duration.ofSeconds(180), () -> {
                assertTrue(jvm.isAlive(), "the drill ended before its pg_restore was seen: " + Files.readString(out) + Files.readString(err));
                List<ProcessHandle> r = jvm.descendants().filter(h -> h.info().command().orElse("").endsWith("/pg_restore")).toList();
                return r.isEmpty() ? null : r;
            });
            assertNotNull(restores, "pg_restore never ran");
            jvm.destroyForcibly(); // SIGKILL while pg_restore runs
            assertTrue(jvm.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, jvm.exitValue());
            assertTrue(Await.polled(Duration.ofSeconds(30), () -> restores.stream().noneMatch(ProcessHandle::isAlive)),
                    "pg_restore outlived the killed odoo-ops: " + restores.stream().filter(ProcessHandle::isAlive).toList());
            UUID killed = (UUID) ops("select run_id from ops.runs where environment_id = ? and operation_type = 'drill' "
                    + "order by created_at desc limit 1", env.environmentId()).get(0).get("run_id");
            assertEquals("running", ops("select status from ops.drills where run_id = ?", killed).get(0).get("status"));
            assertEquals(1, scratchOnDrillServer(killed).size(), "the half-restored scratch database is there until the next drill");

            Report next = fx.runtime().operations().drill(new DrillRequest(env.project, "prod", null, "operator", "test"));
            assertTrue(next.ok(), next.body().toString());
            assertEquals(List.of(), scratchOnDrillServer(killed), "scratch databases on the drill server");
            assertEquals(List.of(), dirsOf(drillDir, killed), "scratch directories");
            Map<String, Object> row = ops("select status, failure from ops.drills where run_id = ?", killed).get(0);
            assertEquals("inconclusive", row.get("status"));
            assertTrue(String.valueOf(row.get("failure")).contains("abandoned"), row.toString());
            assertEquals("abandoned", ops("select status from ops.runs where run_id = ?", killed).get(0).get("status"));
            assertEquals(before, EnvironmentState.of(env), "the environment is unchanged");
        }
    }

    private static List<String> scratchOnDrillServer(UUID run) throws Exception {
        return DrillServer.databasesLike(ScratchCopies.DATABASE_PREFIX).stream().filter(n -> ScratchCopies.isScratchOf(n, run)).toList();
    }

    private static List<String> dirsOf(Path root, UUID run) throws Exception {
        if (!Files.isDirectory(root)) return List.of();
        try (Stream<Path> s = Files.list(root)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(ScratchCopies.tag(run))).toList();
        }
    }
}
