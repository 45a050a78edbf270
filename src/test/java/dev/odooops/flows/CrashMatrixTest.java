package dev.odooops.flows;

import dev.odooops.exec.CrashPoints;

import dev.odooops.OpsRuntime;
import dev.odooops.cli.Commands;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.RecoverRequest;
import dev.odooops.support.EnvironmentState;
import dev.odooops.support.OdooStandIn;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #6 G: an odoo-ops JVM is killed with SIGKILL (see CrashPoints) at every step boundary of a restore,
 * of its safety backup, of a rollback and of finalize, and inside the non-atomic sections (the swaps, the
 * deletion of the kept-aside copies). Then {@code recover} runs, and the environment must be exactly as before
 * the restore or exactly as restored (every table's content and the filestore), with no side copy left, Odoo
 * (the stand-in) running and out of maintenance, and every artifact that existed before still verifying.
 * <p>
 * Cost: the killed run is a JVM of its own (it must die by SIGKILL); {@code recover} and the verification run in
 * this JVM, through the same application calls as the command line, in one runtime. Kill points are independent,
 * so they run two at a time ({@link Execution}), each case holding one {@link Lane} (an environment of its own
 * with its stand-in and first backup) for its whole run. The pruning cases have a lane of their own: their
 * {@code --keep-daily 1} prunes every other artifact of the environment, the first backup included.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Execution(ExecutionMode.CONCURRENT)
class CrashMatrixTest {
    /** An environment, its Odoo stand-in, the backup every restore case restores, and the state it restores to. */
    private record Lane(TestEnvironment env, OdooStandIn odoo, BackupResult backup, EnvironmentState restored) {
        void close() throws Exception {
            odoo.close();
            env.close();
        }
    }

    private final List<Lane> all = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Lane> lanes = new LinkedBlockingQueue<>();
    private final BlockingQueue<Lane> pruneLanes = new LinkedBlockingQueue<>();

    @BeforeAll
    void setUp() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Lane>> made = new ArrayList<>();
            for (String name : List.of("crash_matrix_a", "crash_matrix_b", "crash_prune")) made.add(pool.submit(() -> lane(name)));
            for (Future<Lane> f : made) all.add(f.get());
        } finally {
            pool.shutdown();
        }
        lanes.addAll(all.subList(0, 2));
        pruneLanes.add(all.get(2));
    }

    private Lane lane(String name) throws Exception {
        TestEnvironment env = TestEnvironment.create(name);
        OdooStandIn odoo = new OdooStandIn(env.root.resolve("odoo.log"));
        env.withOdoo(odoo);
        BackupResult backup;
        try (OpsRuntime rt = env.runtime()) {
            backup = rt.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null,
                    null, null, null, "operator", "test"));
        }
        assertEquals("success", backup.status(), backup.error());
        return new Lane(env, odoo, backup, EnvironmentState.of(env));
    }

    @AfterAll
    void cleanUp() throws Exception {
        for (Lane lane : all) lane.close();
    }

    /** Runs {@code test} holding a lane of {@code from}, which it gives back after. */
    private void on(BlockingQueue<Lane> from, LaneTest test) throws Exception {
        Lane lane = from.take();
        try {
            test.run(lane);
        } finally {
            from.add(lane);
        }
    }

    private interface LaneTest {
        void run(Lane lane) throws Exception;
    }

    /** A change after the backup, so that "before the restore" and "restored" differ. */
    private static void changeSinceBackup(TestEnvironment env, String point) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "")) {
            var ps = c.prepareStatement("update res_partner set name = ? where id < 20");
            ps.setString(1, "changed before crash at " + point);
            ps.executeUpdate();
        }
        Files.createDirectories(env.odoo.filestore().resolve("ff"));
        Files.writeString(env.odoo.filestore().resolve("ff").resolve("f".repeat(40)), point);
    }

    /** odoo-ops as a JVM of its own, killed at {@code crashAt}: its exit code (137 when the kill came). */
    private static int runKilledAt(TestEnvironment env, String crashAt, String name, String... args) throws Exception {
        env.withSpawnEnv("ODOO_OPS_CRASH_AT", crashAt);
        Process p = env.spawn(env.root.resolve(name + ".out"), env.root.resolve(name + ".err"), args);
        env.withSpawnEnv("ODOO_OPS_CRASH_AT", "");
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), name + " did not end");
        return p.exitValue();
    }

    /** {@code odoo-ops recover --env E} as the command line runs it (exit code 0), here in {@code rt}. */
    private static void recover(OpsRuntime rt, TestEnvironment env) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        assertEquals(0, new Commands(rt.operations(), new PrintStream(out, true)).recover(
                new RecoverRequest(env.project, "prod", "operator", "cli")), "recover: " + out);
    }

    private static int verify(OpsRuntime rt, String artifactId) {
        return new Commands(rt.operations(), new PrintStream(OutputStream.nullOutputStream())).verifyArtifact(artifactId, "operator");
    }

    @ParameterizedTest(name = "restore killed at {0}")
    @ValueSource(strings = {
            "before:create-restore-run", "before:verify-artifact", "before:pre-restore-backup",
            "before:dump-and-archive", "before:upload-artifact", "before:finalize", // the safety backup's steps
            "before:verify-pre-restore-backup", "before:quiesce-odoo", "before:create-restore-database",
            "before:restore-database", "before:check-row-counts", "before:await-pre-restore-backup", // the early load
            "before:swap-database", "swap-database:live-moved-aside",
            "before:restore-filestore", "restore-filestore:live-moved-aside", "before:compare-config",
            "before:restart-odoo", "before:validate", "before:finalize-restore", "finalize-restore:before-commit",
            "finalize-restore:committed", "finalize-restore:database-aside-dropped", "side-copies:deleting",
            // a restore whose validation fails, killed inside its rollback
            "rollback:odoo-stopped", "rollback:data-put-back", "before:finish-failed-restore"})
    void should_recover_to_exactly_before_or_exactly_restored(String point) throws Exception {
        on(lanes, lane -> {
            TestEnvironment env = lane.env();
            OdooStandIn odoo = lane.odoo();
            changeSinceBackup(env, point);
            EnvironmentState before = EnvironmentState.of(env);
            boolean rollbackPoint = point.startsWith("rollback:") || point.equals("before:finish-failed-restore");
            odoo.errorInLogAtStart = rollbackPoint;

            int exit = runKilledAt(env, point, "restore", "restore", "--env", env.environmentId(), "--artifact",
                    lane.backup().artifactId(), "--force", "--confirm", env.environmentId());
            odoo.errorInLogAtStart = false;
            String err = Files.readString(env.root.resolve("restore.err"));
            assertEquals(137, exit, "the process was killed at " + point + ": " + err.lines().filter(l -> l.contains("ERROR"))
                    .toList());

            try (OpsRuntime rt = env.runtime()) {
                recover(rt, env);
                EnvironmentState after = EnvironmentState.of(env);
                boolean committed = point.startsWith("finalize-restore:committed") || point.startsWith("finalize-restore:database")
                        || point.equals("side-copies:deleting");
                assertEquals(committed ? lane.restored() : before, after, "killed at " + point + ": "
                        + (after.equals(lane.restored()) ? "restored" : after.equals(before) ? "as before" : "neither before nor restored"));
                assertEquals(List.of(), EnvironmentState.sideCopies(env), "side copies left after recover, killed at " + point);
                assertTrue(odoo.running(), "Odoo runs again after recover, killed at " + point);
                assertFalse(odoo.inMaintenance(), "Odoo is out of maintenance after recover, killed at " + point);
                assertEquals(0, verify(rt, lane.backup().artifactId()), "the backup still verifies");
            }
            Files.deleteIfExists(env.odoo.filestore().resolve("ff").resolve("f".repeat(40)));
        });
    }

    @ParameterizedTest(name = "backup killed at {0}")
    @ValueSource(strings = {"before:resolve-bindings", "before:quiesce", "before:dump-and-archive", "before:upload-packs",
            "before:snapshot-config",
            "before:upload-artifact", "before:plan-retention", "before:finalize", "before:apply-retention", "before:finish"})
    void should_leave_the_environment_and_every_artifact_intact_when_a_backup_is_killed(String point) throws Exception {
        on(lanes, lane -> {
            TestEnvironment env = lane.env();
            changeSinceBackup(env, point);
            EnvironmentState before = EnvironmentState.of(env);
            List<Object> liveBefore = TestEnvironment.ops("select id from ops.artifacts where environment_id = ? and pruned_at is null",
                    env.environmentId()).stream().map(r -> r.get("id")).toList();

            assertEquals(137, runKilledAt(env, point, "backup", "backup", "--env", env.environmentId()),
                    "the process was killed at " + point);
            try (OpsRuntime rt = env.runtime()) {
                recover(rt, env);
                assertEquals(before, EnvironmentState.of(env), "a backup never changes the environment");
                assertTrue(lane.odoo().running());
                assertFalse(lane.odoo().inMaintenance(), "the killed backup's maintenance page is lifted by recover, killed at " + point);
                List<Object> live = TestEnvironment.ops("select id from ops.artifacts where environment_id = ? and pruned_at is null",
                        env.environmentId()).stream().map(r -> r.get("id")).toList();
                assertTrue(live.containsAll(liveBefore), "every artifact that existed before is still live: " + live);
                for (Object id : live) assertEquals(0, verify(rt, (String) id), id + " verifies");
                Path stored = env.s3Dir.resolve("backups").resolve("ops").resolve(env.project).resolve("prod");
                try (var dirs = Files.list(stored)) {
                    List<String> inStore = dirs.filter(d -> {
                        try (var files = Files.walk(d)) {
                            return files.anyMatch(Files::isRegularFile); // a filesystem blob store may keep emptied directories
                        } catch (java.io.IOException e) {
                            return true;
                        }
                    }).map(d -> d.getFileName().toString()).sorted().toList();
                    assertEquals(live.stream().map(String::valueOf).sorted().toList(), inStore,
                            "the store holds exactly the registered artifacts (no partial upload left), killed at " + point);
                }
            }
            Files.deleteIfExists(env.odoo.filestore().resolve("ff").resolve("f".repeat(40)));
        });
    }

    @ParameterizedTest(name = "backup killed while pruning at {0}")
    @ValueSource(strings = {"store-deletion:journaled", "store-deletion:objects-removed"})
    void should_finish_a_prune_cut_off_by_a_crash_and_keep_the_new_backup(String point) throws Exception {
        on(pruneLanes, lane -> {
            TestEnvironment env = lane.env();
            try (OpsRuntime rt = env.runtime()) {
                BackupResult old = rt.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null,
                        null, null, null, "operator", "test"));
                assertEquals("success", old.status(), old.error());
                TestEnvironment.ops("update ops.artifacts set created_at = created_at - interval '400 days' where id = ? returning id",
                        old.artifactId());

                assertEquals(137, runKilledAt(env, point, "backup", "backup", "--env", env.environmentId(), "--keep-daily", "1",
                        "--keep-weekly", "0", "--keep-monthly", "0"), "killed while pruning at " + point);
                recover(rt, env);

                assertTrue(TestEnvironment.ops("select 1 from ops.artifacts where id = ? and pruned_at is not null", old.artifactId())
                        .size() == 1, "the prune is finished by the next run");
                Path stored = env.s3Dir.resolve("backups").resolve("ops").resolve(env.project).resolve("prod").resolve(old.artifactId());
                if (Files.exists(stored)) {
                    try (var files = Files.walk(stored)) {
                        assertEquals(List.of(), files.filter(Files::isRegularFile).toList(), "no object of the pruned artifact is left");
                    }
                }
                List<Object> live = TestEnvironment.ops("select id from ops.artifacts where environment_id = ? and pruned_at is null "
                        + "and kind = 'backup' order by created_at desc", env.environmentId()).stream().map(r -> r.get("id")).toList();
                assertEquals(0, verify(rt, (String) live.get(0)), "the backup that was pruning is committed and verifies");
            }
            assertFalse(lane.odoo().inMaintenance());
        });
    }
}
