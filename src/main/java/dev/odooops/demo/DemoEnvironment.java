package dev.odooops.demo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.Random;

/**
 * Builds an Odoo-shaped environment: a database (owned by its own role, with a password) holding the
 * ir_* / res_* tables and account_move with data, an Odoo-layout filestore ({@code <2 hex>/<sha1>}) whose
 * files match ir_attachment rows, an addons directory with manifests and an odoo.conf carrying secrets.
 * Deterministic for a given seed. Used by {@code odoo-ops demo} and by the tests.
 */
public final class DemoEnvironment {
    public record Spec(String adminHost, int adminPort, String adminUser, String database, String role,
                       String rolePassword, Path root, int partners, int attachments, long seed) {
    }

    public record Created(Path filestore, Path appConf, Path addons, int attachmentFiles) {
    }

    private static final List<String[]> MODULES = List.of(
            new String[]{"base", "17.0.1.3"}, new String[]{"web", "17.0.1.0"}, new String[]{"mail", "17.0.1.15"},
            new String[]{"contacts", "17.0.1.0"}, new String[]{"account", "17.0.1.2"}, new String[]{"sale", "17.0.1.2"},
            new String[]{"demo_custom", "17.0.1.0.4"});

    private DemoEnvironment() {
    }

    public static Created create(Spec s) throws SQLException, IOException {
        recreateDatabase(s);
        Path filestore = s.root().resolve("filestore").resolve(s.database());
        deleteTree(filestore);
        Files.createDirectories(filestore);
        try (Connection c = connect(s, s.database(), s.role(), s.rolePassword())) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute(resource("/demo/odoo-shape.sql"));
                st.execute("insert into res_company(name, email) values ('Demo Company', 'info@demo.example')");
                st.execute("insert into res_partner(name, email, phone, street, city, company_id) "
                        + "select 'Partner ' || g, 'partner' || g || '@example.com', '+32 2 555 ' || lpad(g::text, 4, '0'), "
                        + "g || ' Rue de la Loi', 'Brussels', 1 from generate_series(1, " + s.partners() + ") g");
                st.execute("insert into res_users(login, password, partner_id, company_id, totp_secret) "
                        + "select case when g = 1 then 'admin' else 'user' || g end, "
                        + "'$pbkdf2-sha512$600000$demo' || g, g, 1, null from generate_series(1, least(20, " + s.partners() + ")) g");
                st.execute("insert into account_move(name, partner_id, amount_total, state, date, move_type) "
                        + "select 'INV/2026/' || lpad(g::text, 5, '0'), 1 + g % " + s.partners() + ", (g * 37.5) % 10000, "
                        + "case when g % 10 = 0 then 'draft' else 'posted' end, date '2026-01-01' + (g % 300), 'out_invoice' "
                        + "from generate_series(1, " + (s.partners() * 2) + ") g");
                st.execute("insert into ir_config_parameter(key, value) values ('database.uuid', md5('" + s.seed() + "')), "
                        + "('database.secret', md5('secret" + s.seed() + "')), ('web.base.url', 'https://demo.example'), "
                        + "('mail.catchall.domain', 'demo.example')");
                st.execute("insert into ir_cron(cron_name, interval_number, interval_type) values "
                        + "('Mail: Email Queue Manager', 1, 'minutes'), ('Account: Post draft entries', 1, 'days')");
                st.execute("insert into ir_mail_server(name, smtp_host, smtp_port, smtp_user, smtp_pass) "
                        + "values ('Outgoing', 'smtp.demo.example', 587, 'mailer', 'smtp-demo-pass')");
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into ir_module_module(name, state, latest_version, author) values (?, 'installed', ?, 'Odoo S.A.')")) {
                for (String[] m : MODULES) {
                    ps.setString(1, m[0]);
                    ps.setString(2, m[1]);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (Statement st = c.createStatement()) {
                st.execute("insert into ir_module_module(name, state, latest_version) values ('stock', 'uninstalled', null)");
                st.execute("insert into ir_model_data(module, name, model, res_id) "
                        + "select m.name, 'record_' || g, 'res.partner', g from ir_module_module m, generate_series(1, 5) g "
                        + "where m.state = 'installed'");
            }
            writeAttachments(c, filestore, s);
            c.commit();
        }
        Path addons = s.root().resolve("addons");
        for (String module : List.of("demo_custom", "demo_reports")) {
            Files.createDirectories(addons.resolve(module));
            Files.writeString(addons.resolve(module).resolve("__manifest__.py"),
                    "{'name': '" + module + "', 'version': '17.0.1.0.4', 'depends': ['base']}\n");
        }
        Path conf = s.root().resolve("odoo.conf");
        Files.writeString(conf, String.join("\n",
                "[options]",
                "admin_passwd = " + s.rolePassword() + "-admin",
                "db_host = " + s.adminHost(),
                "db_port = " + s.adminPort(),
                "db_user = " + s.role(),
                "db_password = " + s.rolePassword(),
                "db_name = " + s.database(),
                "addons_path = " + addons,
                "data_dir = " + s.root(),
                "smtp_server = smtp.demo.example",
                "smtp_password = smtp-demo-pass",
                "workers = 2",
                "proxy_mode = True",
                "") + "\n");
        return new Created(filestore, conf, addons, s.attachments());
    }

