package dev.odooops.postgres;

import dev.odooops.domain.AppProfile;
import dev.odooops.domain.FilestoreCheck;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads which files a database references. Dolibarr: every document indexed in {@code llx_ecm_files}
 * ({@code filepath/filename} below the documents directory, below {@code <entity>/} for an entity other than 1),
 * presence only: Dolibarr keeps no checksum of the content. Odoo: {@code store_fname} and {@code checksum} of every
 * {@code ir_attachment} row stored in the filestore, field attachments ({@code res_field} set) included; rows
 * with {@code store_fname} null live in the database and are not counted. Safe inside the dump's exported
 * snapshot: the table's existence is checked first, so a database without it aborts nothing.
 */
public final class AttachmentReferences {
    private AttachmentReferences() {
    }

    public static FilestoreCheck.References read(Connection c, AppProfile app) throws SQLException {
        return app == AppProfile.DOLIBARR ? dolibarr(c) : odoo(c);
    }

    /** The name of what a profile's references come from, for messages. */
    public static String source(AppProfile app) {
        return app == AppProfile.DOLIBARR ? "llx_ecm_files" : "ir_attachment";
    }

    private static FilestoreCheck.References dolibarr(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select to_regclass('llx_ecm_files') is not null");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            if (!rs.getBoolean(1)) return FilestoreCheck.References.unavailable("no llx_ecm_files table");
        }
        Map<String, String> refs = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select case when entity is null or entity = 1 then '' else entity || '/' end
                       || trim(both '/' from filepath) || '/' || filename
                  from llx_ecm_files where filename is not null and filename <> '' and filepath is not null""")) {
            ps.setFetchSize(10_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String path = rs.getString(1);
                    if (!path.startsWith("/") && !("/" + path + "/").contains("/../")) {
                        FilestoreCheck.References.addPresence(refs, path);
                    }
                }
            }
        }
        return new FilestoreCheck.References(refs, null);
    }

    private static FilestoreCheck.References odoo(Connection c) throws SQLException {
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
