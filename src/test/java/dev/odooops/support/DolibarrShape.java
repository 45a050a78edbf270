package dev.odooops.support;

import dev.odooops.demo.DemoEnvironment;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.Random;

/**
 * A Dolibarr-shaped environment for tests: a PostgreSQL database with Dolibarr's tables (llx_const with enabled
 * modules and the version, users, third parties, invoices, llx_ecm_files indexing the generated PDFs, cron jobs,
 * security events), a documents directory in Dolibarr's layout ({@code facture/<ref>/<ref>.pdf},
 * {@code societe/<id>/...}, {@code mycompany/logos/}, {@code install.lock}, scratch files under each module's
 * {@code temp/}, an entity 2's {@code 2/facture/...}), a conf.php carrying secrets and a custom module directory.
 */
public final class DolibarrShape {
    public static final String VERSION = "20.0.2";
    public static final String INSTANCE_ID = "4f1c9a7e0b2d48c6a3e5f7091b2c3d4e";
    public static final String CRYPTKEY = "9d8c7b6a5f4e3d2c1b0a99887766554433221100ffeeddcc";

    private DolibarrShape() {
    }

    /** @param invoices invoices of entity 1, each with its PDF in the documents directory and llx_ecm_files */
    public static DemoEnvironment.Created create(DemoEnvironment.Spec s, int invoices) throws SQLException, IOException {
        DemoEnvironment.recreateDatabase(s);
        Path documents = s.root().resolve("documents");
        DemoEnvironment.deleteTree(documents);
        Files.createDirectories(documents);
        Random random = new Random(s.seed());
        try (Connection c = connect(s)) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute(resource("/dolibarr/dolibarr-shape.sql"));
                st.execute("insert into llx_const(name, entity, value) values "
                        + "('MAIN_VERSION_LAST_INSTALL', 0, '19.0.1'), ('MAIN_VERSION_LAST_UPGRADE', 0, '" + VERSION + "'), "
                        + "('MAIN_MODULE_SOCIETE', 1, '1'), ('MAIN_MODULE_FACTURE', 1, '1'), ('MAIN_MODULE_ECM', 1, '1'), "
                        + "('MAIN_MODULE_CRON', 1, '1'), ('MAIN_MODULE_STOCK', 1, '0'), ('MAIN_MODULE_FACTURE_TABS_0', 1, '1'), "
                        + "('MAIN_MODULE_MYMODULE', 1, '1'), ('MAIN_MODULE_FACTURE', 2, '1'), "
                        + "('MAIN_INFO_SOCIETE_NOM', 1, 'Demo SARL'), ('MAIN_FIRST_PING_OK_DATE', 1, '20260101000000')");
                st.execute("insert into llx_user(login, pass_crypted, lastname, firstname, email, admin) "
                        + "select case when g = 1 then 'admin' else 'user' || g end, '$2y$10$demo' || g, 'Last' || g, 'First' || g, "
                        + "'user' || g || '@example.com', (g = 1)::int from generate_series(1, 5) g");
                st.execute("insert into llx_societe(nom, client, email, town) select 'Customer ' || g, 1, "
                        + "'c' || g || '@example.com', 'Lyon' from generate_series(1, 40) g");
                st.execute("insert into llx_cronjob(label, jobtype, datenextrun) values ('Purge temp files', 'method', now())");
                st.execute("insert into llx_events(type, dateevent, ip, description) values ('USER_LOGIN', now(), '127.0.0.1', 'login admin')");
            }
            try (PreparedStatement inv = c.prepareStatement("insert into llx_facture(ref, entity, fk_soc, datef, total_ttc, fk_statut, "
                    + "last_main_doc) values (?, ?, ?, date '2026-01-01' + ?, ?, 1, ?)");
                 PreparedStatement ecm = c.prepareStatement("insert into llx_ecm_files(ref, label, entity, filepath, filename, "
                         + "src_object_type, gen_or_uploaded, date_c) values (md5(?), md5(?), ?, ?, ?, 'facture', 'generated', now())")) {
                for (int i = 1; i <= invoices + 2; i++) {
                    int entity = i <= invoices ? 1 : 2;
                    String ref = String.format("FA2601-%04d", i);
                    String dir = (entity == 1 ? "" : "2/") + "facture/" + ref;
                    byte[] pdf = pdf(random, ref);
                    Files.createDirectories(documents.resolve(dir));
                    Files.write(documents.resolve(dir).resolve(ref + ".pdf"), pdf);
                    inv.setString(1, ref);
                    inv.setInt(2, entity);
                    inv.setInt(3, 1 + i % 40);
                    inv.setInt(4, i % 300);
                    inv.setBigDecimal(5, java.math.BigDecimal.valueOf(i * 120.5));
                    inv.setString(6, "facture/" + ref + "/" + ref + ".pdf");
                    inv.addBatch();
                    ecm.setString(1, dir + ref);
                    ecm.setString(2, ref);
                    ecm.setInt(3, entity);
                    ecm.setString(4, "facture/" + ref);
                    ecm.setString(5, ref + ".pdf");
                    ecm.addBatch();
                }
                inv.executeBatch();
                ecm.executeBatch();
            }
            c.commit();
        }
        for (int i = 1; i <= 5; i++) {
            Path logo = documents.resolve("societe").resolve(String.valueOf(i)).resolve("logos");
            Files.createDirectories(logo);
            byte[] png = new byte[2048 + random.nextInt(4096)];
            random.nextBytes(png);
            png[0] = (byte) 0x89; png[1] = 'P'; png[2] = 'N'; png[3] = 'G';
            Files.write(logo.resolve("logo.png"), png);
        }
        Files.createDirectories(documents.resolve("mycompany/logos"));
        Files.writeString(documents.resolve("mycompany/logos/mycompany.png"), "not really a png\n");
        Files.writeString(documents.resolve("install.lock"), "");
        writeTemp(documents);
        Path htdocs = s.root().resolve("htdocs");
        Path custom = htdocs.resolve("custom");
        Files.createDirectories(custom.resolve("mymodule/core/modules"));
        Files.writeString(custom.resolve("mymodule/core/modules/modMyModule.class.php"), "<?php\nclass modMyModule {}\n");
        Files.createDirectories(htdocs.resolve("conf"));
        // the installed code's version, as Dolibarr's own htdocs/filefunc.inc.php defines it
        Files.writeString(htdocs.resolve("filefunc.inc.php"), String.join("\n",
                "<?php",
                "if (!defined('DOL_APPLICATION_TITLE')) {",
                "\tdefine('DOL_APPLICATION_TITLE', 'Dolibarr');",
                "}",
                "if (!defined('DOL_VERSION')) {",
                "\tdefine('DOL_VERSION', '" + VERSION + "'); // a.b.c-alpha, a.b.c-beta, a.b.c-rcX or a.b.c",
                "}",
                ""));
        Path conf = htdocs.resolve("conf/conf.php");
        Files.writeString(conf, String.join("\n",
                "<?php",
                "// Config file for Dolibarr " + VERSION,
                "$dolibarr_main_url_root='http://erp.demo.example';",
                "$dolibarr_main_document_root='" + htdocs + "';",
                "$dolibarr_main_url_root_alt='/custom';",
                "$dolibarr_main_document_root_alt='" + custom + "';",
                "$dolibarr_main_data_root='" + documents + "';",
                "$dolibarr_main_db_host='" + s.adminHost() + "';",
                "$dolibarr_main_db_port='" + s.adminPort() + "';",
                "$dolibarr_main_db_name='" + s.database() + "';",
                "$dolibarr_main_db_prefix='llx_';",
                "$dolibarr_main_db_user='" + s.role() + "';",
                "$dolibarr_main_db_pass='" + s.rolePassword() + "';",
                "$dolibarr_main_db_type='pgsql';",
                "$dolibarr_main_instance_unique_id='" + INSTANCE_ID + "';",
                "$dolibarr_main_dolcrypt_key = \"" + CRYPTKEY + "\";", // what Dolibarr 20 writes
                "$dolibarr_main_authentication='dolibarr';",
                "$dolibarr_main_prod='1';",
                "/* $dolibarr_main_db_pass='an-old-password'; */",
                "") + "\n");
        return new DemoEnvironment.Created(documents, conf, custom, invoices + 2 + 5 + 1);
    }

    /** Scratch files as Dolibarr leaves them: each module's dir_temp, an entity's too. */
    public static void writeTemp(Path documents) throws IOException {
        for (String dir : java.util.List.of("facture/temp", "admin/temp", "2/facture/temp/massgeneration")) {
            Files.createDirectories(documents.resolve(dir));
            Files.writeString(documents.resolve(dir).resolve("scratch-" + System.nanoTime() + ".tmp"), "scratch\n");
        }
    }

    private static byte[] pdf(Random random, String ref) {
        byte[] body = new byte[4096 + random.nextInt(16 * 1024)];
        random.nextBytes(body);
        byte[] head = ("%PDF-1.4\n% invoice " + ref + "\n").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, body, 0, head.length);
        return body;
    }

    private static Connection connect(DemoEnvironment.Spec s) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", s.role());
        p.setProperty("password", s.rolePassword());
        return DriverManager.getConnection("jdbc:postgresql://" + s.adminHost() + ":" + s.adminPort() + "/" + s.database(), p);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = DolibarrShape.class.getResourceAsStream(name)) {
            if (in == null) throw new IOException("missing resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
