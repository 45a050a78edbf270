package dev.odooops.flows;

import dev.odooops.model.ValidateEnvRequest;
import dev.odooops.cli.Commands;
import dev.odooops.domain.Json;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.support.Await;
import dev.odooops.support.EnvironmentState;
import dev.odooops.support.OdooStandIn;
import dev.odooops.support.FlowFixture;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #6, sections A to C on the restore side: never report success for work not done, never lose the copy
 * that may be the only good one, keep Odoo out of service until the restored data is validated, and bring it
 * back afterwards. Real PostgreSQL, S3 endpoint, tools, and an Odoo stand-in that behaves like Odoo.
 */
class RestoreTrustTest {
    private FlowFixture fx;
    private TestEnvironment env;
    private OdooStandIn odoo;

    @BeforeEach
    void setUp() throws Exception {
        fx = FlowFixture.standIn("trust");
        env = fx.env;
        odoo = fx.odoo;
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (fx != null) fx.close();
    }

    private RestoreResult restore(String artifact, RestoreRequest.Mode mode) {
        return fx.restore(artifact, BackupType.FULL, mode);
    }

    private void damage() throws Exception {
        fx.sql("update res_partner set name = 'damaged' where id < 10");
        try (Stream<Path> files = Files.walk(env.odoo.filestore())) {
            Files.delete(files.filter(Files::isRegularFile).sorted().findFirst().orElseThrow());
        }
    }

    @Test
    void should_restore_again_when_the_environment_changed_since_the_same_artifact_was_restored() throws Exception {
        BackupResult b = fx.backup();
        EnvironmentState backedUp = EnvironmentState.of(env);

        RestoreResult first = restore(b.artifactId(), RestoreRequest.Mode.AUTO);
        assertEquals("success", first.status(), first.error());
        assertEquals("restore", first.mode());

        RestoreResult unchanged = restore(b.artifactId(), RestoreRequest.Mode.AUTO);
        assertEquals("success", unchanged.status(), unchanged.error());
        assertEquals("validate_only", unchanged.mode(), unchanged.modeReason());
        assertTrue(unchanged.modeReason().contains("unchanged"), unchanged.modeReason());

        damage();
        RestoreResult again = restore(b.artifactId(), RestoreRequest.Mode.AUTO);
        assertEquals("success", again.status(), again.error());
        assertEquals("restore", again.mode(), "the damage must be repaired, not validated: " + again.modeReason());
        assertTrue(again.modeReason().contains("changed"), again.modeReason());
        // told by the server's count of rows written since the last restore, without reading the tables or files
        assertTrue(again.modeReason().contains("rows written since"), again.modeReason());
        assertEquals(backedUp, EnvironmentState.of(env), "the damage is repaired");

        RestoreResult forced = restore(b.artifactId(), RestoreRequest.Mode.FORCE);
        assertEquals("restore", forced.mode());
        assertEquals("success", forced.status(), forced.error());
        RestoreResult validateOnly = restore(b.artifactId(), RestoreRequest.Mode.VALIDATE_ONLY);
        assertEquals("validate_only", validateOnly.mode());
        assertEquals("success", validateOnly.status(), validateOnly.error());
        Map<String, Object> fin = Json.readMap(Path.of(validateOnly.evidenceDir(), "final_status.json"));
        assertEquals("validate_only", fin.get("mode"));
    }

    @Test
    void should_restore_the_artifact_again_after_odoo_recreated_an_empty_database() throws Exception {
        BackupResult b = fx.backup();
        EnvironmentState backedUp = EnvironmentState.of(env);
        assertEquals("success", restore(b.artifactId(), RestoreRequest.Mode.AUTO).status());

        // the database is lost; Odoo (db_name set in odoo.conf) re-creates an empty one at its next start
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
            c.createStatement().execute("drop database " + env.database + " with (force)");
        }
        odooCall("/stop");
        odooCall("/start");
        assertEquals(Map.of(), EnvironmentState.tables(env.database), "Odoo created an empty database");

        RestoreResult r = restore(b.artifactId(), RestoreRequest.Mode.AUTO);