    private static void writeAttachments(Connection c, Path filestore, Spec s) throws SQLException, IOException {
        Random random = new Random(s.seed());
        try (PreparedStatement ps = c.prepareStatement("insert into ir_attachment(name, res_model, res_id, store_fname, "
                + "file_size, checksum, mimetype) values (?, 'res.partner', ?, ?, ?, ?, 'application/octet-stream')")) {
            for (int i = 1; i <= s.attachments(); i++) {
                byte[] data = new byte[1024 + random.nextInt(64 * 1024)];
                random.nextBytes(data);
                String sha1 = sha1(data);
                Path dir = filestore.resolve(sha1.substring(0, 2));
                Files.createDirectories(dir);
                Files.write(dir.resolve(sha1), data);
                ps.setString(1, "document-" + i + ".bin");
                ps.setInt(2, 1 + i % Math.max(1, s.partners()));
                ps.setString(3, sha1.substring(0, 2) + "/" + sha1);
                ps.setInt(4, data.length);
                ps.setString(5, sha1);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Damage for the demo: deletes 100 partners (and their invoices) and {@code files} attachment files. */
    public static void damage(String host, int port, String adminUser, String database, Path filestore, int files)
            throws SQLException, IOException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database, adminUser, "");
             Statement st = c.createStatement()) {
            st.execute("delete from account_move where partner_id > 400");
            st.execute("delete from res_partner where id > 400");
        }
        try (var walk = Files.walk(filestore)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().limit(files).toList()) Files.delete(p);
        }
    }

    /** Drops (terminating sessions) and recreates the database and its owner role. Names are checked first. */
    public static void recreateDatabase(Spec s) throws SQLException {
        for (String name : List.of(s.database(), s.role())) {
            if (!name.matches("[a-z_][a-z0-9_]{0,62}")) throw new IllegalArgumentException("unsafe name: " + name);
        }
        try (Connection c = connect(s, "postgres", s.adminUser(), null); Statement st = c.createStatement()) {
            st.execute("drop database if exists " + s.database() + " with (force)");
            try (PreparedStatement ps = c.prepareStatement("select 1 from pg_roles where rolname = ?")) {
                ps.setString(1, s.role());
                if (!ps.executeQuery().next()) st.execute("create role " + s.role() + " login");
                st.execute("alter role " + s.role() + " createdb"); // like Odoo's own user: a restore creates databases
            }
            // ALTER ROLE cannot bind a parameter; the literal is quoted by the server's own quote_literal
            try (PreparedStatement ps = c.prepareStatement("select quote_literal(?)")) {
                ps.setString(1, s.rolePassword());
                var rs = ps.executeQuery();
                rs.next();
                st.execute("alter role " + s.role() + " password " + rs.getString(1));
            }
            st.execute("create database " + s.database() + " owner " + s.role());
        }
    }

    private static Connection connect(Spec s, String db, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) p.setProperty("password", password);
        return DriverManager.getConnection("jdbc:postgresql://" + s.adminHost() + ":" + s.adminPort() + "/" + db, p);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = DemoEnvironment.class.getResourceAsStream(name)) {
            if (in == null) throw new IOException("missing resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String sha1(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
