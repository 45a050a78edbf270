package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.Json;
import dev.odooops.domain.OdooPasswordHash;
import dev.odooops.odoo.Neutralizer;
import dev.odooops.support.NeutralShape;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * check-neutralization on a real PostgreSQL with Odoo's table names: a plain copy of production fails with one
 * remediation line per problem (and prints no secret); after the neutraliser's rules it passes; exit codes 1 and 0.
 */
class NeutralizationCheckTest {
    static TestEnvironment env;
    static NeutralShape.Staging staging;

    @BeforeAll
    static void setUp() throws Exception {
        env = TestEnvironment.create("ncheck");
        NeutralShape.addOdooTables(env);
        staging = NeutralShape.copyOfProduction(env, "smtp.demo.example");
        env.withMoreEnvironments(NeutralShape.stagingYaml(env, staging, "staging", NeutralShape.neutralizationYaml()));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (env != null) NeutralShape.dropStaging(env);
        if (env != null) env.close();
    }

    @Test
    void should_fail_with_one_line_per_problem_on_a_plain_copy_of_production_and_print_no_secret() {
        TestEnvironment.CliResult r = env.cli("check-neutralization", "--env", env.project + "/staging");
        assertEquals(1, r.exit(), r.stdout() + r.stderr());
        List<String> lines = r.stdout().lines().toList();
        String out = r.stdout();
        assertTrue(count(lines, "active cron #") >= 2, out);           // the two demo crons; autovacuum is allowed
        assertEquals(0, count(lines, "Auto-vacuum"), out);
        assertEquals(1, count(lines, "active outgoing mail server #"), out);
        assertEquals(1, count(lines, "active incoming mail server #"), out);
        assertEquals(1, count(lines, "smtp_server = smtp.demo.example"), out);
        assertEquals(1, count(lines, "database.uuid equals"), out);
        assertEquals(1, count(lines, "web.base.url https://demo.example points at"), out);
        assertEquals(1, count(lines, "database.is_neutralized is missing"), out);
        assertEquals(1, count(lines, "mail(s) still queued"), out);
        for (String s : List.of("'database.secret'", "'database.enterprise_code'", "ir_mail_server.smtp_pass:",
                "fetchmail_server.password:", "res_users_apikeys.key:", "payment_provider.stripe_secret_key:")) {
            assertEquals(1, count(lines, s), s + " in\n" + out);
        }
        for (String secret : List.of(NeutralShape.SMTP_PASS, NeutralShape.FETCHMAIL_PASS, NeutralShape.STRIPE_KEY,
                NeutralShape.ENTERPRISE_CODE, NeutralShape.API_KEY_HASH)) {
            assertFalse(out.contains(secret) || r.stderr().contains(secret), "printed a production secret");
        }
    }

    @Test
    void should_pass_once_neutralised_and_report_json() throws Exception {
        NeutralShape.Staging copy = staging;
        try (OpsRuntime rt = env.runtime()) {
            EnvironmentConfig target = rt.config().environment(env.project, "staging").orElseThrow();
            Neutralizer n = rt.camelContext().getRegistry().lookupByNameAndType("neutralizer", Neutralizer.class);
            // a separate copy so that the other test still sees the plain one
            String db = copy.database() + "2";
            try (var c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
                 var st = c.createStatement()) {
                st.execute("drop database if exists " + db + " with (force)");
                st.execute("create database " + db + " template " + copy.database() + " owner " + env.database + "_owner");
            }
            Neutralizer.Outcome outcome = n.neutralize(target, db);
            assertTrue(((Number) outcome.evidence().get("applied")).intValue() > 10, outcome.evidence().toString());
            assertFalse(Json.compact(outcome.evidence()).contains(TestEnvironment.STAGING_ADMIN_PASSWORD));
            dev.odooops.odoo.NeutralizationCheck check = rt.camelContext().getRegistry()
                    .lookupByNameAndType("neutralizationCheck", dev.odooops.odoo.NeutralizationCheck.class);
            EnvironmentConfig prod = rt.config().environment(env.project, "prod").orElseThrow();
            var result = check.check(target, db, prod);
            // odoo.conf's smtp_server is not the sink: the only problem left, the database is clean
            assertEquals(1, result.problems().size(), String.join("\n", result.problems()));
            assertTrue(result.problems().get(0).contains("smtp_server"));
            // what the rules did, in the database
            assertEquals(List.of("Base: Auto-vacuum internal data"), NeutralShape.rows(db,
                    "select cron_name from ir_cron where active").stream().map(m -> m.get("cron_name")).toList());
            assertEquals(List.of(Map.of("smtp_host", NeutralShape.SINK_HOST, "smtp_port", NeutralShape.SINK_PORT)),
                    NeutralShape.rows(db, "select smtp_host, smtp_port from ir_mail_server where active"));
            assertEquals(0L, NeutralShape.one(db, "select count(*) from res_users_apikeys"));
            assertEquals("disabled", NeutralShape.one(db, "select state from payment_provider where code = 'stripe'"));
            assertEquals("True", NeutralShape.one(db, "select value from ir_config_parameter where key = 'web.base.url.freeze'"));
            assertEquals(NeutralShape.STAGING_URL, NeutralShape.one(db, "select value from ir_config_parameter where key = 'web.base.url'"));
            assertEquals(0L, NeutralShape.one(db, "select count(*) from ir_config_parameter where key = 'database.enterprise_code'"));
            assertEquals(0L, NeutralShape.one(db, "select count(*) from mail_mail where state in ('outgoing', 'exception')"));
            String hash = (String) NeutralShape.one(db, "select password from res_users where login = 'admin'");
            assertTrue(hash.startsWith("$pbkdf2-sha512$600000$"), hash);
            assertTrue(OdooPasswordHash.verify(TestEnvironment.STAGING_ADMIN_PASSWORD, hash));
            // neutralising twice changes nothing more: still one sink server
            n.neutralize(target, db);
            assertEquals(1L, NeutralShape.one(db, "select count(*) from ir_mail_server where smtp_host = '" + NeutralShape.SINK_HOST + "'"));
            try (var c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
                 var st = c.createStatement()) {
                st.execute("drop database if exists " + db + " with (force)");
            }
        }
    }

