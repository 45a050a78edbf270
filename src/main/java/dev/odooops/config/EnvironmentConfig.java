package dev.odooops.config;

import java.nio.file.Path;
import java.util.List;

/** One Odoo environment of a project, as declared in the environments file. */
public record EnvironmentConfig(String project, String name, String type, DatabaseConfig database, Path filestore,
                                Path odooConf, List<Path> addonsPaths, OdooControl control, RetentionPolicy retention) {

    /** The id operators confirm production restores with: {@code <project>/<env>}. */
    public String id() {
        return project + "/" + name;
    }

    public boolean isProduction() {
        return "production".equals(type);
    }
}
