package dev.odooops.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The drill tests' scratch PostgreSQL server: a second cluster on 127.0.0.1:{@value #PORT} with password
 * authentication and the role {@value #ROLE} (CREATEDB, not a superuser), made and started by
 * src/test/scripts/drill-cluster.sh (which .ci/run calls). A test that needs it calls {@link #require()}: a missing
 * server fails the test, it never skips it.
 */
public final class DrillServer {
    public static final int PORT = 5433;
    public static final String ROLE = "odoo_ops_drill";
    public static final String PASSWORD = "Dr1ll-Server-Passw0rd";
    /** The secret name the {@link #yaml} block refers to: pass it to TestEnvironment.withSecret. */
    public static final String SECRET = "drill_db_password";

    private DrillServer() {
    }

    /** Fails (never skips) when the drill server is not reachable as {@value #ROLE}. */
    public static void require() {
        try (Connection c = connect("postgres")) {
            c.createStatement().execute("select 1");
        } catch (SQLException e) {
            throw new AssertionError("the drill server (127.0.0.1:" + PORT + ", role " + ROLE + ") is not reachable: run "
                    + "src/test/scripts/drill-cluster.sh (.ci/run does): " + e.getMessage(), e);
        }
    }

    /** The {@code database:} mapping of a {@code drills:} block that points at this server (password by {@link #SECRET}). */
    public static String databaseYaml() {
        return "{host: 127.0.0.1, port: " + PORT + ", user: " + ROLE + ", password: \"${secret:" + SECRET + "}\", sslmode: disable}";
    }

    public static Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + PORT + "/" + database, ROLE, PASSWORD);
    }

    /** The databases on the drill server whose names start with {@code prefix}. */
    public static List<String> databasesLike(String prefix) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = connect("postgres");
             var ps = c.prepareStatement("select datname from pg_database where starts_with(datname, ?) order by 1")) {
            ps.setString(1, prefix);
            try (var rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
        }
        return out;
    }
}
