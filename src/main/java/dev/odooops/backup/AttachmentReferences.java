package dev.odooops.backup;

import dev.odooops.domain.FilestoreCheck;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads which filestore files an Odoo database references: {@code store_fname} and {@code checksum} of every
 * {@code ir_attachment} row stored in the filestore, field attachments ({@code res_field} set) included; rows
 * with {@code store_fname} null live in the database and are not counted. Safe inside the dump's exported
 * snapshot: the table's existence is checked first, so a database without it aborts nothing.
 */
public final class AttachmentReferences {
    private AttachmentReferences() {
    }

    public static FilestoreCheck.References read(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select to_regclass('ir_attachment') is not null
                   and exists (select 1 from information_schema.columns where table_name = 'ir_attachment'
                                  and column_name = 'checksum' and table_schema = current_schema())""");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            if (!rs.getBoolean(1)) return FilestoreCheck.References.unavailable("no ir_attachment table with a checksum column");
        }
        Map<String, String> refs = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "select store_fname, checksum from ir_attachment where store_fname is not null and store_fname <> ''")) {
            ps.setFetchSize(10_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) FilestoreCheck.References.add(refs, rs.getString(1), rs.getString(2));
            }
        }
        return new FilestoreCheck.References(refs, null);
    }
}
