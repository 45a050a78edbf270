package dev.odooops.service;

import dev.odooops.support.Await;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `odoo-ops serve` stopped as systemd or a terminal stops it: SIGTERM to its whole process group while a real
 * backup or restore of a database of a few hundred MiB runs (pg_dump, pg_restore in progress). The run ends as if
 * nothing had happened, new requests meanwhile get 503, and the process exits after the run; a run cut off by a
 * short grace is put back by the next run's recovery.
 */
class ServeShutdownTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private TestEnvironment env;

    @AfterEach
    void cleanUp() throws Exception {
        if (env != null) env.close();
    }

    private record Serve(Process process, Path errFile, int port) {
        String err() throws Exception {
            return Files.readString(errFile);
        }
    }

    private Serve serve(String name) throws Exception {
        int port = Integer.parseInt(env.apiUrl().replaceAll(".*:(\\d+)/api/v1", "$1"));
        Path err = env.root.resolve(name + ".err");
        Process p = env.spawnInOwnGroup(env.root.resolve(name + ".out"), err, "serve");
        Await.serveReady(p, err);
        return new Serve(p, err, port);
    }

    private HttpResponse<String> post(Serve s, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/api/v1" + path))
                .header("Authorization", "Bearer " + TestEnvironment.OPERATOR_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String runId(HttpResponse<String> accepted) {
        assertEquals(202, accepted.statusCode(), accepted.body());
        return accepted.body().replaceAll(".*\"run_id\":\\s*\"([0-9a-f-]+)\".*", "$1");
    }

    private static Map<String, Object> run(String runId) throws Exception {
        return TestEnvironment.ops("select status, failed_step, failure_reason from ops.runs where run_id = ?::uuid", runId).get(0);
    }

    /** Waits for serve (or one of its children) to run {@code tool}, then signals serve's whole process group. */
    private static void sigtermGroupDuring(Serve s, String tool) throws Exception {
        Await.until(tool + " to run under serve", () -> {
            if (!s.process().isAlive()) throw new AssertionError("serve ended");
            // the tool at work (pg_restore --list, an artifact's quick check, does not count)
            return s.process().descendants().anyMatch(d -> d.info().command().map(c -> c.endsWith("/" + tool)).orElse(false)
                    && !List.of(d.info().arguments().orElse(new String[0])).contains("--list"));
        });
        TestEnvironment.sh(null, "kill", "-TERM", "--", "-" + s.process().pid()); // as systemd and a terminal do
    }

    private static void awaitStopping(Serve s) throws Exception {
        Await.until("serve to begin its stop", () -> {
            try {
                return s.err().contains("odoo-ops serve: stopping");
            } catch (Exception e) {
                return false;
            }
        });
    }

    private String backupBody(String requestId) {
        return "{\"environment\": \"" + env.environmentId() + "\", \"request_id\": \"" + requestId + "\"}";
    }

    @Test
    void should_let_a_running_backup_finish_on_sigterm_to_the_process_group_refuse_new_requests_and_then_exit()
            throws Exception {
        env = TestEnvironment.create("serve_stop").withType("staging").withBulk(200).withServicePorts();
        Serve s = serve("serve");
        String run = runId(post(s, "/backups", backupBody("running-at-sigterm")));

        sigtermGroupDuring(s, "pg_dump");
        awaitStopping(s);
        HttpResponse<String> refused = post(s, "/backups", backupBody("sent-while-stopping"));
        assertEquals(503, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("\"error\"") && refused.body().contains("shutting down"), refused.body());
        assertEquals("running", run(run).get("status"), "the backup still runs while serve drains");

        assertTrue(s.process().waitFor(300, TimeUnit.SECONDS), "serve did not exit after the backup");
        assertEquals("success", run(run).get("status"), run(run) + "\n" + s.err());
        assertEquals(1, TestEnvironment.ops("select 1 from ops.artifacts where run_id = ?::uuid", run).size(), "its artifact");
        assertTrue(s.err().contains("odoo-ops serve: stopped"), s.err());
        assertFalse(s.err().contains("exited with 143"), s.err());
        assertEquals(List.of(), TestEnvironment.ops("select 1 from ops.runs where environment_id = ? and request_id = ?",
                env.environmentId(), "sent-while-stopping"), "a request refused while stopping leaves no run");
    }

    private String partners() throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database,
                "postgres", "")) {
            var rs = c.createStatement().executeQuery("select md5(string_agg(p::text, '|' order by p.id)) from res_partner p");
            rs.next();
            return rs.getString(1);
        }
    }

    private List<Map<String, Object>> sideDatabases() throws Exception {
        return TestEnvironment.ops("select datname from pg_database where datname like ?", env.database + "\\_\\_%");
    }

    @Test
    void should_let_a_running_restore_finish_on_sigterm_and_put_back_one_cut_off_by_a_short_grace() throws Exception {
        env = TestEnvironment.create("serve_stop_restore").withType("staging").withBulk(150).withServicePorts();
        dev.odooops.model.BackupResult b;
        try (dev.odooops.OpsRuntime rt = env.runtime()) {
            b = rt.operations().backup(dev.odooops.model.BackupRequest.of(env.project, "prod",
                    dev.odooops.model.BackupType.FULL, null, null, null, null, "operator", "test"));
        }
        assertEquals("success", b.status(), b.error());
        String restoreBody = "{\"environment\": \"" + env.environmentId() + "\", \"artifact_id\": \"" + b.artifactId()
                + "\", \"request_id\": \"%s\"}";

        // the grace is long enough: the restore completes, then serve exits
        Serve s = serve("serve1");
        String completed = runId(post(s, "/restores", restoreBody.formatted("restore-at-sigterm")));
        sigtermGroupDuring(s, "pg_restore");
        awaitStopping(s);
        assertTrue(s.process().waitFor(300, TimeUnit.SECONDS), "serve did not exit after the restore");
        assertEquals("success", run(completed).get("status"), run(completed) + "\n" + s.err());
        assertTrue(s.err().contains("odoo-ops serve: stopped"), s.err());

        // a grace of 1 s cuts the next restore off before its swap: the process exits, the live environment is untouched
        // and the next run's recovery removes what the restore had begun
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database,
                "postgres", "")) {
            c.createStatement().execute("update res_partner set name = 'changed after the restore' where id < 20");
        }
        String before = partners();
        env.withProperty("service.shutdown-grace-seconds", "1");
        // held after its database was loaded and before the swap, so the grace cuts it off however fast this machine
        // restores (a crash point that is never reached arms the step points; the hold parks the worker for good)
        env.withSpawnEnv("ODOO_OPS_CRASH_AT", "never").withSpawnEnv("ODOO_OPS_HOLD_AT", "before:swap-database");
        Serve short1 = serve("serve2");
        String cutOff = runId(post(short1, "/restores", restoreBody.formatted("cut-off-by-the-grace")));
        Await.until("the restore to reach the swap", () -> {
            try {
                return short1.err().contains("hold point before:swap-database reached");
            } catch (Exception e) {
                return false;
            }
        });
        TestEnvironment.sh(null, "kill", "-TERM", "--", "-" + short1.process().pid());
        assertTrue(short1.process().waitFor(120, TimeUnit.SECONDS), "serve did not exit at the end of its grace");
        assertTrue(short1.err().contains("cut off at the end of the grace"), short1.err());
        assertEquals("running", run(cutOff).get("status"), "cut off, not ended: " + run(cutOff));

        Process recover = env.spawn(env.root.resolve("recover.out"), env.root.resolve("recover.err"), "recover", "--env",
                env.environmentId());
        assertTrue(recover.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, recover.exitValue(), Files.readString(env.root.resolve("recover.err")));
        assertEquals("abandoned", run(cutOff).get("status"));
        assertEquals(before, partners(), "the environment is as it was before the cut-off restore");
        assertEquals(List.of(), sideDatabases(), "no side copy left");
    }
}
