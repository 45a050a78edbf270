package dev.odooops.config;

/** How to reach an environment's PostgreSQL database. The password is a reference resolved at load time. */
public record DatabaseConfig(String host, int port, String name, String user, Secret password, String sslmode) {

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + name + "?sslmode=" + sslmode + "&ApplicationName=odoo-ops";
    }
}
