package dev.odooops.backup;

import dev.odooops.postgres.EnvironmentDatabase;
import dev.odooops.run.Vars;

import dev.odooops.config.DatabaseConfig;
import dev.odooops.config.EnvironmentConfig;
import dev.odooops.model.BackupJob;
import dev.odooops.ops.OpsCatalog;
import org.apache.camel.Variable;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Step 2: resolve what the run will touch and record it, redacted, in runtime_bindings_redacted.json. */
public class ResolveBindings {
    private final OpsCatalog catalog;
    private final String storeUri;

    public ResolveBindings(OpsCatalog catalog, String storeUri) {
        this.catalog = catalog;
        this.storeUri = storeUri;
    }

    public void resolve(@Variable(Vars.BACKUP_JOB) BackupJob job) throws SQLException {
        EnvironmentConfig env = job.environment();
        DatabaseConfig db = env.database();
        Map<String, Object> database = new LinkedHashMap<>();
        database.put("host", db.host());
        database.put("port", db.port());
        database.put("db", db.name());
        database.put("user", db.user());
        database.put("password", db.password() == null ? null : "[REDACTED]");
        database.put("sslmode", db.sslmode());
        try (Connection c = EnvironmentDatabase.connect(db);
             PreparedStatement ps = c.prepareStatement("select current_setting('server_version'), "
                     + "current_setting('server_version_num')::int / 10000");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            database.put("server_version", rs.getString(1));
            job.dbMajorVersion(rs.getString(2));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("run_id", job.runId().toString());
        out.put("environment_id", env.id());
        out.put("database", database);
        out.put("filestore_path", env.filestore().toString());
        out.put("app", env.app().key());
        out.put(env.app().confKey(), env.appConf().toString());
        out.put("addons_paths", env.addonsPaths().stream().map(Object::toString).toList());
        out.put("work_dir", job.workDir().toString());
        out.put("artifact_store", storeUri);
        job.evidence().json("runtime_bindings_redacted.json", job.redactor().redactMap(out));
        job.stepDetail(Map.of("db_major_version", job.dbMajorVersion()));
    }
}