    @Test
    void should_exit_0_when_the_environment_is_neutralised() throws Exception {
        // production itself, seen as its own target (no production to compare with), once neutralised in a copy of it
        NeutralShape.Staging other = NeutralShape.copyOfProduction(env, NeutralShape.SINK_HOST);
        java.nio.file.Files.writeString(other.conf(), java.nio.file.Files.readString(other.conf())
                .replace("smtp_server = " + NeutralShape.SINK_HOST, "smtp_server = " + NeutralShape.SINK_HOST + "\nsmtp_port = 1025"));
        env.withMoreEnvironments(NeutralShape.stagingYaml(env, other, "staging", NeutralShape.neutralizationYaml()));
        try {
            try (OpsRuntime rt = env.runtime()) {
                EnvironmentConfig target = rt.config().environment(env.project, "staging").orElseThrow();
                rt.camelContext().getRegistry().lookupByNameAndType("neutralizer", Neutralizer.class).neutralize(target, other.database());
            }
            TestEnvironment.CliResult r = env.cli("check-neutralization", "--env", env.project + "/staging", "--json");
            assertEquals(0, r.exit(), r.stdout() + r.stderr());
            Map<String, Object> json = Json.readMap(r.stdout());
            assertEquals(true, json.get("ok"));
            assertEquals(env.project + "/prod", json.get("compared_with"));
            assertEquals(List.of(), json.get("problems"));
        } finally {
            staging = NeutralShape.copyOfProduction(env, "smtp.demo.example");
            env.withMoreEnvironments(NeutralShape.stagingYaml(env, staging, "staging", NeutralShape.neutralizationYaml()));
        }
    }

    private static long count(List<String> lines, String text) {
        return lines.stream().filter(l -> l.contains(text)).count();
    }

    @Test
    void should_run_odoo_bin_neutralize_first_when_configured() throws Exception {
        java.nio.file.Path args = env.root.resolve("odoo-bin.args");
        java.nio.file.Path bin = env.root.resolve("fake-odoo-bin");
        java.nio.file.Files.writeString(bin, "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + args + "\n");
        bin.toFile().setExecutable(true);
        NeutralShape.Staging other = NeutralShape.copyOfProduction(env, NeutralShape.SINK_HOST);
        env.withMoreEnvironments(NeutralShape.stagingYaml(env, other, "staging",
                NeutralShape.neutralizationYaml() + "odoo_bin: [" + bin + "]\n"));
        try (OpsRuntime rt = env.runtime()) {
            EnvironmentConfig target = rt.config().environment(env.project, "staging").orElseThrow();
            Neutralizer.Outcome o = rt.camelContext().getRegistry().lookupByNameAndType("neutralizer", Neutralizer.class)
                    .neutralize(target, other.database());
            assertEquals(List.of("neutralize", "-c", other.conf().toString(), "-d", other.database()),
                    java.nio.file.Files.readAllLines(args));
            assertEquals(0, ((Map<?, ?>) o.evidence().get("odoo_bin")).get("exit_code"));
        } finally {
            staging = NeutralShape.copyOfProduction(env, "smtp.demo.example");
            env.withMoreEnvironments(NeutralShape.stagingYaml(env, staging, "staging", NeutralShape.neutralizationYaml()));
        }
    }
}
