package dev.odooops.postgres;

import dev.odooops.config.DatabaseConfig;
import dev.odooops.config.Secret;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Who counts as connected to an environment's database (a safety backup's "the application is stopped"): anyone's
 * session but odoo-ops's own, whose connections and tools (pg_dump's "odoo-ops pg_dump") never write behind a
 * fingerprint, and whose just-ended pg_dump backend may still be listed for a moment. Against the real server.
 */
class OtherSessionsTest {

    @Test
    void should_count_the_application_s_sessions_and_not_odoo_ops_s_own() throws Exception {
        String db = "t_other_sessions_" + ProcessHandle.current().pid();
        try (Connection admin = connect("postgres", "test")) {
            admin.createStatement().execute("drop database if exists " + db + " with (force)");
            admin.createStatement().execute("create database " + db);
        }
        DatabaseConfig config = new DatabaseConfig("127.0.0.1", 5432, db, "postgres", new Secret(""), "disable");
        try {
            assertEquals(0, WriteCounters.otherSessions(config), "nobody connected");
            try (Connection ops = connect(db, EnvironmentDatabase.APPLICATION_NAME);
                 Connection dump = connect(db, "odoo-ops pg_dump");
                 Connection unnamed = connect(db, "")) {
                assertEquals(1, WriteCounters.otherSessions(config), "odoo-ops's own sessions are not the application's; "
                        + "a session without a name is");
                try (Connection odoo = connect(db, "odoo-17.0")) {
                    assertEquals(2, WriteCounters.otherSessions(config));
                }
            }
        } finally {
            try (Connection admin = connect("postgres", "test")) {
                admin.createStatement().execute("drop database if exists " + db + " with (force)");
            }
        }
    }

    private static Connection connect(String db, String applicationName) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", "");
        p.setProperty("ApplicationName", applicationName);
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + db, p);
    }
}
