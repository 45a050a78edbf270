package dev.odooops.flows;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odooops.demo.DemoEnvironment;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * check-drift end to end (issue 14, section 4): a project of two Odoo-shaped environments on the real PostgreSQL,
 * production and staging (a copy of the same modules, neutralised as Odoo's {@code neutralize} and odoo-ops' copy
 * leave it), each with its odoo.conf naming two addons paths (enterprise, then custom). Each test changes one thing
 * and reads the command line's exit code and lines.
 */
class DriftTest {

    /** The project: prod (the harness's) and staging (database {@code <prod>__staging}, dropped with prod's side copies). */
    private static TestEnvironment project(String name) throws Exception {
        TestEnvironment env = TestEnvironment.create(name);
        try {
            String stagingDb = env.database + "__staging";
            Path stagingRoot = env.root.resolve("staging");
            DemoEnvironment.Created staging = DemoEnvironment.create(new DemoEnvironment.Spec("127.0.0.1", 5432, "postgres",
                    stagingDb, env.database + "_owner", TestEnvironment.PASSWORD, stagingRoot, 40, 4, 7));
            addonsPaths(env.odoo.appConf(), "enterprise", "custom");
            addonsPaths(staging.appConf(), "enterprise", "custom");
            env.withMoreEnvironments("""
                    - name: staging
                      type: staging
                      database: {host: 127.0.0.1, port: 5432, name: %s, user: %s, password: "${secret:db_password}"}
                      filestore: %s
                      odoo_conf: %s
                      addons_paths: [%s]
                    """.formatted(stagingDb, env.database + "_owner", staging.filestore(), staging.appConf(), staging.addons()));
            neutralise(stagingDb, staging.appConf());
            return env;
        } catch (Exception | Error e) {
            env.close();
            throw e;
        }
    }

    /** odoo.conf's addons_path: directories of these names beside the file, in this order. */
    private static void addonsPaths(Path conf, String... names) throws Exception {
        StringBuilder paths = new StringBuilder();
        for (String n : names) {
            Path dir = conf.getParent().resolve(n);
            Files.createDirectories(dir.resolve(n + "_module"));
            Files.writeString(dir.resolve(n + "_module").resolve("__manifest__.py"), "{'name': '" + n + "', 'version': '17.0.1.0'}\n");
            paths.append(paths.isEmpty() ? "" : ",").append(dir);
        }
        String text = Files.readString(conf).replaceAll("(?m)^addons_path = .*$", "addons_path = " + paths);
        Files.writeString(conf, text);
    }

    /**
     * What base's neutralize.sql does, plus what a neutralised copy also needs (odoo.NeutralizationCheck): uuid, secret
     * and base URL renewed, production's SMTP password cleared, odoo.conf without production's smtp_server.
     */
    private static void neutralise(String database, Path conf) throws Exception {
        sql(database, "update ir_mail_server set active = false, smtp_pass = null");
        sql(database, "update ir_cron set active = false");
        sql(database, "insert into ir_config_parameter(key, value) values ('database.is_neutralized', 'true')");
        sql(database, "update ir_config_parameter set value = md5(random()::text) where key in ('database.uuid', 'database.secret')");
        sql(database, "update ir_config_parameter set value = 'https://staging.demo.example' where key = 'web.base.url'");
        Files.writeString(conf, Files.readString(conf).replaceAll("(?m)^smtp_(server|password) = .*\\n", ""));
    }

