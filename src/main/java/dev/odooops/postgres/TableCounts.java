package dev.odooops.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The exact row count of every user table of a database, as {@code schema.table -> rows}, read in the
 * connection's transaction (so, in a backup, in the dump's own snapshot). The backup records them, the restore
 * checks the loaded database against them.
 */
public final class TableCounts {
    private static final String ROW_COUNTS = """
            select n.nspname, c.relname,
                   (xpath('/row/c/text()', query_to_xml(format('select count(*) as c from %I.%I', n.nspname, c.relname),
                                                         false, true, '')))[1]::text::bigint
              from pg_class c join pg_namespace n on n.oid = c.relnamespace
             where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema')
               and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'
             order by 1, 2""";

    private TableCounts() {
    }

    public static Map<String, Long> of(Connection c) throws SQLException {
        Map<String, Long> counts = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement(ROW_COUNTS); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) counts.put(rs.getString(1) + "." + rs.getString(2), rs.getLong(3));
        }
        return counts;
    }
}
