package dev.odooops.config;

import java.nio.file.Path;
import java.util.List;

/**
 * One Odoo environment of a project, as declared in the environments file. {@code filestoreOwner} is
 * {@code user[:group]} for the files a restore puts into the filestore, or null: the owner of the live
 * filestore (or of its parent directory when there is none).
 */
public record EnvironmentConfig(String project, String name, String type, DatabaseConfig database, Path filestore,
                                Path odooConf, List<Path> addonsPaths, OdooControl control, RetentionPolicy retention,
                                String filestoreOwner, List<Schedule> schedules, java.util.Set<String> volatileTables) {

    /**
     * Tables whose writes do not make a backup necessary (left out of the database fingerprint, see
     * {@link dev.odooops.domain.ChangeFingerprint}): Odoo's notification bus and presence, its cron bookkeeping
     * (last and next call, triggers, progress) and its login and device logs. The environments file's
     * {@code volatile_tables} adds to them.
     */
    public static final java.util.Set<String> ODOO_VOLATILE_TABLES = java.util.Set.of("bus_bus", "bus_presence",
            "mail_presence", "ir_cron", "ir_cron_trigger", "ir_cron_progress", "res_users_log", "res_device_log",
            "res_device");

    public EnvironmentConfig {
        volatileTables = volatileTables == null ? ODOO_VOLATILE_TABLES : java.util.Set.copyOf(volatileTables);
    }

    public EnvironmentConfig(String project, String name, String type, DatabaseConfig database, Path filestore,
                             Path odooConf, List<Path> addonsPaths, OdooControl control, RetentionPolicy retention,
                             String filestoreOwner, List<Schedule> schedules) {
        this(project, name, type, database, filestore, odooConf, addonsPaths, control, retention, filestoreOwner, schedules,
                null);
    }

    public EnvironmentConfig(String project, String name, String type, DatabaseConfig database, Path filestore,
                             Path odooConf, List<Path> addonsPaths, OdooControl control, RetentionPolicy retention,
                             String filestoreOwner) {
        this(project, name, type, database, filestore, odooConf, addonsPaths, control, retention, filestoreOwner, List.of());
    }

    public EnvironmentConfig(String project, String name, String type, DatabaseConfig database, Path filestore,
                             Path odooConf, List<Path> addonsPaths, OdooControl control, RetentionPolicy retention) {
        this(project, name, type, database, filestore, odooConf, addonsPaths, control, retention, null);
    }

    /** The id operators confirm production restores with: {@code <project>/<env>}. */
    public String id() {
        return project + "/" + name;
    }

    public boolean isProduction() {
        return "production".equals(type);
    }
}