    private static void sql(String database, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + database, "postgres", "")) {
            c.createStatement().execute(statement);
        }
    }

    private static List<String> drift(TestEnvironment.CliResult r) {
        return r.stdout().lines().filter(l -> l.startsWith("DRIFT ")).map(l -> l.substring(6)).toList();
    }

    @Test
    void should_pass_on_a_consistent_project() throws Exception {
        try (TestEnvironment env = project("drift_ok")) {
            TestEnvironment.CliResult r = env.cli("check-drift", "--project", env.project);
            assertEquals(0, r.exit(), r.stdout() + r.stderr());
            assertTrue(r.stdout().contains("ok: no divergence that matters in project " + env.project), r.stdout());
            assertTrue(r.stdout().contains("module sale"), "the modules side by side: " + r.stdout());

            TestEnvironment.CliResult json = env.cli("check-drift", "--project", env.project, "--json");
            assertEquals(0, json.exit(), json.stderr());
            @SuppressWarnings("unchecked")
            Map<String, Object> report = new ObjectMapper().readValue(json.stdout(), Map.class);
            assertEquals(true, report.get("ok"));
            assertEquals(env.project + "/prod", report.get("compared_with"));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> envs = (List<Map<String, Object>>) report.get("environments");
            assertEquals(List.of(env.project + "/prod", env.project + "/staging"), envs.stream().map(e -> e.get("environment_id")).toList());
            assertEquals("17.0", envs.get(1).get("odoo_series"));
            @SuppressWarnings("unchecked")
            List<String> paths = (List<String>) envs.get(1).get("addons_path");
            assertEquals(List.of("enterprise", "custom"), paths.stream().map(p -> Path.of(p).getFileName().toString()).toList());
            assertFalse(json.stdout().contains(TestEnvironment.PASSWORD), "no secret in the report");
        }
    }

    @Test
    void should_report_a_module_installed_in_production_but_missing_in_staging() throws Exception {
        try (TestEnvironment env = project("drift_mod")) {
            sql(env.database + "__staging", "update ir_module_module set state = 'uninstalled' where name = 'sale'");
            TestEnvironment.CliResult r = env.cli("check-drift", "--project", env.project);
            assertEquals(1, r.exit(), r.stdout() + r.stderr());
            assertTrue(drift(r).contains(env.project + "/staging: module sale is installed in " + env.project
                    + "/prod (17.0.1.2) but not here"), r.stdout());
        }
    }

    @Test
    void should_report_a_reordered_addons_path_and_another_odoo_series() throws Exception {
        try (TestEnvironment env = project("drift_path")) {
            Path conf = env.root.resolve("staging").resolve("odoo.conf");
            addonsPaths(conf, "custom", "enterprise");
            sql(env.database + "__staging", "update ir_module_module set latest_version = '18.0.1.3' where name = 'base'");
            TestEnvironment.CliResult r = env.cli("check-drift", "--project", env.project);
            assertEquals(1, r.exit(), r.stdout() + r.stderr());
            List<String> lines = drift(r);
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(env.project + "/staging: addons path order custom, enterprise "
                    + "differs from " + env.project + "/prod's enterprise, custom")), r.stdout());
            assertTrue(lines.contains(env.project + "/staging: Odoo series 18.0, " + env.project + "/prod runs 17.0"), r.stdout());
        }
    }

    @Test
    void should_report_a_production_without_an_outgoing_mail_server_or_marked_neutralised() throws Exception {
        try (TestEnvironment env = project("drift_mail")) {
            sql(env.database, "update ir_mail_server set active = false");
            sql(env.database, "insert into ir_config_parameter(key, value) values ('database.is_neutralized', 'true')");
            TestEnvironment.CliResult r = env.cli("check-drift", "--project", env.project);
            assertEquals(1, r.exit(), r.stdout() + r.stderr());
            List<String> lines = drift(r);
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(env.project + "/prod: production has no active outgoing mail server")),
                    r.stdout());
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(env.project + "/prod: production is marked neutralised")), r.stdout());
        }
    }

    @Test
    void should_report_a_staging_that_fails_the_neutralisation_check() throws Exception {
        try (TestEnvironment env = project("drift_neut")) {
            sql(env.database + "__staging", "update ir_cron set active = true");
            TestEnvironment.CliResult r = env.cli("check-drift", "--project", env.project);
            assertEquals(1, r.exit(), r.stdout() + r.stderr());
            assertTrue(drift(r).stream().anyMatch(l -> l.startsWith(env.project + "/staging: not neutralised: ")
                    && l.contains("Mail: Email Queue Manager")), r.stdout());
        }
    }

    @Test
    void should_refuse_a_user_who_may_not_read_the_project() throws Exception {
        try (TestEnvironment env = project("drift_perm")) {
            TestEnvironment.CliResult r = env.cli("check-drift", "--project", env.project, "--user", "auditor");
            assertEquals(2, r.exit(), r.stdout() + r.stderr());
            assertTrue(r.stderr().contains("user"), r.stderr());
        }
    }
}