        assertEquals("success", r.status(), r.error());
        assertEquals("restore", r.mode(), r.modeReason());
        assertEquals(backedUp, EnvironmentState.of(env));
    }

    @Test
    void should_report_odoo_down_when_odoo_does_not_come_back_after_the_rollback() throws Exception {
        BackupResult b = fx.backup();
        damage();
        EnvironmentState damaged = EnvironmentState.of(env);
        odoo.unhealthyStarts = Integer.MAX_VALUE;
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int exit = new Commands(fx.runtime().operations(), new PrintStream(out, true)).restore(new RestoreRequest(null,
                env.environmentId(), b.artifactId(), BackupType.FULL, true, true, env.environmentId(), "operator", "cli"));

        Map<String, Object> json = Json.readMap(out.toString().strip());
        assertEquals(Commands.ODOO_DOWN, exit, json.toString());
        assertEquals("rolled_back_odoo_down", json.get("status"));
        assertEquals(false, json.get("odoo_healthy"));
        assertEquals(damaged, EnvironmentState.of(env), "the data is back");
        Map<String, Object> fin = Json.readMap(Path.of((String) json.get("evidence_dir"), "final_status.json"));
        assertEquals("rolled_back_odoo_down", fin.get("status"));
        assertTrue(String.valueOf(fin.get("attention")).contains("service is down"), fin.toString());
        assertTrue(odoo.inMaintenance(), "an Odoo that is down stays behind the maintenance page");
        assertEquals("rolled_back_odoo_down", TestEnvironment.ops("select status from ops.runs where run_id = ?::uuid",
                json.get("run_id")).get(0).get("status"));
    }

    @Test
    void should_put_the_live_database_back_even_when_the_new_one_cannot_be_dropped() throws Exception {
        BackupResult b = fx.backup();
        damage();
        EnvironmentState before = EnvironmentState.of(env);
        Long liveOid = EnvironmentState.oid(env.database);
        // a superuser session (a DBA's psql, a monitoring tool) sits on the database being restored: the
        // environment's role may not end it, so that database can be neither renamed into place nor dropped
        AtomicReference<Connection> intruder = new AtomicReference<>();
        Thread watcher = new Thread(() -> {
            try {
                // polled every 5 ms: the session must be in before the restore renames that database into place
                String restoreDb = Await.value("the restore's new database", Await.DEFAULT, Duration.ofMillis(5),
                        () -> TestEnvironment.ops("select datname from pg_database where datname like ?",
                                env.database + "\\_\\_restore\\_%").stream().map(r -> (String) r.get("datname")).findFirst().orElse(null));
                intruder.set(DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + restoreDb, "postgres", ""));
            } catch (Exception | AssertionError e) {
                // interrupted when the restore ended first: the test's assertions report what happened
            }
        });
        watcher.start();
        try {
            RestoreResult r = restore(b.artifactId(), RestoreRequest.Mode.AUTO);

            assertTrue(intruder.get() != null, "the intruding session was opened in time");
            Map<String, Object> rollback = Json.readMap(Path.of(r.evidenceDir(), "rollback.json"));
            assertEquals("rolled_back", r.status(), r.error() + " " + rollback);
            assertEquals("swap-database", r.failedStep());
            assertEquals(liveOid, EnvironmentState.oid(env.database), "the very database kept aside is live again, "
                    + "not an older copy restored from the safety backup: " + rollback);
            assertEquals(before, EnvironmentState.of(env));
            assertFalse(rollback.get("actions").toString().contains("slow path"), rollback.toString());
            assertTrue(rollback.get("leftovers").toString().contains("__restore_"), rollback.toString());
        } finally {
            watcher.interrupt();
            watcher.join();
            if (intruder.get() != null) intruder.get().close();
        }
        // the leftover goes at the next run's start once nobody holds it
        RestoreResult next = restore(b.artifactId(), RestoreRequest.Mode.AUTO);
        assertEquals("success", next.status(), next.error());
        assertEquals(List.of(), EnvironmentState.sideCopies(env));
    }

    @Test
    void should_keep_maintenance_on_until_validated_and_stop_odoo_before_rolling_back() throws Exception {
        BackupResult b = fx.backup();
        damage();
        EnvironmentState before = EnvironmentState.of(env);
        Long liveOid = EnvironmentState.oid(env.database);
        odoo.errorInLogAtStart = true; // validation fails on the restored data, after Odoo was started on it
        odoo.calls().clear();

        RestoreResult r = restore(b.artifactId(), RestoreRequest.Mode.AUTO);

        assertEquals("validate", r.failedStep());
        assertEquals("rolled_back", r.status(), r.error());
        List<String> calls = callsFromQuiesce();
        assertEquals(List.of("POST /maintenance/on", "POST /stop", "POST /start", // the restore
                "POST /maintenance/on", "POST /stop", "POST /start", "POST /maintenance/off"), // the rollback
                calls, "maintenance is never lifted on data that is rolled back, and Odoo is stopped before the swap");
        assertEquals(liveOid, odoo.loadedOid(), "Odoo serves the database put back, not the one it loaded first");
        assertEquals(before, EnvironmentState.of(env));
        assertFalse(odoo.inMaintenance());
        String rollback = Files.readString(Path.of(r.evidenceDir(), "rollback.json"));
        assertTrue(rollback.indexOf("\"stop\"") < rollback.indexOf("(put back)"), rollback);
    }

    @Test
    void should_lift_maintenance_only_after_the_validations_passed() throws Exception {
        BackupResult b = fx.backup();
        odoo.calls().clear();

        RestoreResult r = restore(b.artifactId(), RestoreRequest.Mode.FORCE);

        assertEquals("success", r.status(), r.error());
        assertEquals(List.of("POST /maintenance/on", "POST /stop", "POST /start", "POST /maintenance/off"), callsFromQuiesce());
        assertFalse(odoo.inMaintenance());
        assertTrue(odoo.running());
        assertNotEquals(null, odoo.loadedOid());
    }

    @Test
    void should_judge_only_the_odoo_log_since_the_last_restart_in_validate_env() throws Exception {
        BackupResult b = fx.backup();
        assertEquals("success", restore(b.artifactId(), RestoreRequest.Mode.FORCE).status());
        // an ERROR line from long before the restart odoo-ops did (a cron that failed last year)
        String log = Files.readString(odoo.log());
        Files.writeString(odoo.log(), "2025-01-01 03:00:00,000 77 ERROR acme odoo.addons.base.models.ir_cron: Job failed\n" + log);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = new Commands(fx.runtime().operations(), new PrintStream(out, true)).validateEnv(
                new ValidateEnvRequest(null, env.environmentId(), null, null, "operator"));
        Map<String, Object> report = Json.readMap(out.toString().strip());
        assertEquals(0, exit, report.toString());
        assertFalse(report.get("log_window").toString().contains("whole log"), report.toString());

        out.reset();
        exit = new Commands(fx.runtime().operations(), new PrintStream(out, true)).validateEnv(
                new ValidateEnvRequest(null, env.environmentId(), null, "1000d", "operator"));
        assertEquals(Commands.FAILED, exit, "an explicit wider window sees the old error: " + out);

        var rejected = org.junit.jupiter.api.Assertions.assertThrows(dev.odooops.domain.RequestRejected.class,
                () -> new Commands(fx.runtime().operations(), System.out).validateEnv(
                        new ValidateEnvRequest(null, env.environmentId(), null, "yesterday", "operator")));
        assertTrue(rejected.getMessage().contains("since"), rejected.getMessage());
    }

    /** Odoo's calls from the restore's own quiesce on (the safety backup before it toggles maintenance too). */
    private List<String> callsFromQuiesce() {
        List<String> calls = odoo.calls().stream().filter(c -> !c.startsWith("GET")).toList();
        int stop = calls.indexOf("POST /stop");
        return calls.subList(stop - 1, calls.size());
    }

    private void odooCall(String path) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(odoo.url() + path))
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
    }
}
