package dev.odooops.postgres;

import dev.odooops.config.DatabaseConfig;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The one way to open a connection as an environment's database role: to its Odoo database, or to another
 * database of the same server (a side copy being loaded, or {@code postgres} for administration). The
 * password goes in the connection properties, never in the URL; a connection attempt gives up after 10 s.
 */
public final class EnvironmentDatabase {
    /** The application_name of every such connection (PgAdmin recognises odoo-ops's own sessions by it). */
    public static final String APPLICATION_NAME = "odoo-ops";

    private EnvironmentDatabase() {
    }

    /** The environment's own database. */
    public static Connection connect(DatabaseConfig db) throws SQLException {
        return connect(db, db.name());
    }

    /** Another database of the environment's server, as the environment's role. */
    public static Connection connect(DatabaseConfig db, String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", db.user());
        if (db.password() != null) p.setProperty("password", db.password().reveal());
        p.setProperty("connectTimeout", "10");
        p.setProperty("sslmode", db.sslmode());
        p.setProperty("ApplicationName", APPLICATION_NAME);
        return DriverManager.getConnection("jdbc:postgresql://" + db.host() + ":" + db.port() + "/" + database, p);
    }
}
