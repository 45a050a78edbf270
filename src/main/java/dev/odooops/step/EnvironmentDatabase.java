package dev.odooops.step;

import dev.odooops.config.DatabaseConfig;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** JDBC connections to an environment's Odoo database (read-only work: counts, modules, versions). */
public final class EnvironmentDatabase {
    private EnvironmentDatabase() {
    }

    public static Connection connect(DatabaseConfig db) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", db.user());
        if (db.password() != null) p.setProperty("password", db.password().reveal());
        p.setProperty("connectTimeout", "10");
        return DriverManager.getConnection(db.jdbcUrl(), p);
    }
}
