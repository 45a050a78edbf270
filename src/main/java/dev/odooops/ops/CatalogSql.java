package dev.odooops.ops;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How the catalog's aggregates talk to the ops database: every statement binds its parameters, and a unit of work
 * that must not be seen half done runs in {@link #inTransaction}: committed when it returns, rolled back when it
 * throws or calls {@link Tx#rollbackOnly()}.
 */
public final class CatalogSql {
    private final DataSource dataSource;

    public CatalogSql(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Maps the current row of a result set. */
    public interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** A unit of work in one transaction. */
    public interface Work<T> {
        T run(Tx tx) throws SQLException;
    }

    /** Every row of {@code sql}, each statement on a connection of its own (auto-commit). */
    public <T> List<T> query(String sql, Row<T> row, Object... args) {
        try (Connection c = dataSource.getConnection()) {
            return query(c, sql, row, args);
        } catch (SQLException e) {
            throw new IllegalStateException("ops catalog query failed: " + e.getMessage(), e);
        }
    }

    /** The first row of {@code sql}, if any. */
    public <T> Optional<T> first(String sql, Row<T> row, Object... args) {
        return query(sql, row, args).stream().findFirst();
    }

    /** The number of rows {@code sql} changed. */
    public int update(String sql, Object... args) {
        try (Connection c = dataSource.getConnection()) {
            return update(c, sql, args);
        } catch (SQLException e) {
            throw new IllegalStateException("ops catalog update failed: " + e.getMessage(), e);
        }
    }

    /**
     * Runs {@code work} in one transaction: committed when it returns (unless it called {@link Tx#rollbackOnly()}),
     * rolled back when it throws; a failure names {@code what}.
     */
    public <T> T inTransaction(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            Tx tx = new Tx(c);
            try {
                T result = work.run(tx);
                if (tx.rollbackOnly) c.rollback();
                else c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(what + " failed: " + e.getMessage(), e);
        }
    }

    /** The statements of one transaction. */
    public static final class Tx {
        private final Connection connection;
        private boolean rollbackOnly;

        private Tx(Connection connection) {
            this.connection = connection;
        }

        public <T> List<T> query(String sql, Row<T> row, Object... args) throws SQLException {
            return CatalogSql.query(connection, sql, row, args);
        }

        public <T> Optional<T> first(String sql, Row<T> row, Object... args) throws SQLException {
            return query(sql, row, args).stream().findFirst();
        }

        public int update(String sql, Object... args) throws SQLException {
            return CatalogSql.update(connection, sql, args);
        }

        /** One statement run once per row of {@code rows}, in a batch. */
        public void batch(String sql, List<Object[]> rows) throws SQLException {
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                for (Object[] r : rows) {
                    bind(ps, r);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }

        public Array textArray(java.util.Collection<String> values) throws SQLException {
            return array("text", values.toArray());
        }

        /** An array parameter of the SQL type {@code type} ("bigint", "text"...). */
        public Array array(String type, Object[] values) throws SQLException {
            return connection.createArrayOf(type, values);
        }

        /** Ends the transaction with a rollback when the work returns (nothing it did stays). */
        public void rollbackOnly() {
            rollbackOnly = true;
        }
    }

    private static <T> List<T> query(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
        try (PreparedStatement ps = bind(c.prepareStatement(sql), args); ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) out.add(row.map(rs));
            return out;
        }
    }

    private static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = bind(c.prepareStatement(sql), args)) {
            return ps.executeUpdate();
        }
    }

    private static PreparedStatement bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
        return ps;
    }
}
