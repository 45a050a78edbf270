package dev.odooops.postgres;

import dev.odooops.config.DatabaseConfig;
import dev.odooops.domain.ChangeFingerprint;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an environment database's write counters for {@link ChangeFingerprint#database}: one query on
 * {@code pg_stat_all_tables}, no table scanned, so it costs milliseconds whatever the database's size. Left out:
 * the volatile tables (matched by name in any schema) with their TOAST tables, {@code pg_statistic} and
 * {@code pg_statistic_ext_data} (ANALYZE writes them), the catalogs shared by every database of the server
 * (another database's creation moves them), and temporary tables.
 */
public final class WriteCounters {
    private static final String COUNTERS = """
            with volatile as (
                select c.oid, c.reltoastrelid from pg_class c join pg_namespace n on n.oid = c.relnamespace
                 where c.relname = any (?) and n.nspname not in ('pg_catalog', 'information_schema'))
            select n.nspname, c.relname, c.relfilenode, s.n_tup_ins, s.n_tup_upd, s.n_tup_del
              from pg_stat_all_tables s join pg_class c on c.oid = s.relid join pg_namespace n on n.oid = c.relnamespace
             where not c.relisshared
               and c.relpersistence <> 't'
               and not (n.nspname = 'pg_catalog' and c.relname in ('pg_statistic', 'pg_statistic_ext_data'))
               and s.relid not in (select oid from volatile)
               and s.relid not in (select reltoastrelid from volatile where reltoastrelid <> 0)
            """;
    private static final String DATABASE = """
            select d.oid, s.stats_reset::text from pg_database d left join pg_stat_database s on s.datid = d.oid
             where d.datname = current_database()""";

    /** odoo-ops's own sessions (its connections, its tools: application_name odoo-ops, odoo-ops pg_dump ...) are not counted. */
    private static final String OTHER_SESSIONS = """
            select count(*) from pg_stat_activity
             where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'
               and coalesce(application_name, '') <> ? and coalesce(application_name, '') not like ?""";

    private WriteCounters() {
    }

    /**
     * How many other client sessions are connected to the environment's database (the application's, anyone's but
     * odoo-ops's own): none means every backend that wrote to it has ended, and a backend flushes its write counters as
     * it ends. odoo-ops's sessions never write to a live database behind a fingerprint (a restore writes its side copies
     * until the swap; the environment's lease keeps out its other runs), and the backend of one that just ended (the
     * pg_dump of the backup a restore follows at once) may still be listed for a moment.
     */
    public static int otherSessions(DatabaseConfig db) throws SQLException {
        try (Connection c = EnvironmentDatabase.connect(db); PreparedStatement ps = c.prepareStatement(OTHER_SESSIONS)) {
            ps.setString(1, EnvironmentDatabase.APPLICATION_NAME);
            ps.setString(2, EnvironmentDatabase.APPLICATION_NAME + " %");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** The database fingerprint of {@link ChangeFingerprint#database}, read as the environment's role. */
    public static Map<String, String> fingerprint(DatabaseConfig db, Set<String> volatileTables) throws SQLException {
        try (Connection c = EnvironmentDatabase.connect(db)) {
            long oid;
            String reset;
            try (PreparedStatement ps = c.prepareStatement(DATABASE); ResultSet rs = ps.executeQuery()) {
                rs.next();
                oid = rs.getLong(1);
                reset = rs.getString(2);
            }
            List<ChangeFingerprint.TableCounters> tables = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(COUNTERS)) {
                Array names = c.createArrayOf("text", volatileTables.toArray());
                ps.setArray(1, names);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        tables.add(new ChangeFingerprint.TableCounters(rs.getString(1), rs.getString(2), rs.getLong(3),
                                rs.getLong(4), rs.getLong(5), rs.getLong(6)));
                    }
                }
            }
            return ChangeFingerprint.database(oid, reset, tables, volatileTables);
        }
    }
}
