package dev.odooops.ops;

/** The permissions the environments file granted, as synchronised into the catalog ({@code ops.user_has_permission}). */
public final class PermissionCatalog {
    private final CatalogSql sql;

    public PermissionCatalog(CatalogSql sql) {
        this.sql = sql;
    }

    public boolean userHasPermission(String user, String project, String action) {
        return sql.query("select ops.user_has_permission(?, ?, ?)", rs -> rs.getBoolean(1), user, project, action).get(0);
    }
}
