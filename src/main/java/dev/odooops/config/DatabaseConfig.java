package dev.odooops.config;

/**
 * How to reach an environment's PostgreSQL database. The password is a reference resolved at load time.
 * Connections are opened by postgres.EnvironmentDatabase.
 */
public record DatabaseConfig(String host, int port, String name, String user, Secret password, String sslmode) {
    /** Another database of the same server, reached as the same role (a side copy, a scratch copy). */
    public DatabaseConfig named(String database) {
        return new DatabaseConfig(host, port, database, user, password, sslmode);
    }
}
