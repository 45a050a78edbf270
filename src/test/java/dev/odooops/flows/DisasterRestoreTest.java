package dev.odooops.flows;

import dev.odooops.domain.Json;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.Report;
import dev.odooops.model.RestoreDecisionRequest;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.support.OdooStandIn;
import dev.odooops.support.FlowFixture;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #13 A17 for Odoo: a restore is judged against what the artifact holds (an ir_attachment whose file was
 * already missing at backup time is reported, not a failure), and a disaster-recovery restore (no live database,
 * no live filestore) whose validation fails keeps the restored copy in maintenance for accept or discard.
 */
class DisasterRestoreTest {
    private FlowFixture fx;
    private TestEnvironment env;
    private OdooStandIn odoo;

    @BeforeEach
    void setUp() throws Exception {
        fx = FlowFixture.standIn(TestEnvironment.create("disaster").withType("staging"));
        env = fx.env;
        odoo = fx.odoo;
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (fx != null) fx.close();
    }

    private RestoreResult restore(String artifactId) {
        return fx.runtime().operations().restore(new RestoreRequest(env.project, "prod", artifactId, BackupType.FULL, true,
                true, null, "operator", "test"));
    }

    private void disaster() throws Exception {
        odoo.createsMissingDatabase = false;
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
            c.createStatement().execute("drop database " + env.database + " with (force)");
        }
        dev.odooops.demo.DemoEnvironment.deleteTree(env.odoo.filestore());
    }

    private boolean databaseExists() throws Exception {
        return !ops("select 1 from pg_database where datname = ?", env.database).isEmpty();
    }

    private String firstAttachment() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "");
             var rs = c.createStatement().executeQuery("select store_fname from ir_attachment where store_fname is not null "
                     + "order by id limit 1")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void should_restore_an_artifact_whose_backup_found_an_attachment_file_missing_and_report_it() throws Exception {
        String lost = firstAttachment();
        Files.delete(env.odoo.filestore().resolve(lost));
        BackupResult b = fx.backup();
        assertTrue(b.warnings().toString().contains(lost), b.warnings().toString());
        disaster();

        RestoreResult r = restore(b.artifactId());

        assertEquals("success", r.status(), r.error() + " in " + r.failedStep());
        Map<String, Object> report = Json.readMap(Path.of(r.evidenceDir()).resolve("validation_report.json"));
        Map<String, Object> filestore = ((List<Map<String, Object>>) report.get("checks")).stream()
                .filter(c -> "filestore".equals(c.get("name"))).findFirst().orElseThrow();
        assertEquals("passed", filestore.get("status"), filestore.toString());
        assertTrue(String.valueOf(filestore.get("detail")).contains(lost + " missing (already missing at backup time)"),
                filestore.toString());
    }

    private RestoreResult keptRestore() throws Exception {
        BackupResult b = fx.backup();
        disaster();
        odoo.errorInLogAtStart = true; // validation fails on the restored copy

        RestoreResult r = restore(b.artifactId());

        assertEquals("failed", r.status(), r.error());
        assertEquals("validate", r.failedStep());
        assertTrue(r.error().contains("odoo-ops accept " + r.runId()), r.error());
        assertTrue(databaseExists(), "the restored database is never deleted when nothing was live before");
        assertTrue(Files.isDirectory(env.odoo.filestore().resolve(firstAttachment()).getParent()), "the restored filestore is kept");
        assertTrue(odoo.inMaintenance(), "the kept copy stays in maintenance");
        assertFalse(odoo.running(), "Odoo is stopped on the kept copy");
        odoo.errorInLogAtStart = false;
        return r;
    }

    @Test
    void should_keep_a_failed_disaster_restore_in_maintenance_and_accept_it() throws Exception {
        RestoreResult r = keptRestore();

        Report accepted = fx.runtime().operations().decideRestore(RestoreDecisionRequest.of("run_id", r.runId(),
                RestoreDecisionRequest.Decision.ACCEPT, "operator", "test"));

        assertTrue(accepted.ok(), accepted.body().toString());
        assertTrue(odoo.running());
        assertFalse(odoo.inMaintenance(), "accept lifts maintenance");
        assertTrue(databaseExists());
        assertEquals("accepted", ops("select metadata->>'decision' as d from ops.runs where run_id = ?::uuid", r.runId())
                .get(0).get("d"));
    }

    @Test
    void should_remove_a_failed_disaster_restore_on_discard_and_not_start_odoo_on_nothing() throws Exception {
        RestoreResult r = keptRestore();

        Report discarded = fx.runtime().operations().decideRestore(RestoreDecisionRequest.of("run_id", r.runId(),
                RestoreDecisionRequest.Decision.DISCARD, "operator", "test"));

        assertTrue(discarded.ok(), discarded.body().toString());
        assertFalse(databaseExists());
        assertFalse(Files.exists(env.odoo.filestore()));
        assertFalse(odoo.running(), "a starting Odoo would create an empty database");
        assertTrue(odoo.inMaintenance());
    }

    /** The same decision over the HTTP API: POST /runs/{id}/accept (and /discard), permission restore, JSON answers. */
    @Test
    void should_accept_a_kept_restore_over_http_with_the_restore_permission() throws Exception {
        RestoreResult r = keptRestore();
        fx.restartAsService();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.util.function.BiFunction<String, String, java.net.http.HttpResponse<String>> post = (path, token) -> {
            try {
                return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(env.apiUrl() + path))
                        .header("Authorization", "Bearer " + token).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };

        var refused = post.apply("/runs/" + r.runId() + "/discard", TestEnvironment.AUDITOR_TOKEN);
        assertEquals(403, refused.statusCode(), refused.body());
        assertEquals("user", Json.readMap(refused.body()).get("field"));
        assertEquals("user: 'auditor' has no restore permission on project '" + env.project + "'",
                Json.readMap(refused.body()).get("error"));
        assertTrue(databaseExists(), "a refused discard removes nothing");

        var bad = post.apply("/runs/nope/accept", TestEnvironment.OPERATOR_TOKEN);
        assertEquals(400, bad.statusCode(), bad.body());
        assertEquals("id", Json.readMap(bad.body()).get("field"));

        var accepted = post.apply("/runs/" + r.runId() + "/accept", TestEnvironment.OPERATOR_TOKEN);
        assertEquals(200, accepted.statusCode(), accepted.body());
        assertEquals(r.runId(), Json.readMap(accepted.body()).get("restore_run_id"), accepted.body());
        assertTrue(odoo.running());
        assertFalse(odoo.inMaintenance(), "accept lifts maintenance");
        assertEquals("accepted", ops("select metadata->>'decision' as d from ops.runs where run_id = ?::uuid", r.runId())
                .get(0).get("d"));

        var again = post.apply("/runs/" + r.runId() + "/discard", TestEnvironment.OPERATOR_TOKEN);
        assertEquals(409, again.statusCode(), again.body());
        assertEquals("run_id", Json.readMap(again.body()).get("field"));
        assertTrue(databaseExists(), "a decided run is not discarded");
    }
}
