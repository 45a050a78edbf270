package dev.odooops.flows;

import dev.odooops.domain.Json;
import dev.odooops.domain.TreeDigest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.Report;
import dev.odooops.model.SnapshotRequest;
import dev.odooops.support.EnvironmentState;
import dev.odooops.support.FlowFixture;
import dev.odooops.support.NeutralShape;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * copy --from P/prod --to P/staging end to end: the real restore route (safety backup, pg_restore, swap, validations,
 * rollback) with the neutralisation before the swap, on Odoo's table names; a copy into production refused; a
 * neutralisation that leaves the copy un-neutralised fails the copy and the target is put back exactly.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CopyTest {
    static TestEnvironment env;
    static FlowFixture fx;
    static NeutralShape.Staging staging;
    static String artifact;

    @BeforeAll
    static void setUp() throws Exception {
        env = TestEnvironment.create("ncopy");
        NeutralShape.addOdooTables(env);
        staging = NeutralShape.copyOfProduction(env, NeutralShape.SINK_HOST);
        Files.writeString(staging.conf(), Files.readString(staging.conf()) + "smtp_port = " + NeutralShape.SINK_PORT + "\n");
        // the target's own state before any copy: a row production does not have
        NeutralShape.rows(staging.database(), "insert into res_partner(name) values ('only in staging') returning id");
        env.withOperatorActions("backup, restore, copy");
        env.withMoreEnvironments(NeutralShape.stagingYaml(env, staging, "staging", NeutralShape.neutralizationYaml()));
        fx = FlowFixture.of(env);
        BackupResult b = fx.backup();
        assertTrue(b.succeeded(), String.valueOf(b.error()));
        artifact = b.artifactId();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (env != null) NeutralShape.dropStaging(env);
        if (fx != null) fx.close();
    }

    @Test
    @Order(1)
    void should_refuse_a_copy_into_production_whatever_the_flags() {
        TestEnvironment.CliResult r = env.cli("copy", "--from", env.project + "/staging", "--to", env.project + "/prod");
        assertEquals(2, r.exit(), r.stdout() + r.stderr());
        assertTrue(r.stderr().contains("to") && r.stderr().contains("production"), r.stderr());
        r = env.cli("copy", "--from", env.project + "/staging", "--to", env.project + "/prod", "--artifact", artifact);
        assertEquals(2, r.exit(), r.stdout() + r.stderr());
    }

    @Test
    @Order(1)
    void should_refuse_a_copy_without_the_copy_permission_and_one_into_another_odoo_series() throws Exception {
        TestEnvironment.CliResult r = env.cli("copy", "--from", env.project + "/prod", "--to", env.project + "/staging",
                "--user", "auditor");
        assertNotEquals(0, r.exit(), r.stdout() + r.stderr());
        assertTrue(r.stderr().contains("copy"), r.stderr());
        // the restore's version guard applies to a copy: a 17.0 artifact into an 18.0 server is refused
        env.withMoreEnvironments(NeutralShape.stagingYaml(env, staging, "staging", NeutralShape.neutralizationYaml(), "18.0"));
        Map<String, String> before = EnvironmentState.tables(staging.database());
        try {
            r = env.cli("copy", "--from", env.project + "/prod", "--to", env.project + "/staging");
            assertEquals(2, r.exit(), r.stdout() + r.stderr());
            assertTrue(r.stderr().contains("18.0") && r.stderr().contains("17.0"), r.stderr());
            assertEquals(before, EnvironmentState.tables(staging.database()));
        } finally {
            env.withMoreEnvironments(NeutralShape.stagingYaml(env, staging, "staging", NeutralShape.neutralizationYaml()));
        }
    }

    @Test
    @Order(2)
    void should_roll_back_the_target_exactly_when_the_neutralisation_fails() throws Exception {
        Path rules = env.configDir.resolve("do-nothing-rules.yaml");
        Files.writeString(rules, """
                rules:
                  - id: nothing
                    needs: {ir_cron: [id]}
                    sql: UPDATE ir_cron SET active = active WHERE false
                """);
        env.withMoreEnvironments(NeutralShape.stagingYaml(env, staging, "staging",
                NeutralShape.neutralizationYaml() + "rules: do-nothing-rules.yaml\n"));
        Map<String, String> before = EnvironmentState.tables(staging.database());
        String filesBefore = TreeDigest.of(staging.filestore()).digest();
        try {
            TestEnvironment.CliResult r = env.cli("copy", "--from", env.project + "/prod", "--to", env.project + "/staging");
            assertEquals(1, r.exit(), r.stdout() + r.stderr());
            Map<String, Object> report = Json.readMap(r.stdout());
            assertEquals("verify-neutralization", report.get("failed_step"), r.stdout());
            // the neutralisation runs on the new database before quiesce: nothing of the target changed, nothing to roll back
            assertEquals("failed", report.get("status"), r.stdout());
            assertTrue(String.valueOf(report.get("error")).contains("active cron"), r.stdout());
            assertEquals(before, EnvironmentState.tables(staging.database()), "the target's database is as it was");
            assertEquals(filesBefore, TreeDigest.of(staging.filestore()).digest(), "the target's filestore is as it was");
            assertEquals(List.of(), NeutralShape.sideCopies(staging), "no side copy left");
        } finally {
            env.withMoreEnvironments(NeutralShape.stagingYaml(env, staging, "staging", NeutralShape.neutralizationYaml()));
        }
    }

    @Test
    @Order(3)
    void should_copy_production_into_staging_neutralised_through_the_restore() throws Exception {
        TestEnvironment.CliResult r = env.cli("copy", "--from", env.project + "/prod", "--to", env.project + "/staging");
        assertEquals(0, r.exit(), r.stdout() + r.stderr());
        Map<String, Object> report = Json.readMap(r.stdout());
        assertEquals("success", report.get("status"));
        assertEquals(artifact, report.get("artifact_id"));
        assertEquals(env.project + "/prod", report.get("copied_from"));
        assertTrue(report.get("pre_restore_backup_id") != null, "the target was backed up first");
        String db = staging.database();
        // production's data is in staging now, staging's own row is gone
        assertEquals(0L, NeutralShape.one(db, "select count(*) from res_partner where name = 'only in staging'"));
        // no active cron outside the allow-list, no mail server that can deliver outside the sink
        assertEquals(List.of("Base: Auto-vacuum internal data"), NeutralShape.rows(db,
                "select cron_name from ir_cron where active").stream().map(m -> m.get("cron_name")).toList());
        assertEquals(List.of(Map.of("smtp_host", NeutralShape.SINK_HOST, "smtp_port", NeutralShape.SINK_PORT)),
                NeutralShape.rows(db, "select smtp_host, smtp_port from ir_mail_server where active"));
        assertEquals(0L, NeutralShape.one(db, "select count(*) from ir_mail_server where smtp_pass is not null"));
        assertEquals(0L, NeutralShape.one(db, "select count(*) from fetchmail_server where active or password is not null"));
        assertNotEquals(NeutralShape.one(env.database, "select value from ir_config_parameter where key = 'database.uuid'"),
                NeutralShape.one(db, "select value from ir_config_parameter where key = 'database.uuid'"));
        // production untouched
        assertEquals(3L, NeutralShape.one(env.database, "select count(*) from ir_cron where active"));
        // the run is a copy with the neutralisation's evidence
        String runId = (String) report.get("run_id");
        assertEquals("copy", TestEnvironment.ops("select operation_type from ops.runs where run_id = ?::uuid", runId)
                .get(0).get("operation_type"));
        Path evidence = Path.of((String) report.get("evidence_dir"));
        assertTrue(Files.exists(evidence.resolve("neutralization.json")));
        assertEquals(true, Json.readMap(evidence.resolve("neutralization_check.json")).get("ok"));
        assertEquals(true, Json.readMap(evidence.resolve("neutralization_check_final.json")).get("ok"));
        assertFalse(Files.readString(evidence.resolve("neutralization.json")).contains(TestEnvironment.STAGING_ADMIN_PASSWORD));
        // and the guard agrees
        TestEnvironment.CliResult check = env.cli("check-neutralization", "--env", env.project + "/staging");
        assertEquals(0, check.exit(), check.stdout() + check.stderr());
    }

    @Test
    @Order(4)
    void should_copy_from_a_real_sanitised_snapshot_neutralised_and_without_any_original_partner_email() throws Exception {
        TestEnvironment.CliResult r = env.cli("copy", "--from", env.project + "/prod", "--to", env.project + "/staging",
                "--snapshot", artifact);
        assertEquals(2, r.exit(), r.stdout() + r.stderr());
        assertTrue(r.stderr().contains("snapshot") && r.stderr().contains("not a sanitized_snapshot"), r.stderr());
        // a real sanitised snapshot of production's newest backup (operation snapshot: anonymised, stored apart)
        Report snap = fx.runtime().operations().runQueued(new SnapshotRequest(env.project, "prod", true, null,
                "operator", "test"), null);
        assertEquals("success", snap.body().get("status"), String.valueOf(snap.body()));
        String snapshot = (String) snap.body().get("artifact_id");
        assertEquals("sanitized_snapshot", TestEnvironment.ops("select kind from ops.artifacts where id = ?", snapshot)
                .get(0).get("kind"));
        String production = TestEnvironment.sh(env.root, "pg_dump", "--host=127.0.0.1", "--username=postgres",
                "--dbname=" + env.database);
        assertTrue(PARTNER_EMAIL.matcher(production).find(), "production's own dump holds the original emails");

        r = env.cli("copy", "--from", env.project + "/prod", "--to", env.project + "/staging", "--snapshot", snapshot);
        assertEquals(0, r.exit(), r.stdout() + r.stderr());
        Map<String, Object> report = Json.readMap(r.stdout());
        assertEquals(snapshot, report.get("artifact_id"));
        // neutralised as any copy
        String db = staging.database();
        assertEquals(List.of("Base: Auto-vacuum internal data"), NeutralShape.rows(db,
                "select cron_name from ir_cron where active").stream().map(m -> m.get("cron_name")).toList());
        assertEquals(List.of(Map.of("smtp_host", NeutralShape.SINK_HOST, "smtp_port", NeutralShape.SINK_PORT)),
                NeutralShape.rows(db, "select smtp_host, smtp_port from ir_mail_server where active"));
        Path evidence = Path.of((String) report.get("evidence_dir"));
        assertEquals(true, Json.readMap(evidence.resolve("neutralization_check.json")).get("ok"));
        assertEquals(true, Json.readMap(evidence.resolve("neutralization_check_final.json")).get("ok"));
        TestEnvironment.CliResult check = env.cli("check-neutralization", "--env", env.project + "/staging");
        assertEquals(0, check.exit(), check.stdout() + check.stderr());
        // and anonymised: the partners are there, none of their original emails is (a plain dump of the target)
        assertEquals(NeutralShape.one(env.database, "select count(*) from res_partner"),
                NeutralShape.one(db, "select count(*) from res_partner"));
        String dump = TestEnvironment.sh(env.root, "pg_dump", "--host=127.0.0.1", "--username=postgres", "--dbname=" + db);
        java.util.regex.Matcher email = PARTNER_EMAIL.matcher(dump);
        assertFalse(email.find(), () -> "an original partner email survived in the copy of the snapshot: " + email.group());
    }

    private static final java.util.regex.Pattern PARTNER_EMAIL = java.util.regex.Pattern.compile("partner\\d+@example\\.com");

    @Test
    @Order(5)
    void should_swap_the_target_back_when_the_final_check_fails_after_odoo_ran() throws Exception {
        // the validate command (run once Odoo is up on the copy) turns a production cron back on: the copy's final
        // check sees it, and the rollback swaps the target's database and filestore back
        String validate = "validate_command: [psql, -h, 127.0.0.1, -U, postgres, -d, " + staging.database()
                + ", -c, \"update ir_cron set active = true\"]";
        env.withMoreEnvironments(NeutralShape.stagingYaml(env, staging, "staging", NeutralShape.neutralizationYaml(),
                "17.0", validate));
        Map<String, String> before = EnvironmentState.tables(staging.database());
        String filesBefore = TreeDigest.of(staging.filestore()).digest();
        try {
            TestEnvironment.CliResult r = env.cli("copy", "--from", env.project + "/prod", "--to", env.project + "/staging");
            assertEquals(1, r.exit(), r.stdout() + r.stderr());
            Map<String, Object> report = Json.readMap(r.stdout());
            assertEquals("final-neutralization-check", report.get("failed_step"), r.stdout());
            assertTrue(String.valueOf(report.get("status")).startsWith("rolled_back"), r.stdout());
            assertEquals(before, EnvironmentState.tables(staging.database()), "the target's database is as it was");
            assertEquals(filesBefore, TreeDigest.of(staging.filestore()).digest(), "the target's filestore is as it was");
            assertEquals(List.of(), NeutralShape.sideCopies(staging), "no side copy left");
        } finally {
            env.withMoreEnvironments(NeutralShape.stagingYaml(env, staging, "staging", NeutralShape.neutralizationYaml()));
        }
    }
}
