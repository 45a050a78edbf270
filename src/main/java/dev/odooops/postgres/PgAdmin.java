package dev.odooops.postgres;

import dev.odooops.config.DatabaseConfig;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Database-level operations of a restore (create, rename, drop, terminate sessions), as the environment's
 * own database user connected to the maintenance database {@code postgres}. That user must own the Odoo
 * database and have CREATEDB, as Odoo's own database manager requires. Identifiers cannot be bound
 * parameters: the server quotes them ({@code quote_ident}) before they enter a statement.
 */
public final class PgAdmin implements AutoCloseable {
    private final Connection c;

    public PgAdmin(DatabaseConfig db) throws SQLException {
        this.c = EnvironmentDatabase.connect(db, "postgres");
    }

    public boolean canCreateDatabases() throws SQLException {
        return Boolean.parseBoolean(single("select (rolcreatedb or rolsuper)::text from pg_roles where rolname = current_user", null));
    }

    public boolean exists(String db) throws SQLException {
        return single("select 1 from pg_database where datname = ?", db) != null;
    }

    /** Names of the databases that start with {@code prefix}. */
    public java.util.List<String> namesLike(String prefix) throws SQLException {
        java.util.List<String> out = new java.util.ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("select datname from pg_database where starts_with(datname, ?) order by 1")) {
            ps.setString(1, prefix);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** The database's OID (stays through a rename; a dropped and re-created database gets a new one), or null. */
    public Long oid(String db) throws SQLException {
        String v = single("select oid::text from pg_database where datname = ?", db);
        return v == null ? null : Long.parseLong(v);
    }

    /** A new empty database (template0) with the encoding and locale of {@code like} when it exists. */
    public void create(String db, String like) throws SQLException {
        String encoding = "UTF8";
        String collate = null;
        String ctype = null;
        try (PreparedStatement ps = c.prepareStatement(
                "select pg_encoding_to_char(encoding), datcollate, datctype from pg_database where datname = ?")) {
            ps.setString(1, like);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    encoding = rs.getString(1);
                    collate = rs.getString(2);
                    ctype = rs.getString(3);
                }
            }
        }
        String sql = "create database " + ident(db) + " template template0 encoding " + literal(encoding)
                + (collate == null ? "" : " lc_collate " + literal(collate) + " lc_ctype " + literal(ctype));
        try (var st = c.createStatement()) {
            st.execute(sql);
        }
    }

    public void rename(String from, String to) throws SQLException {
        try (var st = c.createStatement()) {
            st.execute("alter database " + ident(from) + " rename to " + ident(to));
        }
    }

    public void dropIfExists(String db) throws SQLException {
        try (var st = c.createStatement()) {
            st.execute("drop database if exists " + ident(db) + " with (force)");
        }
    }

    /**
     * Ends every other client session on {@code db}; returns how many there were. Only client backends: an
     * autovacuum worker (or a parallel worker) advertises no role, so PostgreSQL 15 refuses a role that is not
     * superuser to signal it ("must be a superuser to terminate superuser process"), and DROP DATABASE and ALTER
     * DATABASE ... RENAME end autovacuum on the database themselves (a half-restored scratch database of a killed
     * drill, freshly loaded, is just what autovacuum picks).
     */
    public int terminate(String db) throws SQLException {
        return Integer.parseInt(single("select count(pg_terminate_backend(pid)) from pg_stat_activity "
                + "where datname = ? and pid <> pg_backend_pid() and backend_type = 'client backend'", db));
    }

    public long size(String db) throws SQLException {
        return Long.parseLong(single("select pg_database_size(?)", db));
    }

    public int sessions(String db) throws SQLException {
        return Integer.parseInt(single("select count(*) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()", db));
    }

    /** Terminate, then rename; a session that reconnects in between makes the rename fail, so retry a few times. */
    public void renameWithoutSessions(String from, String to) throws SQLException {
        SQLException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            terminate(from);
            try {
                rename(from, to);
                return;
            } catch (SQLException e) {
                last = e;
                if (!"55006".equals(e.getSQLState())) throw e; // object_in_use: someone reconnected
            }
        }
        throw last;
    }

    private String ident(String name) throws SQLException {
        return single("select quote_ident(?)", name);
    }

    private String literal(String value) throws SQLException {
        return single("select quote_literal(?)", value);
    }

    /** How long {@link #endCreations} waits for an ended creation to go. */
    public static final java.time.Duration CREATION_WAIT = java.time.Duration.ofSeconds(30);
    private static final java.util.regex.Pattern CREATE_DATABASE =
            java.util.regex.Pattern.compile("(?is)^\\s*create\\s+database\\s+(\"(?:[^\"]|\"\")+\"|[^\\s\"]+)");

    /**
     * Ends the other odoo-ops sessions of this server still creating a database that {@code orphaned} accepts, and
     * waits until they are gone. A killed odoo-ops leaves its {@code CREATE DATABASE} running: the server only
     * notices the dead client when the statement ends, so the database appears after whoever cleans up listed the
     * names. Once this returns, the names the server lists are all there will be (an ended creation leaves nothing).
     * Returns the names whose creation was ended.
     */
    public java.util.List<String> endCreations(java.util.function.Predicate<String> orphaned, java.time.Duration wait)
            throws SQLException {
        java.util.List<Integer> pids = new java.util.ArrayList<>();
        java.util.List<java.sql.Timestamp> starts = new java.util.ArrayList<>();
        java.util.List<String> names = new java.util.ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("select pid, query, backend_start from pg_stat_activity where pid <> pg_backend_pid() "
                + "and state = 'active' and application_name = ? and usename = current_user")) {
            ps.setString(1, EnvironmentDatabase.APPLICATION_NAME);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    java.util.regex.Matcher m = CREATE_DATABASE.matcher(rs.getString(2));
                    if (!m.find()) continue;
                    String name = m.group(1).startsWith("\"")
                            ? m.group(1).substring(1, m.group(1).length() - 1).replace("\"\"", "\"")
                            : m.group(1).toLowerCase(java.util.Locale.ROOT);
                    if (orphaned.test(name)) {
                        pids.add(rs.getInt(1));
                        starts.add(rs.getTimestamp(3));
                        names.add(name);
                    }
                }
            }
        }
        if (pids.isEmpty()) return names;
        long deadline = System.nanoTime() + wait.toNanos();
        // each session by its pid and start (a pid the system gives again later is another session), still odoo-ops's
        try (PreparedStatement end = c.prepareStatement("select count(pg_terminate_backend(a.pid)) from pg_stat_activity a "
                + "join unnest(?::int[], ?::timestamptz[]) as s(pid, started) on s.pid = a.pid and s.started = a.backend_start "
                + "where a.application_name = ? and a.usename = current_user")) {
            end.setArray(1, c.createArrayOf("int4", pids.toArray()));
            end.setArray(2, c.createArrayOf("timestamptz", starts.toArray()));
            end.setString(3, EnvironmentDatabase.APPLICATION_NAME);
            while (Integer.parseInt(single(end)) > 0) {
                if (System.nanoTime() > deadline) {
                    throw new SQLException("the creation of " + names + " by a session that outlived its client did not end within "
                            + wait.toSeconds() + " s");
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted while ending the creation of " + names, e);
                }
            }
        }
        return names;
    }

    private static String single(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** The first column of the first row as text (null when no row), with at most one bound parameter. */
    private String single(String sql, String param) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (param != null) ps.setString(1, param);
            return single(ps);
        }
    }

    @Override
    public void close() throws SQLException {
        c.close();
    }
}
