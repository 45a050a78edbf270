package dev.odooops.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * An Odoo-shaped database full of personal data (Odoo 17's table and column names, {@code anonymization/odoo-fixture.sql})
 * on the machine's PostgreSQL, with an Odoo-layout filestore whose attachments of partners and employees quote the
 * partners' names, emails and phones. For the anonymisation tests; {@link #close()} drops both.
 */
public final class OdooPersonalData implements AutoCloseable {
    public static final String HOST_URL = "jdbc:postgresql://127.0.0.1:5432/";
    public final String database;
    public final Path filestore;
    private final Path root;

    private OdooPersonalData(String database, Path root) {
        this.database = database;
        this.root = root;
        this.filestore = root.resolve("filestore").resolve(database);
    }

    /** A new database {@code anon_<name><suffix>} with the fixture's rows and a filestore of ~100 files. */
    public static OdooPersonalData create(String name) throws Exception {
        OdooPersonalData d = new OdooPersonalData("anon_" + name + TestEnvironment.SUFFIX,
                Files.createTempDirectory("odoo-ops-anon-"));
        d.admin("DROP DATABASE IF EXISTS " + d.database + " WITH (FORCE)");
        d.admin("CREATE DATABASE " + d.database);
        String sql;
        try (InputStream in = OdooPersonalData.class.getResourceAsStream("/anonymization/odoo-fixture.sql")) {
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Connection c = d.connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
        d.attachments();
        return d;
    }

    /** A copy of this database and filestore under another name (CREATE DATABASE ... TEMPLATE). */
    public OdooPersonalData copy(String name) throws Exception {
        OdooPersonalData d = new OdooPersonalData("anon_" + name + TestEnvironment.SUFFIX,
                Files.createTempDirectory("odoo-ops-anon-"));
        d.admin("DROP DATABASE IF EXISTS " + d.database + " WITH (FORCE)");
        d.admin("CREATE DATABASE " + d.database + " TEMPLATE " + database);
        try (Stream<Path> files = Files.walk(filestore)) {
            for (Path p : files.toList()) {
                Path target = d.filestore.resolve(filestore.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return d;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(HOST_URL + database, "postgres", "");
    }

    private void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(HOST_URL + "postgres", "postgres", "");
             Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private void attachments() throws Exception {
        Files.createDirectories(filestore);
        try (Connection c = connect()) {
            List<String[]> partners = new ArrayList<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT id, name, email, phone, vat FROM res_partner WHERE id <= 60 ORDER BY id")) {
                while (rs.next()) {
                    partners.add(new String[]{rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)});
                }
            }
            for (String[] p : partners) {
                int id = Integer.parseInt(p[0]);
                String model = id <= 40 ? "res.partner" : "hr.employee";
                insert(c, "contract-" + p[1] + ".txt", model, id, null, "text/plain",
                        ("Contract of " + p[1] + " <" + p[2] + ">, phone " + p[3] + ", VAT " + p[4] + "\n")
                                .getBytes(StandardCharsets.UTF_8), "contract " + p[1]);
                if (id <= 10) {
                    // a partner picture (field attachment): image bytes with the name in a text chunk
                    byte[] png = ("\u0089PNG fake image of " + p[1]).getBytes(StandardCharsets.UTF_8);
                    insert(c, "image_1920", "res.partner", id, "image_1920", "image/png", png, null);
                }
            }
            // a product sheet (model not in the list) that shares its file with a partner's attachment: kept
            byte[] sheet = "Product sheet: blue chair, 4 legs\n".getBytes(StandardCharsets.UTF_8);
            insert(c, "chair.txt", "product.template", 1, null, "text/plain", sheet, null);
            insert(c, "chair-copy.txt", "res.partner", 2, null, "text/plain", sheet, null);
        }
    }

    private void insert(Connection c, String name, String model, int resId, String field, String mimetype,
                        byte[] content, String index) throws Exception {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(content));
        Path file = filestore.resolve(sha.substring(0, 2)).resolve(sha);
        Files.createDirectories(file.getParent());
        if (!Files.exists(file)) {
            Files.write(file, content);
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO ir_attachment (name, res_model, res_id, res_field, "
                + "store_fname, checksum, mimetype, file_size, index_content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, name);
            ps.setString(2, model);
            ps.setInt(3, resId);
            ps.setString(4, field);
            ps.setString(5, sha.substring(0, 2) + "/" + sha);
            ps.setString(6, sha);
            ps.setString(7, mimetype);
            ps.setInt(8, content.length);
            ps.setString(9, index);
            ps.executeUpdate();
        }
    }

    /**
     * Every personal value of the fixture that must not survive: names, emails, phones (as typed and sanitised),
     * VATs, bank account numbers (as typed and sanitised), private identity numbers, street names.
     */
    public Set<String> originals() throws SQLException {
        Set<String> out = new LinkedHashSet<>();
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (String q : List.of(
                    "SELECT name FROM res_partner", "SELECT email FROM res_partner", "SELECT phone FROM res_partner",
                    "SELECT mobile FROM res_partner", "SELECT phone_sanitized FROM res_partner", "SELECT vat FROM res_partner",
                    "SELECT acc_number FROM res_partner_bank", "SELECT sanitized_acc_number FROM res_partner_bank",
                    "SELECT private_email FROM hr_employee", "SELECT identification_id FROM hr_employee",
                    "SELECT passport_id FROM hr_employee", "SELECT ssnid FROM hr_employee",
                    "SELECT login FROM res_users WHERE login LIKE '%@%'", "SELECT totp_secret FROM res_users",
                    "SELECT 'Quagmire Boulevard'", "SELECT 'Zwartowice'", "SELECT 'realmail-fixture'")) {
                try (ResultSet rs = st.executeQuery(q)) {
                    while (rs.next()) {
                        if (rs.getString(1) != null) {
                            out.add(rs.getString(1));
                        }
                    }
                }
            }
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        if (Files.exists(root)) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Reads a file (IOException unchecked), for greps. */
    public static String read(Path p) {
        try {
            return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
