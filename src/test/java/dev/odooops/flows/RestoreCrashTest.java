package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.cli.Commands;
import dev.odooops.domain.TreeDigest;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.support.Await;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A restore process killed after its swap: {@code recover} (or any next run) puts the environment back as it was. */
class RestoreCrashTest {
    private TestEnvironment env;

    @AfterEach
    void cleanUp() throws Exception {
        if (env != null) {
            Files.writeString(env.root.resolve("release"), "go");
            env.close();
        }
    }

    private String dbFingerprint() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "")) {
            var rs = c.createStatement().executeQuery("select md5(string_agg(p::text, '|' order by p.id)) from res_partner p");
            rs.next();
            return rs.getString(1);
        }
    }

    private List<String> sideCopies() throws Exception {
        List<String> out = new java.util.ArrayList<>(ops("select datname from pg_database where datname like ?",
                env.database + "\\_\\_%").stream().map(m -> (String) m.get("datname")).toList());
        try (Stream<Path> s = Files.list(env.odoo.filestore().getParent())) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".restore-") || n.contains(".pre-")).forEach(out::add);
        }
        return out;
    }

    /** A new environment {@code name} (into {@link #env}) and its first full backup, which succeeded. */
    private BackupResult environmentWithABackup(String name) throws Exception {
        env = TestEnvironment.create(name);
        BackupResult b;
        try (OpsRuntime rt = env.runtime()) {
            b = rt.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null, null,
                    null, null, "operator", "test"));
        }
        assertEquals("success", b.status(), b.error());
        return b;
    }

    @Test
    void should_put_back_an_environment_whose_restore_process_died_after_the_swap() throws Exception {
        BackupResult b = environmentWithABackup("crash");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "")) {
            c.createStatement().execute("update res_partner set name = 'changed after the backup' where id < 50");
        }
        String before = dbFingerprint();
        String fsBefore = TreeDigest.of(env.odoo.filestore()).digest();
        Path release = env.root.resolve("release");
        // Odoo's start hangs until released: the restore is then past both swaps
        env.withOdooYaml("start: {command: [sh, -c, \"while [ ! -e '" + release + "' ]; do sleep 0.1; done\"]}\n");

        Process p = env.spawn(env.root.resolve("r.out"), env.root.resolve("r.err"), "restore", "--project", env.project,
                "--env", "prod", "--artifact", b.artifactId(), "--confirm", env.environmentId());
        String run = Await.poll(Duration.ofSeconds(90), () -> ops("select r.run_id::text as id from ops.runs r "
                + "join ops.run_events e on e.run_id = r.run_id where r.environment_id = ? and r.operation_type = 'restore' "
                + "and e.step = 'restore-filestore' and e.event_type = 'step_completed'", env.environmentId())
                .stream().map(r -> (String) r.get("id")).findFirst().orElse(null));
        assertTrue(run != null, "the restore never reached its swap: " + Files.readString(env.root.resolve("r.err")));
        assertNotEquals(before, dbFingerprint(), "the restored database is swapped in");
        assertEquals(2, sideCopies().size(), "database and filestore kept aside: " + sideCopies());
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));

        env.withOdooYaml(null);
        Process next = env.spawn(env.root.resolve("n.out"), env.root.resolve("n.err"), "recover", "--env", env.environmentId());
        assertTrue(next.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, next.exitValue(), Files.readString(env.root.resolve("n.err")));
        Map<String, Object> recovered = dev.odooops.domain.Json.readMap(Files.readString(env.root.resolve("n.out")).strip());
        assertTrue(((Map<?, ?>) recovered.get("recovered_runs")).containsKey(run), recovered.toString());

        assertEquals("abandoned", ops("select status from ops.runs where run_id = ?::uuid", run).get(0).get("status"));
        assertEquals(before, dbFingerprint(), "the environment is as it was before the killed restore");
        assertEquals(fsBefore, TreeDigest.of(env.odoo.filestore()).digest());
        assertEquals(List.of(), sideCopies());
        String swept = (String) ops("select payload::text as p from ops.run_events where event_type = 'side_copies_swept' "
                + "and run_id = (select run_id from ops.runs where environment_id = ? and operation_type = 'recover' "
                + "and status = 'success' order by created_at desc limit 1)", env.environmentId()).get(0).get("p");
        assertTrue(swept.contains("(put back)"), swept);
    }

    /**
     * The CrashMatrixTest case "killed at before:dump-and-archive" left a side database now and then: the restore's
     * thread was in its CREATE DATABASE when the process died, the server went on with it, and the database appeared
     * after recover had listed the side copies. Here that creation is held behind a lock on its template, so it is
     * surely still running when recover looks: recover ends it, and nothing appears once the lock goes.
     */
    @Test
    void should_end_the_creation_of_a_side_database_that_a_killed_restore_left_running() throws Exception {
        BackupResult b = environmentWithABackup("crash_create");
        env.withSpawnEnv("ODOO_OPS_CRASH_AT", "before:create-restore-database");
        Process p = env.spawn(env.root.resolve("r.out"), env.root.resolve("r.err"), "restore", "--env", env.environmentId(),
                "--artifact", b.artifactId(), "--force", "--confirm", env.environmentId());
        env.withSpawnEnv("ODOO_OPS_CRASH_AT", "");
        assertTrue(p.waitFor(180, TimeUnit.SECONDS));
        assertEquals(137, p.exitValue(), Files.readString(env.root.resolve("r.err")));
        String run = (String) ops("select run_id::text as id from ops.runs where environment_id = ? and operation_type = 'restore'",
                env.environmentId()).get(0).get("id");
        String side = env.database + "__restore_" + run.substring(0, 8);
        String template = env.database + "_tpl";
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (Connection su = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
            su.createStatement().execute("drop database if exists " + template);
            su.createStatement().execute("create database " + template + " owner " + env.database + "_owner");
            try (Connection locker = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
                locker.setAutoCommit(false);
                locker.createStatement().execute("alter database " + template + " rename to " + template + "_held");
                // the killed process's statement as its server session runs it on: as the environment's role, odoo-ops's
                java.util.Properties as = new java.util.Properties();
                as.setProperty("user", env.database + "_owner");
                as.setProperty("password", TestEnvironment.PASSWORD);
                as.setProperty("ApplicationName", "odoo-ops");
                Connection orphan = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", as);
                java.util.concurrent.Future<?> creating = pool.submit(() -> {
                    try (orphan) {
                        orphan.createStatement().execute("create database " + side + " template " + template);
                    }
                    return null;
                });
                assertTrue(Await.poll(Duration.ofSeconds(30), () -> ops("select 1 from pg_stat_activity where wait_event_type = 'Lock' "
                        + "and query like ?", "create database " + side + "%").isEmpty() ? null : true) != null);

                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                try (OpsRuntime rt = env.runtime()) {
                    assertEquals(0, new Commands(rt.operations(), new java.io.PrintStream(out, true)).recover(
                            new dev.odooops.model.RecoverRequest(env.project, "prod", "operator", "cli")), "recover: " + out);
                }
                locker.rollback();
                java.util.concurrent.ExecutionException ended = org.junit.jupiter.api.Assertions.assertThrows(
                        java.util.concurrent.ExecutionException.class, () -> creating.get(30, TimeUnit.SECONDS));
                assertTrue(String.valueOf(ended.getCause().getMessage()).contains("terminat"), String.valueOf(ended.getCause()));
                assertEquals(List.of(), sideCopies(), "nothing appears after recover");
                String swept = (String) ops("select payload::text as p from ops.run_events where event_type = 'side_copies_swept' "
                        + "and run_id = (select run_id from ops.runs where environment_id = ? and operation_type = 'recover' "
                        + "and status = 'success' order by created_at desc limit 1)", env.environmentId()).get(0).get("p");
                assertTrue(swept.contains("ended the creation of [" + side + "]"), swept);
            } finally {
                su.createStatement().execute("drop database if exists " + template);
                pool.shutdownNow();
            }
        }
    }
}
