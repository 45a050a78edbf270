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
}
