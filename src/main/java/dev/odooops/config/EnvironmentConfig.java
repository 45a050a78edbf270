package dev.odooops.config;

import dev.odooops.domain.AppProfile;
import dev.odooops.domain.RetentionPolicy;

import java.nio.file.Path;
import java.util.List;

/**
 * One environment of a project, as declared in the environments file: an Odoo (the default) or a Dolibarr
 * ({@code app}, see {@link AppProfile}). {@code filestore} is Odoo's filestore or Dolibarr's documents directory;
 * {@code appConf} its odoo.conf or conf.php. {@code filestoreOwner} is {@code user[:group]} for the files a
 * restore puts into the filestore, or null: the owner of the live filestore (or of its parent directory when
 * there is none). {@code volatileTables}: null gives the profile's defaults. {@code customLayout}: the filestore is
 * seen here under another path than the server's (Odoo's {@code filestore_layout: custom}), so odoo.conf's
 * {@code data_dir} is the server's path, not judged against it.
 */
public record EnvironmentConfig(String project, String name, String type, DatabaseConfig database, Path filestore,
                                Path appConf, List<Path> addonsPaths, OdooControl control, RetentionPolicy retention,
                                String filestoreOwner, List<Schedule> schedules, java.util.Set<String> volatileTables,
                                AppProfile app, boolean customLayout) {

    public EnvironmentConfig {
        app = app == null ? AppProfile.ODOO : app;
        volatileTables = volatileTables == null ? app.volatileTables() : java.util.Set.copyOf(volatileTables);
    }

    /** {@code customLayout}: {@code filestore_layout: custom} (Dolibarr's only layout; Odoo's default is {@code odoo}). */
    public EnvironmentConfig(String project, String name, String type, DatabaseConfig database, Path filestore,
                             Path appConf, List<Path> addonsPaths, OdooControl control, RetentionPolicy retention,
                             String filestoreOwner, List<Schedule> schedules, java.util.Set<String> volatileTables,
                             AppProfile app) {
        this(project, name, type, database, filestore, appConf, addonsPaths, control, retention, filestoreOwner, schedules,
                volatileTables, app, app == AppProfile.DOLIBARR);
    }

    public EnvironmentConfig(String project, String name, String type, DatabaseConfig database, Path filestore,
                             Path appConf, List<Path> addonsPaths, OdooControl control, RetentionPolicy retention,
                             String filestoreOwner, List<Schedule> schedules, java.util.Set<String> volatileTables) {
        this(project, name, type, database, filestore, appConf, addonsPaths, control, retention, filestoreOwner, schedules,
                volatileTables, AppProfile.ODOO);
    }

    public EnvironmentConfig(String project, String name, String type, DatabaseConfig database, Path filestore,
                             Path appConf, List<Path> addonsPaths, OdooControl control, RetentionPolicy retention,
                             String filestoreOwner, List<Schedule> schedules) {
        this(project, name, type, database, filestore, appConf, addonsPaths, control, retention, filestoreOwner, schedules,
                null);
    }

    public EnvironmentConfig(String project, String name, String type, DatabaseConfig database, Path filestore,
                             Path appConf, List<Path> addonsPaths, OdooControl control, RetentionPolicy retention,
                             String filestoreOwner) {
        this(project, name, type, database, filestore, appConf, addonsPaths, control, retention, filestoreOwner, List.of());
    }

    public EnvironmentConfig(String project, String name, String type, DatabaseConfig database, Path filestore,
                             Path appConf, List<Path> addonsPaths, OdooControl control, RetentionPolicy retention) {
        this(project, name, type, database, filestore, appConf, addonsPaths, control, retention, null);
    }

    /** The id operators confirm production restores with: {@code <project>/<env>}. */
    public String id() {
        return project + "/" + name;
    }

    public boolean isProduction() {
        return "production".equals(type);
    }
}
