package dev.odooops.flows;

import dev.odooops.domain.Json;
import dev.odooops.domain.PrEnvFile;
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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * pr-env create --from staging (issue 14 section 5): the PR environment is loaded from the staging environment's
 * newest live backup (never its live database), then neutralised with the PR environment's settings (here: the
 * staging environment's neutralization block with the PR's own URL) and checked against production; a failing check
 * fails the create and removes all it made. On Odoo's table names (support.NeutralShape).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrEnvFromStagingTest {
    static TestEnvironment env;
    static FlowFixture fx;
    static NeutralShape.Staging staging;
    static String project;
    static Path prData;
    static Path envDir;
    static String stagingBackup;
    static String prYaml;

    @BeforeAll
    static void setUp() throws Exception {
        env = TestEnvironment.create("prstg");
        project = env.project;
        NeutralShape.addOdooTables(env);
        staging = NeutralShape.copyOfProduction(env, NeutralShape.SINK_HOST);
        Files.writeString(staging.conf(), Files.readString(staging.conf()) + "smtp_port = " + NeutralShape.SINK_PORT + "\n");
        // staging's own state: a row production does not have (the PR environment must be staging's, not production's)
        NeutralShape.rows(staging.database(), "insert into res_partner(name) values ('only in staging') returning id");
        prData = env.root.resolve("prdata");
        envDir = env.root.resolve("prenvs");
        prYaml = """
                pr_environments:
                  database: {host: 127.0.0.1, port: 5432, user: %s, password: "${secret:db_password}"}
                  filestore: %s/filestore/%s_pr_{pr}
                  odoo_conf: %s/odoo-pr-{pr}.conf
                  env_dir: %s
                  url: "https://pr-{pr}.review.example.com"
                  expire_user: operator
                """.formatted(env.database + "_owner", prData, project.replace('-', '_'), prData, envDir);
        env.withOperatorActions("backup, restore, copy, pr-env").withProjectYaml(prYaml);
        env.withMoreEnvironments(NeutralShape.stagingYaml(env, staging, "staging", NeutralShape.neutralizationYaml()));
        fx = FlowFixture.of(env);
        TestEnvironment.CliResult b = env.cli("backup", "--env", project + "/staging");
        assertEquals(0, b.exit(), b.stdout() + b.stderr());
        stagingBackup = (String) Json.readMap(b.stdout()).get("artifact_id");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (env != null) {
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
                List<String> dbs = new ArrayList<>();
                try (ResultSet rs = c.createStatement().executeQuery("select datname from pg_database where datname like '"
                        + project.replace('-', '_') + "\\_pr\\_%'")) {
                    while (rs.next()) dbs.add(rs.getString(1));
                }
                for (String db : dbs) c.createStatement().execute("drop database if exists \"" + db + "\" with (force)");
            }
            NeutralShape.dropStaging(env);
        }
        if (fx != null) fx.close();
    }

    private static String database(int pr) {
        return project.replace('-', '_') + "_pr_" + pr;
    }

    private static TestEnvironment.CliResult create(int pr) {
        return env.cli("pr-env", "create", "--project", project, "--pr", String.valueOf(pr), "--from", "staging",
                "--user", "operator");
    }

    private static void assertNothingLeft(int pr) throws Exception {
        assertEquals(List.of(), TestEnvironment.ops("select datname from pg_database where datname = ?", database(pr)));
        assertFalse(Files.exists(prData.resolve("filestore").resolve(database(pr))), "filestore of pr-" + pr + " left");
        assertFalse(Files.exists(envDir.resolve(".env.pr-" + pr)), ".env.pr-" + pr + " left");
        assertEquals(List.of(), TestEnvironment.ops("select pr from ops.pr_environments where project = ? and pr = ?",
                project, pr));
    }

    @Test
    @Order(1)
    void should_make_a_neutralised_pr_environment_from_the_newest_staging_backup() throws Exception {
        long stagingCrons = (Long) NeutralShape.one(staging.database(), "select count(*) from ir_cron where active");
        TestEnvironment.CliResult r = create(51);
        assertEquals(0, r.exit(), r.stdout() + r.stderr());
        Map<String, Object> report = Json.readMap(r.stdout());
        assertEquals("success", report.get("status"), r.stdout());
        assertEquals(stagingBackup, report.get("artifact_id"));
        assertEquals(project + "/staging", report.get("copied_from"));
        String db = database(51);
        // staging's content (its own row), not production's
        assertEquals(1L, NeutralShape.one(db, "select count(*) from res_partner where name = 'only in staging'"));
        // neutralised: no active cron outside the allow-list, only the sink as outgoing server, nothing incoming
        assertEquals(List.of("Base: Auto-vacuum internal data"), NeutralShape.rows(db,
                "select cron_name from ir_cron where active").stream().map(m -> m.get("cron_name")).toList());
        assertEquals(List.of(Map.of("smtp_host", NeutralShape.SINK_HOST, "smtp_port", NeutralShape.SINK_PORT)),
                NeutralShape.rows(db, "select smtp_host, smtp_port from ir_mail_server where active"));
        assertEquals(0L, NeutralShape.one(db, "select count(*) from ir_mail_server where smtp_pass is not null"));
        assertEquals(0L, NeutralShape.one(db, "select count(*) from fetchmail_server where active or password is not null"));
        assertEquals(0L, NeutralShape.one(db, "select count(*) from payment_provider where stripe_secret_key is not null"));
        assertEquals("true", String.valueOf(NeutralShape.one(db, "select value from ir_config_parameter where key = 'database.is_neutralized'")).toLowerCase());
        // its own identity and URL: not production's, not staging's
        Object uuid = NeutralShape.one(db, "select value from ir_config_parameter where key = 'database.uuid'");
        assertNotEquals(NeutralShape.one(env.database, "select value from ir_config_parameter where key = 'database.uuid'"), uuid);
        assertNotEquals(NeutralShape.one(staging.database(), "select value from ir_config_parameter where key = 'database.uuid'"), uuid);
        assertEquals("https://pr-51.review.example.com",
                NeutralShape.one(db, "select value from ir_config_parameter where key = 'web.base.url'"));
        // the filestore is the backup's (copied, not linked to staging's live files)
        Path filestore = prData.resolve("filestore").resolve(db);
        try (var files = Files.walk(filestore)) {
            List<Path> regular = files.filter(Files::isRegularFile).toList();
            assertFalse(regular.isEmpty());
            for (Path f : regular) assertEquals(1, (int) Files.getAttribute(f, "unix:nlink"), f + " is linked");
        }
        // the evidence, the row, the .env file
        Path evidence = Path.of((String) report.get("evidence_dir"));
        assertTrue(Files.exists(evidence.resolve("neutralization.json")));
        assertEquals(true, Json.readMap(evidence.resolve("neutralization_check.json")).get("ok"));
        assertEquals(project + "/prod", Json.readMap(evidence.resolve("neutralization_check.json")).get("compared_with"));
        assertFalse(Files.readString(evidence.resolve("neutralization.json")).contains(TestEnvironment.STAGING_ADMIN_PASSWORD));
        Map<String, Object> row = TestEnvironment.ops("select status, source, artifact_id from ops.pr_environments "
                + "where project = ? and pr = 51", project).get(0);
        assertEquals(Map.of("status", "ready", "source", "staging", "artifact_id", stagingBackup), row);
        assertEquals(db, PrEnvFile.parse(Files.readString(envDir.resolve(".env.pr-51"))).get("PGDATABASE"));
        // staging itself was only read from its backup
        assertEquals(stagingCrons, NeutralShape.one(staging.database(), "select count(*) from ir_cron where active"));
        // the guard agrees on the PR environment (same settings: staging's block with the PR's URL)
        TestEnvironment.CliResult check = env.cli("check-neutralization", "--env", project + "/pr-51", "--user", "operator");
        assertEquals(0, check.exit(), check.stdout() + check.stderr());

        TestEnvironment.CliResult gone = env.cli("pr-env", "delete", "--project", project, "--pr", "51", "--user", "operator");
        assertEquals(0, gone.exit(), gone.stdout() + gone.stderr());
        assertNothingLeft(51);
    }

    @Test
    @Order(2)
    void should_fail_and_remove_everything_when_the_neutralisation_check_fails() throws Exception {
        // a rules file that neutralises nothing: the check finds production's crons still active
        Files.writeString(env.configDir.resolve("do-nothing-rules.yaml"), """
                rules:
                  - id: nothing
                    needs: {ir_cron: [id]}
                    sql: UPDATE ir_cron SET active = active WHERE false
                """);
        env.withMoreEnvironments(NeutralShape.stagingYaml(env, staging, "staging",
                NeutralShape.neutralizationYaml() + "rules: do-nothing-rules.yaml\n"));
        try {
            TestEnvironment.CliResult r = create(52);
            assertEquals(1, r.exit(), r.stdout() + r.stderr());
            Map<String, Object> report = Json.readMap(r.stdout());
            assertEquals("failed", report.get("status"));
            assertEquals("verify-neutralization", report.get("failed_step"), r.stdout());
            assertTrue(String.valueOf(report.get("error")).contains("active cron"), r.stdout());
            assertNothingLeft(52);
        } finally {
            env.withMoreEnvironments(NeutralShape.stagingYaml(env, staging, "staging", NeutralShape.neutralizationYaml()));
        }
    }

    @Test
    @Order(3)
    void should_refuse_from_staging_naming_from_when_the_project_has_several_staging_environments() throws Exception {
        String second = NeutralShape.stagingYaml(env, staging, "staging", "").replaceFirst("- name: staging", "- name: staging2");
        env.withMoreEnvironments(NeutralShape.stagingYaml(env, staging, "staging", NeutralShape.neutralizationYaml()) + second);
        try {
            TestEnvironment.CliResult r = create(53);
            assertEquals(2, r.exit(), r.stdout() + r.stderr());
            assertTrue(r.stderr().contains("from") && r.stderr().contains("staging2"), r.stderr());
            assertNothingLeft(53);
        } finally {
            env.withMoreEnvironments(NeutralShape.stagingYaml(env, staging, "staging", NeutralShape.neutralizationYaml()));
        }
    }

    @Test
    @Order(4)
    void should_neutralise_with_the_templates_own_neutralization_block_when_it_has_one() throws Exception {
        env.withProjectYaml(prYaml + """
                  neutralization:
                    mail_sink: {host: prsink.test, port: 2525}
                    base_url: "https://review-{pr}.example.org"
                """);
        try {
            TestEnvironment.CliResult r = create(54);
            assertEquals(0, r.exit(), r.stdout() + r.stderr());
            String db = database(54);
            assertEquals(List.of(Map.of("smtp_host", "prsink.test", "smtp_port", 2525)),
                    NeutralShape.rows(db, "select smtp_host, smtp_port from ir_mail_server where active"));
            assertEquals("https://review-54.example.org",
                    NeutralShape.one(db, "select value from ir_config_parameter where key = 'web.base.url'"));
            TestEnvironment.CliResult check = env.cli("check-neutralization", "--env", project + "/pr-54", "--user", "operator");
            assertEquals(0, check.exit(), check.stdout() + check.stderr());
            TestEnvironment.CliResult gone = env.cli("pr-env", "delete", "--project", project, "--pr", "54", "--user", "operator");
            assertEquals(0, gone.exit(), gone.stdout() + gone.stderr());
            assertNothingLeft(54);
        } finally {
            env.withProjectYaml(prYaml);
        }
    }
}
