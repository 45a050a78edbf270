package dev.odooops.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * The sizes behind pg_dump's and pg_restore's progress lines ({@code domain.DatabaseProgress}): the database's size,
 * the heap size of every table whose data pg_dump dumps (the user tables {@link TableCounts} counts), and the COPYs
 * a pg_dump session is running now ({@code pg_stat_progress_copy}, PostgreSQL 14 and later).
 */
public final class DumpSizes {
    private static final String TABLE_BYTES = """
            select c.oid, pg_table_size(c.oid)
              from pg_class c join pg_namespace n on n.oid = c.relnamespace
             where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema')
               and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'""";
    private static final String COPYING = """
            select p.relid, p.bytes_processed
              from pg_stat_progress_copy p join pg_stat_activity a on a.pid = p.pid
             where p.datname = ? and a.application_name = ? and p.command = 'COPY TO'""";

    private DumpSizes() {
    }

    /** {@code pg_database_size} of the connection's database. */
    public static long databaseBytes(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pg_database_size(current_database())"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Each dumped table's oid and heap size ({@code pg_table_size}: with its TOAST, without its indexes). */
    public static Map<Long, Long> tableBytes(Connection c) throws SQLException {
        Map<Long, Long> sizes = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(TABLE_BYTES); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) sizes.put(rs.getLong(1), rs.getLong(2));
        }
        return sizes;
    }

    /** The COPYs out of {@code database} that sessions named {@code applicationName} run now: table oid to bytes sent. */
    public static Map<Long, Long> copying(Connection c, String database, String applicationName) throws SQLException {
        Map<Long, Long> copying = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(COPYING)) {
            ps.setString(1, database);
            ps.setString(2, applicationName);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) copying.put(rs.getLong(1), rs.getLong(2));
            }
        }
        return copying;
    }
}
