package dev.odooops.config;

/**
 * How to reach an environment's PostgreSQL database. The password is a reference resolved at load time.
 * Connections are opened by postgres.EnvironmentDatabase.
 */
public record DatabaseConfig(String host, int port, String name, String user, Secret password, String sslmode) {
}
