package dev.odooops.flows;

import dev.odooops.domain.Json;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.support.Await;
import dev.odooops.support.DrillServer;
import dev.odooops.support.FlowFixture;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drills in a fleet (issue 16): with {@code drills.after_backup}, a new full backup records a queued drill of its
 * artifact in the catalog and ends without running it (nor a database-only backup any); a drill host ({@code serve}
 * with {@code service.run-operations=drill}) picks it up and runs it; a drill request sent to a production host
 * ({@code *,-drill}) is left queued there and run by the drill host too.
 */
class DrillFleetTest {
    private static Map<String, Object> drillRun(TestEnvironment env, String where, Object... args) throws Exception {
        List<Map<String, Object>> r = ops("select run_id::text as run_id, status, created_by, channel, request::text as request "
                + "from ops.runs where environment_id = ? and operation_type = 'drill' and " + where, concat(env.environmentId(), args));
        assertEquals(1, r.size(), r.toString());
        return r.get(0);
    }

    private static Object[] concat(Object first, Object... rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private static void awaitStatus(String runId, String status) throws Exception {
        Await.until("drill run " + runId + " " + status, () -> {
            try {
                return status.equals(ops("select status from ops.runs where run_id = ?::uuid", runId).get(0).get("status"));
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void should_queue_a_drill_of_each_new_full_backup_and_run_drills_on_the_drill_host_only() throws Exception {
        DrillServer.require();
        TestEnvironment env = TestEnvironment.create("drfleet").withLocalStore().withOperatorActions("backup, restore, drill")
                .withSecret(DrillServer.SECRET, DrillServer.PASSWORD);
        env.withTopYaml("drills:\n  database: " + DrillServer.databaseYaml() + "\n  work_dir: " + env.root.resolve("drills")
                + "\n  after_backup: true\n");
        Process[] serves = new Process[2];
        try (FlowFixture fx = FlowFixture.standIn(env)) {
          try {
            BackupResult backup = fx.backup();
            Map<String, Object> queued = drillRun(env, "request_id = ?", "drill-after-" + backup.artifactId());
            assertEquals("queued", queued.get("status"), "recorded, not run by the backup's process");
            assertEquals("operator", queued.get("created_by"));
            assertEquals("after-backup", queued.get("channel"));
            assertEquals(Map.of("operation", "drill", "project", env.project, "environment", "prod",
                    "artifact_id", backup.artifactId(), "request_id", "drill-after-" + backup.artifactId()),
                    Json.readMap((String) queued.get("request")));
            assertTrue(ops("select 1 from ops.drills where run_id = ?::uuid", queued.get("run_id")).isEmpty(), "no drill ran");
            assertTrue(ops("select 1 from ops.run_events where run_id = ?::uuid and event_type = 'drill_queued'",
                    backup.runId()).size() == 1);
            fx.backup(BackupType.DB_ONLY);
            assertEquals(1, ops("select 1 from ops.runs where environment_id = ? and operation_type = 'drill'",
                    env.environmentId()).size(), "a database-only backup is not drilled");

            // the drill host picks the queued drill up and runs it
            env.withProperty("service.pickup-seconds", "1");
            env.withProperty("service.run-operations", "drill");
            env.withServicePorts();
            Path errD = env.root.resolve("drill-host.err");
            Process drillHost = serves[0] = env.spawn(env.root.resolve("drill-host.out"), errD, "serve");
            Await.serveReady(drillHost, errD);
            awaitStatus((String) queued.get("run_id"), "success");
            assertEquals("passed", ops("select status from ops.drills where run_id = ?::uuid", queued.get("run_id")).get(0).get("status"));
            assertEquals("passed", ops("select last_drill_status from ops.artifacts where id = ?", backup.artifactId())
                    .get(0).get("last_drill_status"));
            assertTrue(Files.readString(errD).contains("picked up queued drill run"), Files.readString(errD));

            // a drill sent to a production host is left there for the drill host
            env.withProperty("service.run-operations", "*,-drill");
            env.withServicePorts();
            Path errP = env.root.resolve("production.err");
            Process production = serves[1] = env.spawn(env.root.resolve("production.out"), errP, "serve");
            Await.serveReady(production, errP);
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(env.apiUrl() + "/runs"))
                    .header("Authorization", "Bearer " + TestEnvironment.OPERATOR_TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"operation\": \"drill\", \"environment\": \"" + env.environmentId()
                            + "\", \"request_id\": \"fleet-drill-1\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(202, answer.statusCode(), answer.body());
            String sent = (String) drillRun(env, "request_id = 'fleet-drill-1'").get("run_id");
            awaitStatus(sent, "success");
            assertTrue(Files.readString(errP).contains("left queued for an instance that runs drill"), Files.readString(errP));
            assertFalse(Files.readString(errP).contains("picked up queued drill run"), "the production host never runs a drill");
            assertEquals(2L, Files.readString(errD).lines().filter(l -> l.contains("picked up queued drill run")).count(),
                    Files.readString(errD));
          } finally {
            for (Process p : serves) {
                if (p == null) continue;
                p.destroy();
                assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            }
          }
        }
    }

    /**
     * A schedule with {@code operation: drill} (no user: the built-in scheduler, which holds drill): its firings are
     * drill requests queued like any other and run; a firing that meets the environment's active drill is recorded
     * skipped.
     */
    @Test
    void should_run_drills_on_a_schedule_as_the_built_in_scheduler() throws Exception {
        DrillServer.require();
        TestEnvironment env = TestEnvironment.create("drsched").withLocalStore().withOperatorActions("backup, restore, drill")
                .withSecret(DrillServer.SECRET, DrillServer.PASSWORD);
        env.withTopYaml("drills:\n  database: " + DrillServer.databaseYaml() + "\n  work_dir: " + env.root.resolve("drills") + "\n");
        try (FlowFixture fx = FlowFixture.standIn(env)) {
            BackupResult backup = fx.backup();
            env.withSchedules("- {name: drills, cron: \"0/2 * * * * ?\", time_zone: UTC, operation: drill}");
            fx.restartAsService();
            Await.until("a scheduled drill to pass", () -> {
                try {
                    return !ops("select 1 from ops.runs r join ops.drills d on d.run_id = r.run_id where r.environment_id = ? "
                            + "and r.channel = 'schedule' and r.status = 'success' and d.status = 'passed'", env.environmentId()).isEmpty();
                } catch (Exception e) {
                    return false;
                }
            });
            List<Map<String, Object>> runs = ops("select status, created_by, request_id, failure_reason from ops.runs "
                    + "where environment_id = ? and channel = 'schedule' and operation_type = 'drill'", env.environmentId());
            for (Map<String, Object> r : runs) {
                assertEquals("scheduler", r.get("created_by"), r.toString());
                assertTrue(((String) r.get("request_id")).startsWith("schedule:drills:"), r.toString());
                assertTrue(List.of("queued", "running", "success", "skipped").contains(r.get("status")), r.toString());
            }
            assertEquals(backup.artifactId(), ops("select d.artifact_id from ops.drills d join ops.runs r on r.run_id = d.run_id "
                    + "where r.environment_id = ? and r.channel = 'schedule' and d.status = 'passed' limit 1", env.environmentId())
                    .get(0).get("artifact_id"), "the newest full backup");
        }
    }
}
