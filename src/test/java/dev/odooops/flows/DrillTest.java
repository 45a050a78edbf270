package dev.odooops.flows;

import dev.odooops.config.Settings;
import dev.odooops.domain.Json;
import dev.odooops.domain.RequestRejected;
import dev.odooops.model.BackupResult;
import dev.odooops.model.DrillRequest;
import dev.odooops.model.Report;
import dev.odooops.ops.OpsDatabase;
import dev.odooops.ops.RunLease;
import dev.odooops.staging.ScratchCopies;
import dev.odooops.support.DrillServer;
import dev.odooops.support.EnvironmentState;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The restore drill (issue 16, section 1) on an Odoo-shaped environment with its stand-in, drilled on the drill server
 * (127.0.0.1:5433, {@link DrillServer}): a passing drill records its RTO and checks and leaves nothing, never touching
 * the environment; a drill beside a backup of the same environment (both ways); a drill command that sees the
 * neutralised clone; a failing command that flags the artifact failed. The stages share one environment, in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrillTest {
    private FlowFixture fx;
    private TestEnvironment env;
    private BackupResult backup;
    private Path drillDir;
    private Path script;

    @BeforeAll
    void setUp() throws Exception {
        DrillServer.require();
        env = TestEnvironment.create("drill").withLocalStore().withOperatorActions("backup, restore, drill")
                .withSecret(DrillServer.SECRET, DrillServer.PASSWORD);
        drillDir = env.root.resolve("drills");
        script = env.root.resolve("drill-odoo.sh");
        Files.writeString(script, """
                #!/bin/sh
                # a scratch Odoo's stand-in: exits 0 only on the neutralised clone it was given (args: db host port user data_dir)
                set -u
                [ -e "$(dirname "$0")/fail-drill" ] && { echo "told to fail" >&2; exit 1; }
                case "$1" in odoo_ops_scratch_drillodoo_*) ;; *) echo "not the clone: $1" >&2; exit 1 ;; esac
                [ -d "$5/filestore/$1" ] || { echo "no filestore $5/filestore/$1" >&2; exit 1; }
                [ -n "${PGPASSWORD:-}" ] || { echo "no PGPASSWORD" >&2; exit 1; }
                mail=$(psql -X -At -h "$2" -p "$3" -U "$4" -d "$1" -c "select count(*) from ir_mail_server where active and smtp_host <> 'invalid'") || exit 1
                cron=$(psql -X -At -h "$2" -p "$3" -U "$4" -d "$1" -c "select count(*) from ir_cron where active") || exit 1
                [ "$mail" = 0 ] && [ "$cron" = 0 ] || { echo "not neutralised: mail $mail cron $cron" >&2; exit 1; }
                echo "neutralised clone $1"
                """);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        drills(null);
        fx = FlowFixture.standIn(env);
        backup = fx.backup();
    }

    /** The top-level drills block: the drill server, its work directory and, when given, the command. */
    private void drills(String command) throws Exception {
        env.withTopYaml("drills:\n  database: " + DrillServer.databaseYaml() + "\n  work_dir: " + drillDir + "\n"
                + (command == null ? "" : "  command: " + command + "\n  timeout_seconds: 120\n"));
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (fx != null) fx.close();
    }

    private Report drill(String artifact, String user) {
        return fx.runtime().operations().drill(new DrillRequest(env.project, "prod", artifact, user, "test"));
    }

    @Test
    @Order(1)
    void should_refuse_an_unknown_artifact_and_a_user_without_drill() {
        RequestRejected unknown = assertThrows(RequestRejected.class, () -> drill("no-such-artifact", "operator"));
        assertEquals("artifact", unknown.field(), unknown.getMessage());
        RequestRejected denied = assertThrows(RequestRejected.class, () -> drill(null, "auditor"));
        assertTrue(denied.getMessage().contains("drill"), denied.getMessage());
    }

    @Test
    @Order(2)
    void should_pass_on_the_drill_server_record_the_rto_and_leave_nothing_without_touching_the_environment() throws Exception {
        EnvironmentState before = EnvironmentState.of(env);
        Long oid = EnvironmentState.oid(env.database);
        int calls = fx.odoo.calls().size();
        Report r = drill(null, "operator");
        assertTrue(r.ok(), r.body().toString());
        assertEquals("passed", r.body().get("drill"));
        assertEquals(backup.artifactId(), r.body().get("artifact_id"));
        assertEquals("127.0.0.1:" + DrillServer.PORT, r.body().get("server"));
        long rto = ((Number) r.body().get("rto_ms")).longValue();
        assertTrue(rto > 0, r.body().toString());
        UUID run = UUID.fromString((String) r.body().get("run_id"));

        Map<String, Object> row = ops("select status, rto_ms, checks::text as checks, server, scratch_database from ops.drills "
                + "where run_id = ?", run).get(0);
        assertEquals("passed", row.get("status"));
        assertEquals(rto, ((Number) row.get("rto_ms")).longValue());
        Map<String, Object> checks = Json.readMap((String) row.get("checks"));
        for (String c : List.of("row_counts", "modules", "data_samples", "attachments", "tree_digest")) {
            assertEquals("passed", ((Map<?, ?>) checks.get(c)).get("status"), c + ": " + checks.get(c));
        }
        assertEquals("skipped", ((Map<?, ?>) checks.get("odoo_start")).get("status"));
        Path evidence = Path.of((String) r.body().get("evidence_dir"));
        assertTrue(evidence.toString().contains("/drill/"), evidence.toString());
        for (String f : List.of("inputs.json", "artifact_verification.json", "scratch_restore.log", "scratch_filestore.json",
                "drill.json", "scratch_cleanup.json", "final_status.json")) {
            assertTrue(Files.exists(evidence.resolve(f)), f);
        }
        assertFalse(Files.readString(evidence.resolve("inputs.json")).contains(DrillServer.PASSWORD), "no password in evidence");

        TestEnvironment.CliResult list = env.cli("artifacts", "--env", env.environmentId(), "--json");
        assertEquals(0, list.exit(), list.stderr());
        Map<String, Object> mine = artifactRow(list.stdout(), backup.artifactId());
        assertEquals("passed", mine.get("last_drill_status"), mine.toString());
        assertNotNull(mine.get("last_drill_at"));

        assertNothingLeftOf(run);
        assertEquals(before, EnvironmentState.of(env), "the environment's database and filestore are unchanged");
        assertEquals(oid, EnvironmentState.oid(env.database), "the environment's database is the same one");
        assertEquals(calls, fx.odoo.calls().size(), "the environment's Odoo was never called: " + fx.odoo.calls());
        assertTrue(fx.odoo.running() && !fx.odoo.inMaintenance());
    }

    @Test
    @Order(3)
    void should_run_beside_a_backup_of_the_same_environment_both_ways() throws Exception {
        try (OpsDatabase db = new OpsDatabase(Settings.load(TestEnvironment.HOME, env.configDir, System::getenv))) {
            // a backup holds the environment's one active place (a live process's lease): the drill runs beside it
            UUID backupRun = UUID.randomUUID();
            try (RunLease held = RunLease.begin(db, backupRun, env.project, env.environmentId(), "backup", "operator", "{}", 300, 60)) {
                Report r = drill(null, "operator");
                assertTrue(r.ok(), r.body().toString());
                assertEquals("queued", ops("select status from ops.runs where run_id = ?", backupRun).get(0).get("status"),
                        "the backup's run is left as it was");
            } finally {
                endRun(backupRun);
            }
            // a drill holds its place: a backup runs beside it
            UUID drillRun = UUID.randomUUID();
            try (RunLease held = RunLease.begin(db, drillRun, env.project, env.environmentId(), "drill", "operator", "{}", 300, 60)) {
                BackupResult b = fx.backup();
                assertEquals("success", b.status(), b.error());
                // but only one drill at a time
                RequestRejected second = assertThrows(RequestRejected.class, () -> drill(null, "operator"));
                assertEquals("env", second.field(), second.getMessage());
            } finally {
                endRun(drillRun);
            }
        }
    }

    @Test
    @Order(4)
    void should_start_the_command_on_a_neutralised_clone_and_drop_it() throws Exception {
        drills("[" + script + ", \"{database}\", \"{db_host}\", \"{db_port}\", \"{db_user}\", \"{data_dir}\"]");
        fx.restart();
        Report r = drill(backup.artifactId(), "operator");
        assertTrue(r.ok(), r.body().toString());
        UUID run = UUID.fromString((String) r.body().get("run_id"));
        Map<String, Object> checks = Json.readMap((String) ops("select checks::text as c from ops.drills where run_id = ?", run)
                .get(0).get("c"));
        assertEquals("passed", ((Map<?, ?>) checks.get("odoo_start")).get("status"), checks.toString());
        Map<String, Object> odoo = Json.readMap(Path.of((String) r.body().get("evidence_dir")).resolve("drill_odoo.json"));
        assertTrue(String.valueOf(odoo.get("output_tail")).contains("neutralised clone odoo_ops_scratch_drillodoo_"), odoo.toString());
        assertFalse(odoo.toString().contains(DrillServer.PASSWORD), "the password never on the command line or in evidence");
        assertNothingLeftOf(run);
    }

    @Test
    @Order(5)
    void should_fail_flag_the_artifact_and_leave_nothing_when_the_command_fails() throws Exception {
        Files.writeString(env.root.resolve("fail-drill"), "");
        try {
            Report r = drill(backup.artifactId(), "operator");
            assertFalse(r.ok(), r.body().toString());
            assertEquals("failed", r.body().get("status"));
            assertEquals("start-odoo", r.body().get("failed_step"), r.body().toString());
            UUID run = UUID.fromString((String) r.body().get("run_id"));
            Map<String, Object> row = ops("select status, failure from ops.drills where run_id = ?", run).get(0);
            assertEquals("failed", row.get("status"));
            assertTrue(String.valueOf(row.get("failure")).contains("told to fail"), row.toString());
            assertEquals("failed", ops("select status from ops.runs where run_id = ?", run).get(0).get("status"));
            TestEnvironment.CliResult list = env.cli("artifacts", "--env", env.environmentId(), "--json");
            assertEquals("failed", artifactRow(list.stdout(), backup.artifactId()).get("last_drill_status"));
            assertNothingLeftOf(run);
        } finally {
            Files.deleteIfExists(env.root.resolve("fail-drill"));
        }
    }

    @Test
    @Order(6)
    void should_fail_validation_against_a_tampered_expectation_and_flag_the_artifact() throws Exception {
        drills(null);
        fx.restart();
        // the catalog's manifest claims a module version the dump does not hold: the modules check must fail
        String original = (String) ops("select manifest::text as m from ops.artifacts where id = ?", backup.artifactId()).get(0).get("m");
        sqlOps("update ops.artifacts set manifest = jsonb_set(manifest, '{manifest,modules_installed,base}', '\"9.9.9\"') where id = ?",
                backup.artifactId());
        Report r;
        try {
            r = drill(backup.artifactId(), "operator");
        } finally {
            sqlOps("update ops.artifacts set manifest = cast(? as jsonb) where id = ?", original, backup.artifactId());
        }
        assertFalse(r.ok(), r.body().toString());
        assertEquals("validate-drill", r.body().get("failed_step"), r.body().toString());
        UUID run = UUID.fromString((String) r.body().get("run_id"));
        Map<String, Object> checks = Json.readMap((String) ops("select checks::text as c from ops.drills where run_id = ?", run)
                .get(0).get("c"));
        assertEquals("failed", ((Map<?, ?>) checks.get("modules")).get("status"), checks.toString());
        assertEquals("passed", ((Map<?, ?>) checks.get("row_counts")).get("status"), checks.toString());
        assertEquals("failed", ops("select last_drill_status from ops.artifacts where id = ?", backup.artifactId()).get(0)
                .get("last_drill_status"));
        assertTrue(((Map<?, ?>) Json.readMap(Path.of((String) r.body().get("evidence_dir")).resolve("drill.json")).get("summary"))
                .get("failed_checks").toString().contains("modules"));
        assertNothingLeftOf(run);
    }

    @Test
    @Order(7)
    void should_wait_for_a_server_command_s_health_url_then_stop_its_process_group() throws Exception {
        env.withTopYaml("drills:\n  database: " + DrillServer.databaseYaml() + "\n  work_dir: " + drillDir + "\n"
                + "  command: [/usr/bin/python3, -m, http.server, \"{port}\", --bind, 127.0.0.1, --directory, \"{data_dir}\"]\n"
                + "  health_url: \"http://127.0.0.1:{port}/\"\n  timeout_seconds: 60\n");
        fx.restart();
        // through the command line (its scoped runtime): exit 0, the report as JSON
        TestEnvironment.CliResult cli = env.cli("drill", "--env", env.environmentId(), "--json");
        assertEquals(0, cli.exit(), cli.stdout() + cli.stderr());
        Map<String, Object> body = Json.readMap(cli.stdout());
        assertEquals("passed", body.get("drill"), body.toString());
        Map<String, Object> odoo = Json.readMap(Path.of((String) body.get("evidence_dir")).resolve("drill_odoo.json"));
        assertEquals(200, ((Number) odoo.get("last_status")).intValue(), odoo.toString());
        int port = ((Number) odoo.get("port")).intValue();
        // stopped: nothing answers on its port any more
        assertThrows(java.io.IOException.class, () -> new java.net.Socket("127.0.0.1", port).close());
        assertNothingLeftOf(UUID.fromString((String) body.get("run_id")));
    }

    @Test
    @Order(8)
    void should_fail_and_leave_nothing_when_the_drill_disk_fills_up() throws Exception {
        drills(null);
        fx.restart();
        // a real full disk: a tmpfs over drills.work_dir with room for a fraction of the artifact's filestore
        Files.createDirectories(drillDir);
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", drillDir.toString())
                .redirectErrorStream(true).start();
        String why = new String(mount.getInputStream().readAllBytes()).strip();
        assertEquals(0, mount.waitFor(), "a full disk needs a tmpfs mount (root, mount rights): " + why);
        Map<String, Object> lastDrillBefore = lastDrill(backup.artifactId());
        try {
            Long oid = EnvironmentState.oid(env.database);
            Report r = drill(backup.artifactId(), "operator");
            assertFalse(r.ok(), r.body().toString());
            assertEquals("failed", r.body().get("status"), r.body().toString());
            assertTrue(String.valueOf(r.body().get("error")).contains("No space left on device"), r.body().toString());
            UUID run = UUID.fromString((String) r.body().get("run_id"));
            // a full drill disk says nothing of the artifact: the drill is inconclusive, the artifact keeps its last verdict
            assertEquals("inconclusive", r.body().get("drill"), r.body().toString());
            assertTrue(String.valueOf(r.body().get("inconclusive_because")).contains("disk is full"), r.body().toString());
            assertEquals("inconclusive", ops("select status from ops.drills where run_id = ?", run).get(0).get("status"));
            assertEquals(lastDrillBefore, lastDrill(backup.artifactId()), "an inconclusive drill changed the artifact's last verdict");
            assertNothingLeftOf(run);
            try (Stream<Path> left = Files.list(drillDir)) {
                assertEquals(List.of(), left.map(p -> p.getFileName().toString()).toList(), "the drill disk holds nothing of the run");
            }
            assertEquals(oid, EnvironmentState.oid(env.database), "the environment's database is untouched");
        } finally {
            new ProcessBuilder("umount", drillDir.toString()).inheritIO().start().waitFor();
        }
        // room again: the artifact drills
        Report again = drill(backup.artifactId(), "operator");
        assertTrue(again.ok(), again.body().toString());
    }

    /**
     * The store out of reach (its directory gone, as an unmounted share): the drill fails inconclusive in its fetch, the
     * artifact keeps its last verdict (an outage never marks a good backup bad), and the run still fails (alerts see it).
     */
    @Test
    @Order(9)
    void should_end_inconclusive_and_leave_the_artifact_s_verdict_when_the_store_is_out_of_reach() throws Exception {
        drills(null);
        fx.restart();
        Map<String, Object> lastDrillBefore = lastDrill(backup.artifactId());
        assertEquals("passed", lastDrillBefore.get("last_drill_status"), "the drill of order 8 passed once the disk had room");
        Path store = env.localStoreDir();
        Path away = store.resolveSibling("store-unmounted");
        Files.move(store, away);
        Report r;
        try {
            r = drill(backup.artifactId(), "operator");
        } finally {
            Files.move(away, store);
        }
        assertFalse(r.ok(), r.body().toString());
        assertEquals("failed", r.body().get("status"), "the run failed: " + r.body());
        assertEquals("inconclusive", r.body().get("drill"), r.body().toString());
        assertTrue(String.valueOf(r.body().get("inconclusive_because")).contains("store cannot be reached"), r.body().toString());
        UUID run = UUID.fromString((String) r.body().get("run_id"));
        assertEquals("inconclusive", ops("select status from ops.drills where run_id = ?", run).get(0).get("status"));
        assertEquals("failed", ops("select status from ops.runs where run_id = ?", run).get(0).get("status"));
        assertEquals(lastDrillBefore, lastDrill(backup.artifactId()), "the outage changed the artifact's last verdict");
        TestEnvironment.CliResult list = env.cli("artifacts", "--env", env.environmentId(), "--json");
        assertEquals("passed", artifactRow(list.stdout(), backup.artifactId()).get("last_drill_status"), list.stdout());
        Map<String, Object> evidence = Json.readMap(Path.of((String) r.body().get("evidence_dir")).resolve("drill.json"));
        assertEquals("inconclusive", evidence.get("drill"), evidence.toString());
        assertNothingLeftOf(run);
    }

    private static Map<String, Object> lastDrill(String artifactId) throws Exception {
        return ops("select last_drill_status, last_drill_at, last_drill_run from ops.artifacts where id = ?", artifactId).get(0);
    }

    private static void sqlOps(String sql, Object... args) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + TestEnvironment.OPS_DB, "postgres", "");
             var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
            ps.executeUpdate();
        }
    }

    private void assertNothingLeftOf(UUID run) throws Exception {
        assertEquals(List.of(), DrillServer.databasesLike(ScratchCopies.DATABASE_PREFIX).stream()
                .filter(n -> ScratchCopies.isScratchOf(n, run)).toList(), "scratch databases on the drill server");
        assertEquals(List.of(), scratchOnMainServer(run), "scratch databases on the environment's server");
        if (Files.isDirectory(drillDir)) {
            try (Stream<Path> s = Files.list(drillDir)) {
                assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(ScratchCopies.tag(run))).toList(),
                        "scratch directories of run " + run);
            }
        }
    }

    private static List<String> scratchOnMainServer(UUID run) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
             var rs = c.createStatement().executeQuery("select datname from pg_database")) {
            while (rs.next()) if (ScratchCopies.isScratchOf(rs.getString(1), run)) out.add(rs.getString(1));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> artifactRow(String json, String id) {
        List<Map<String, Object>> rows = (List<Map<String, Object>>) Json.readMap(json).get("artifacts");
        return rows.stream().filter(a -> id.equals(a.get("artifact_id"))).findFirst().orElseThrow(() -> new AssertionError(json));
    }

    private static void endRun(UUID run) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + TestEnvironment.OPS_DB, "postgres", "");
             var ps = c.prepareStatement("update ops.runs set status = 'failed', finished_at = now() where run_id = ?")) {
            ps.setObject(1, run);
            ps.executeUpdate();
        }
    }
}
