package dev.odooops.flows;

import dev.odooops.exec.CrashPoints;

import dev.odooops.OpsRuntime;
import dev.odooops.cli.Commands;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.support.EnvironmentState;
import dev.odooops.support.OdooStandIn;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
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
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrashMatrixTest {
    private TestEnvironment env;
    private OdooStandIn odoo;
    private BackupResult backup;
    private EnvironmentState restored;

    @BeforeAll
    void setUp() throws Exception {
        env = TestEnvironment.create("crash_matrix");
        odoo = new OdooStandIn(env.root.resolve("odoo.log"));
        env.withOdoo(odoo);
        try (OpsRuntime rt = env.runtime()) {
            backup = rt.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null,
                    null, null, null, "operator", "test"));
        }
        assertEquals("success", backup.status(), backup.error());
        restored = EnvironmentState.of(env);
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (odoo != null) odoo.close();
        if (env != null) env.close();
    }

    /** A change after the backup, so that "before the restore" and "restored" differ. */
    private void changeSinceBackup(String point) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "")) {
            var ps = c.prepareStatement("update res_partner set name = ? where id < 20");
            ps.setString(1, "changed before crash at " + point);
            ps.executeUpdate();
        }
        Files.createDirectories(env.odoo.filestore().resolve("ff"));
        Files.writeString(env.odoo.filestore().resolve("ff").resolve("f".repeat(40)), point);
    }

    private int run(String crashAt, String name, String... args) throws Exception {
        env.withSpawnEnv("ODOO_OPS_CRASH_AT", crashAt);
        Process p = env.spawn(env.root.resolve(name + ".out"), env.root.resolve(name + ".err"), args);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), name + " did not end");
        env.withSpawnEnv("ODOO_OPS_CRASH_AT", "");
        return p.exitValue();
    }

    @ParameterizedTest(name = "restore killed at {0}")
    @ValueSource(strings = {
            "before:create-restore-run", "before:verify-artifact", "before:pre-restore-backup",
            "before:dump-and-archive", "before:upload-artifact", "before:finalize", // the safety backup's steps
            "before:verify-pre-restore-backup", "before:quiesce-odoo", "before:create-restore-database",
            "before:restore-database", "before:swap-database", "swap-database:live-moved-aside",
            "before:restore-filestore", "restore-filestore:live-moved-aside", "before:compare-config",
            "before:restart-odoo", "before:validate", "before:finalize-restore", "finalize-restore:before-commit",
            "finalize-restore:committed", "finalize-restore:database-aside-dropped", "side-copies:deleting",
            // a restore whose validation fails, killed inside its rollback
            "rollback:odoo-stopped", "rollback:data-put-back", "before:finish-failed-restore"})
    void should_recover_to_exactly_before_or_exactly_restored(String point) throws Exception {
        changeSinceBackup(point);
        EnvironmentState before = EnvironmentState.of(env);
        boolean rollbackPoint = point.startsWith("rollback:") || point.equals("before:finish-failed-restore");
        odoo.errorInLogAtStart = rollbackPoint;

        int exit = run(point, "restore", "restore", "--env", env.environmentId(), "--artifact", backup.artifactId(),
                "--force", "--confirm", env.environmentId());
        odoo.errorInLogAtStart = false;
        String err = Files.readString(env.root.resolve("restore.err"));
        assertEquals(137, exit, "the process was killed at " + point + ": " + err.lines().filter(l -> l.contains("ERROR"))
                .toList());

        assertEquals(0, run("", "recover", "recover", "--env", env.environmentId()),
                Files.readString(env.root.resolve("recover.err")));

        EnvironmentState after = EnvironmentState.of(env);
        boolean committed = point.startsWith("finalize-restore:committed") || point.startsWith("finalize-restore:database")
                || point.equals("side-copies:deleting");
        assertEquals(committed ? restored : before, after, "killed at " + point + ": "
                + (after.equals(restored) ? "restored" : after.equals(before) ? "as before" : "neither before nor restored"));
        assertEquals(List.of(), EnvironmentState.sideCopies(env), "side copies left after recover, killed at " + point);
        assertTrue(odoo.running(), "Odoo runs again after recover, killed at " + point);
        assertFalse(odoo.inMaintenance(), "Odoo is out of maintenance after recover, killed at " + point);
        try (OpsRuntime rt = env.runtime()) {
            assertEquals(0, new Commands(rt.operations(), new PrintStream(OutputStream.nullOutputStream())).verifyArtifact(backup.artifactId(), "operator"),
                    "the backup still verifies");
        }
        Files.deleteIfExists(env.odoo.filestore().resolve("ff").resolve("f".repeat(40)));
    }

    @ParameterizedTest(name = "backup killed at {0}")
    @ValueSource(strings = {"before:resolve-bindings", "before:quiesce", "before:dump-and-archive", "before:upload-packs",
            "before:snapshot-config",
            "before:upload-artifact", "before:plan-retention", "before:finalize", "before:apply-retention", "before:finish"})
    void should_leave_the_environment_and_every_artifact_intact_when_a_backup_is_killed(String point) throws Exception {
        changeSinceBackup(point);
        EnvironmentState before = EnvironmentState.of(env);
        List<Object> liveBefore = TestEnvironment.ops("select id from ops.artifacts where environment_id = ? and pruned_at is null",
                env.environmentId()).stream().map(r -> r.get("id")).toList();

        int exit = run(point, "backup", "backup", "--env", env.environmentId());
        assertEquals(137, exit, "the process was killed at " + point);
        assertEquals(0, run("", "recover", "recover", "--env", env.environmentId()),
                Files.readString(env.root.resolve("recover.err")));

        assertEquals(before, EnvironmentState.of(env), "a backup never changes the environment");
        assertTrue(odoo.running());
        assertFalse(odoo.inMaintenance(), "the killed backup's maintenance page is lifted by recover, killed at " + point);
        List<Object> live = TestEnvironment.ops("select id from ops.artifacts where environment_id = ? and pruned_at is null",
                env.environmentId()).stream().map(r -> r.get("id")).toList();
        assertTrue(live.containsAll(liveBefore), "every artifact that existed before is still live: " + live);
        try (OpsRuntime rt = env.runtime()) {
            for (Object id : live) {
                assertEquals(0, new Commands(rt.operations(), new PrintStream(OutputStream.nullOutputStream())).verifyArtifact((String) id, "operator"),
                        id + " verifies");
            }
        }
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
        Files.deleteIfExists(env.odoo.filestore().resolve("ff").resolve("f".repeat(40)));
    }

    @ParameterizedTest(name = "backup killed while pruning at {0}")
    @ValueSource(strings = {"store-deletion:journaled", "store-deletion:objects-removed"})
    void should_finish_a_prune_cut_off_by_a_crash_and_keep_the_new_backup(String point) throws Exception {
        BackupResult old;
        try (OpsRuntime rt = env.runtime()) {
            old = rt.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null,
                    null, null, null, "operator", "test"));
        }
        assertEquals("success", old.status(), old.error());
        TestEnvironment.ops("update ops.artifacts set created_at = created_at - interval '400 days' where id = ? returning id",
                old.artifactId());

        assertEquals(137, run(point, "backup", "backup", "--env", env.environmentId(), "--keep-daily", "1", "--keep-weekly", "0",
                "--keep-monthly", "0"), "killed while pruning at " + point);
        assertEquals(0, run("", "recover", "recover", "--env", env.environmentId()),
                Files.readString(env.root.resolve("recover.err")));

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
        try (OpsRuntime rt = env.runtime()) {
            assertEquals(0, new Commands(rt.operations(), new PrintStream(OutputStream.nullOutputStream())).verifyArtifact((String) live.get(0), "operator"),
                    "the backup that was pruning is committed and verifies");
        }
        assertFalse(odoo.inMaintenance());
    }
}
