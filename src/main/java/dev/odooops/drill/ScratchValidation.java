package dev.odooops.drill;

import dev.odooops.domain.AppProfile;
import dev.odooops.domain.BackupGaps;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.FilestoreCheck;
import dev.odooops.postgres.AttachmentReferences;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What step validate-drill reads from the scratch copies ({@link RestoreDrill#validate} compares it with the
 * artifact through {@link DrillChecks}): installed Odoo modules, sample tables read back, referenced files' SHA-1.
 * A query that fails is a failed check ({@link #guard}), never an aborted validation.
 */
final class ScratchValidation {
    private ScratchValidation() {
    }

    static Map<String, String> odooModules(Connection c) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        try (PreparedStatement probe = c.prepareStatement("select to_regclass('ir_module_module') is not null");
             ResultSet rs = probe.executeQuery()) {
            rs.next();
            if (!rs.getBoolean(1)) return out;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "select name, coalesce(latest_version, '') from ir_module_module where state = 'installed' order by name");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.put(rs.getString(1), rs.getString(2));
        }
        return out;
    }

    /** Each sample table's rows counted and the first ones read back whole (-1: the table is absent). */
    static Map<String, Long> samples(Connection c, AppProfile app) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String table : app.sampleTables()) {
            try (PreparedStatement ps = c.prepareStatement("select to_regclass(?) is not null")) {
                ps.setString(1, "public." + table);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        out.put(table, -1L);
                        continue;
                    }
                }
            }
            long n;
            try (PreparedStatement ps = c.prepareStatement("select count(*) from public." + quote(table));
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                n = rs.getLong(1);
            }
            try (PreparedStatement ps = c.prepareStatement("select * from public." + quote(table) + " limit 20");
                 ResultSet rs = ps.executeQuery()) {
                int cols = rs.getMetaData().getColumnCount();
                while (rs.next()) for (int i = 1; i <= cols; i++) rs.getObject(i);
            }
            out.put(table, n);
        }
        return out;
    }

    static DrillChecks.Check attachments(Connection c, AppProfile app, Path root, BackupGaps gaps) throws SQLException, IOException {
        FilestoreCheck.References refs = AttachmentReferences.read(c, app);
        Map<String, String> actual = new HashMap<>();
        if (refs.unavailable() == null) {
            for (String path : refs.expectedSha1().keySet()) {
                Path f = root.resolve(path).normalize();
                if (f.startsWith(root) && Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    actual.put(path, refs.expectedSha1().get(path) == null ? "present" : Checksums.sha1(f));
                }
            }
        }
        return DrillChecks.attachments(refs.expectedSha1(), refs.unavailable(), actual, gaps);
    }

    interface Body {
        DrillChecks.Check run() throws Exception;
    }

    static DrillChecks.Check guard(String name, Body body) {
        try {
            return body.run();
        } catch (Exception e) {
            return new DrillChecks.Check(name, DrillChecks.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    static String quote(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
