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
                                String filestoreOwner, List<Schedule> schedules) {

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
