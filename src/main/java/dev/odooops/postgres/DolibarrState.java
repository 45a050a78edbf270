package dev.odooops.postgres;

import dev.odooops.config.DatabaseConfig;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a Dolibarr database says of itself, from {@code llx_const}: the modules it has enabled (a constant
 * {@code MAIN_MODULE_<NAME>} with value 1, Dolibarr's own switch; the module's other constants,
 * {@code MAIN_MODULE_<NAME>_TABS_0} and the like, are not modules) and the version it was last upgraded to or
 * installed at ({@code MAIN_VERSION_LAST_UPGRADE}, else {@code MAIN_VERSION_LAST_INSTALL}). A database without
 * {@code llx_const} (not a Dolibarr yet) has no modules and no version.
 */
public final class DolibarrState {
    private DolibarrState() {
    }

    /** module (lower case, {@code name@entity} for an entity other than 1) -> "enabled". */
    public static Map<String, String> enabledModules(DatabaseConfig db) throws SQLException {
        try (Connection c = EnvironmentDatabase.connect(db)) {
            return enabledModules(c);
        }
    }

    public static Map<String, String> enabledModules(Connection c) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        if (!hasConst(c)) return out;
        try (PreparedStatement ps = c.prepareStatement("""
                select lower(substr(name, 13)), entity from llx_const
                 where name ~ '^MAIN_MODULE_[A-Z0-9]+$' and trim(value) = '1'""");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                int entity = rs.getInt(2);
                out.put(rs.getString(1) + (entity == 1 || entity == 0 ? "" : "@" + entity), "enabled");
            }
        }
        return out;
    }

    /** The version Dolibarr records, or null. */
    public static String version(DatabaseConfig db) throws SQLException {
        try (Connection c = EnvironmentDatabase.connect(db)) {
            return version(c);
        }
    }

    public static String version(Connection c) throws SQLException {
        if (!hasConst(c)) return null;
        try (PreparedStatement ps = c.prepareStatement("""
                select value from llx_const where name in ('MAIN_VERSION_LAST_UPGRADE', 'MAIN_VERSION_LAST_INSTALL')
                   and coalesce(value, '') <> ''
                 order by name = 'MAIN_VERSION_LAST_UPGRADE' desc, entity limit 1""");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static boolean hasConst(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select to_regclass('llx_const') is not null");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
