package dev.odooops.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/**
 * What the neutralisation tests add to a {@link TestEnvironment}'s Odoo-shaped database: Odoo 17's real tables and
 * columns that hold production's integrations (ir_mail_server's full shape, fetchmail_server, res_users_apikeys,
 * payment_provider with Stripe's keys, mail_mail, the autovacuum cron with its external id base.autovacuum_job,
 * the admin's external id base.user_admin, database.enterprise_code), each holding a production value; and a second
 * environment {@code staging} of the same project whose database, filestore and odoo.conf are a copy of production's.
 */
public final class NeutralShape {
    /** Production values the tests look for (never to be printed by odoo-ops). */
    public static final String SMTP_PASS = "smtp-demo-pass";
    public static final String FETCHMAIL_PASS = "imap-prod-Secret-77";
    public static final String STRIPE_KEY = "sk_live_prodStripeKey123";
    public static final String ENTERPRISE_CODE = "M2301-prod-enterprise-code";
    public static final String API_KEY_HASH = "$pbkdf2-sha512$6000$prodApiKeyHash";
    public static final String SINK_HOST = "mailsink.test";
    public static final int SINK_PORT = 1025;
    public static final String STAGING_URL = "https://staging.test";

    private NeutralShape() {
    }

    /** Adds the tables and production values to {@code database} (as the server's superuser, then owned by the role). */
    public static void addOdooTables(TestEnvironment env) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "");
             Statement st = c.createStatement()) {
            String role = env.database + "_owner";
            for (String sql : List.of(
                    "alter table ir_mail_server add column smtp_encryption varchar not null default 'none', "
                            + "add column smtp_authentication varchar not null default 'login', add column sequence int default 10, "
                            + "add column from_filter varchar",
                    "create table fetchmail_server (id serial primary key, name varchar not null, active boolean default true, "
                            + "state varchar, server varchar, port int, server_type varchar not null default 'imap', "
                            + "\"user\" varchar, password varchar)",
                    "create table res_users_apikeys (id serial primary key, name varchar not null, user_id int not null "
                            + "references res_users(id) on delete cascade, scope varchar, index varchar(8) not null, "
                            + "key varchar not null, create_date timestamp default now())",
                    "create table payment_provider (id serial primary key, name jsonb not null, code varchar not null, "
                            + "state varchar not null default 'disabled', is_published boolean default false, "
                            + "stripe_secret_key varchar, stripe_publishable_key varchar, stripe_webhook_secret varchar)",
                    "create table mail_mail (id serial primary key, mail_message_id int, state varchar, email_to text, "
                            + "body_html text)",
                    "alter table ir_config_parameter owner to " + role)) {
                st.execute(sql);
            }
            for (String t : List.of("fetchmail_server", "res_users_apikeys", "payment_provider", "mail_mail")) {
                st.execute("alter table " + t + " owner to " + role);
            }
            st.execute("insert into ir_cron(cron_name, interval_number, interval_type) values ('Base: Auto-vacuum internal data', 1, 'days')");
            st.execute("insert into ir_model_data(module, name, model, res_id, noupdate) select 'base', 'autovacuum_job', "
                    + "'ir.cron', id, true from ir_cron where cron_name = 'Base: Auto-vacuum internal data'");
            st.execute("insert into ir_model_data(module, name, model, res_id, noupdate) select 'base', 'user_admin', "
                    + "'res.users', id, true from res_users where login = 'admin'");
            st.execute("insert into ir_config_parameter(key, value) values ('database.enterprise_code', '" + ENTERPRISE_CODE + "')");
            st.execute("insert into fetchmail_server(name, server, port, \"user\", password, state) values "
                    + "('Incoming', 'imap.demo.example', 993, 'catchall', '" + FETCHMAIL_PASS + "', 'done')");
            st.execute("insert into res_users_apikeys(name, user_id, scope, index, key) select 'CI', id, 'rpc', 'a1b2c3d4', '"
                    + API_KEY_HASH + "' from res_users where login = 'admin'");
            st.execute("insert into payment_provider(name, code, state, stripe_secret_key, stripe_publishable_key) values "
                    + "('{\"en_US\": \"Stripe\"}', 'stripe', 'enabled', '" + STRIPE_KEY + "', 'pk_live_pub'), "
                    + "('{\"en_US\": \"Wire Transfer\"}', 'custom', 'enabled', null, null)");
            st.execute("insert into mail_mail(state, email_to, body_html) values ('outgoing', 'customer@example.com', 'Hi'), "
                    + "('exception', 'other@example.com', 'Hi'), ('sent', 'old@example.com', 'Hi')");
        }
    }

    /** The staging environment's parts: a copy of production's database, filestore and odoo.conf. */
    public record Staging(String database, Path filestore, Path conf) {
    }

    /** Copies production (database by template, filestore, odoo.conf with smtp_server = {@code smtpServer}). */
    public static Staging copyOfProduction(TestEnvironment env, String smtpServer) throws Exception {
        String db = env.database + "_stg";
        String role = env.database + "_owner";
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
             Statement st = c.createStatement()) {
            st.execute("drop database if exists " + db + " with (force)");
            st.execute("create database " + db + " template " + env.database + " owner " + role);
        }
        Path dataDir = env.root.resolve("staging");
        Path filestore = dataDir.resolve("filestore").resolve(db);
        Files.createDirectories(filestore.getParent());
        TestEnvironment.sh(env.root, "cp", "-a", env.odoo.filestore().toString(), filestore.toString());
        Path conf = dataDir.resolve("odoo.conf");
        StringBuilder out = new StringBuilder();
        for (String line : Files.readAllLines(env.odoo.appConf())) {
            if (line.startsWith("db_name")) line = "db_name = " + db;
            else if (line.startsWith("data_dir")) line = "data_dir = " + dataDir;
            else if (line.startsWith("smtp_server")) line = "smtp_server = " + smtpServer;
            else if (line.startsWith("smtp_password")) continue;
            out.append(line).append('\n');
        }
        Files.writeString(conf, out.toString());
        return new Staging(db, filestore, conf);
    }

    /** The environments-file item of {@code staging} (type {@code type}) with {@code neutralization} keys (may be empty). */
    public static String stagingYaml(TestEnvironment env, Staging s, String type, String neutralization) {
        return stagingYaml(env, s, type, neutralization, "17.0");
    }

    /** The same, the staging server answering {@code Odoo Server <version>}. */
    public static String stagingYaml(TestEnvironment env, Staging s, String type, String neutralization, String version) {
        return stagingYaml(env, s, type, neutralization, version, "");
    }

    /** The same with more keys in its {@code odoo:} block (e.g. a validate_command). */
    public static String stagingYaml(TestEnvironment env, Staging s, String type, String neutralization, String version,
                                     String odooKeys) {
        return """
                - name: staging
                  type: %s
                  database: {host: 127.0.0.1, port: 5432, name: %s, user: %s, password: "${secret:db_password}"}
                  app: odoo
                  filestore: %s
                  odoo_conf: %s
                  addons_paths: [%s]
                  odoo:
                    version_command: [echo, "Odoo Server %s"]
                """.formatted(type, s.database(), env.database + "_owner", s.filestore(), s.conf(), env.odoo.addons(), version)
                + (odooKeys.isBlank() ? "" : odooKeys.indent(4))
                + (neutralization.isBlank() ? "" : "  neutralization:\n" + neutralization.indent(4));
    }

    /** The usual neutralization block of the tests: the sink, URLs, mail settings and an admin password. */
    public static String neutralizationYaml() {
        return """
                mail_sink: {host: %s, port: %d}
                base_url: %s
                catchall_domain: staging.test
                default_from: odoo@staging.test
                admin_password: "${secret:staging_admin}"
                """.formatted(SINK_HOST, SINK_PORT, STAGING_URL);
    }

    /** Drops the staging databases {@link #copyOfProduction} made (and their side copies): tests call it at their end. */
    public static void dropStaging(TestEnvironment env) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
             Statement st = c.createStatement()) {
            List<String> names = new java.util.ArrayList<>();
            try (java.sql.ResultSet rs = st.executeQuery("select datname from pg_database where datname like '"
                    + env.database + "\\_stg%'")) {
                while (rs.next()) names.add(rs.getString(1));
            }
            for (String n : names) st.execute("drop database if exists " + n + " with (force)");
        }
    }

    /** The side copies of the staging environment: databases {@code <db>__*}, directories beside its filestore. */
    public static List<String> sideCopies(Staging s) throws Exception {
        List<String> out = new java.util.ArrayList<>(TestEnvironment.ops("select datname from pg_database where datname like ?",
                s.database() + "\\_\\_%").stream().map(m -> (String) m.get("datname")).toList());
        try (java.util.stream.Stream<Path> list = Files.list(s.filestore().getParent())) {
            list.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(s.filestore().getFileName() + "."))
                    .forEach(out::add);
        }
        return out;
    }

    public static List<Map<String, Object>> rows(String database, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + database, "postgres", "");
             Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery(sql)) {
            List<Map<String, Object>> out = new java.util.ArrayList<>();
            while (rs.next()) {
                Map<String, Object> m = new java.util.LinkedHashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) m.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                out.add(m);
            }
            return out;
        }
    }

    public static Object one(String database, String sql) throws SQLException {
        List<Map<String, Object>> r = rows(database, sql);
        return r.isEmpty() ? null : r.get(0).values().iterator().next();
    }
}
