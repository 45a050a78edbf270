package dev.odooops.backup;

import dev.odooops.run.Vars;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.ArtifactManifest;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.AppProfile;
import dev.odooops.domain.OdooConf;
import dev.odooops.domain.PhpConf;
import dev.odooops.postgres.DolibarrState;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.exec.ToolRunner;
import dev.odooops.model.BackupJob;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.odoo.OdooInventory;
import org.apache.camel.Variable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Step 6 (always): config_snapshot.json — odoo.conf (Dolibarr: conf.php) with every secret redacted, the addons of each addons
 * path, the installed modules with versions (ir_module_module), the git commit of each addons path that is a
 * repository, and the Odoo version. Fills the manifest's odoo_version, modules_installed and addons_hash
 * (sha256 over sorted {@code module=version} lines, then sorted {@code path@commit} lines).
 */
public class SnapshotConfig {
    private final OdooInventory inventory;
    private final OpsCatalog catalog;

    public SnapshotConfig(ToolRunner tools, OpsCatalog catalog) {
        this.inventory = new OdooInventory(tools);
        this.catalog = catalog;
    }

    public void snapshot(@Variable(Vars.BACKUP_JOB) BackupJob job) throws Exception {
        Map<String, Object> snapshot = take(job.environment(), job.redactor());
        Path file = job.workDir().resolve("config_snapshot.json");
        Files.copy(job.evidence().json("config_snapshot.json", snapshot), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        job.add(BundleParts.file("config_snapshot.json", file));
        @SuppressWarnings("unchecked")
        Map<String, String> modules = (Map<String, String>) snapshot.get("modules_installed");
        AppProfile app = job.environment().app();
        job.odooState(new ArtifactManifest.OdooState((String) snapshot.get("odoo_version"),
                (String) snapshot.get("addons_hash"), modules, null, app == AppProfile.ODOO ? null : app.key(),
                (String) snapshot.get("app_version")));
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("modules_installed", modules.size());
        detail.put(app == AppProfile.ODOO ? "odoo_version" : "app_version",
                String.valueOf(snapshot.get(app == AppProfile.ODOO ? "odoo_version" : "app_version")));
        job.stepDetail(detail);
    }

    /**
     * The environment's configuration as it is now, redacted (also what a restore compares against). Odoo: the
     * odoo.conf sections ({@code odoo_conf}), the addons paths with their modules and commits, the installed
     * modules and the Odoo version. Dolibarr: the variables of conf.php ({@code dolibarr_conf.options}), the
     * {@code addons_paths} (custom module directories) with their modules and commits, the enabled modules and the
     * version from llx_const ({@code app_version}).
     */
    public Map<String, Object> take(EnvironmentConfig env, SecretRedactor redactor) throws Exception {
        AppProfile app = env.app();
        Map<String, Object> sections = new LinkedHashMap<>();
        Set<Path> paths = new LinkedHashSet<>(env.addonsPaths());
        List<String> confProblems = List.of();
        if (app == AppProfile.ODOO) {
            OdooConf conf = OdooConf.read(env.appConf());
            confProblems = conf.problems();
            conf.sections().forEach((name, kv) -> sections.put(name, redacted(kv, redactor)));
            conf.addonsPaths().forEach(p -> paths.add(Path.of(p)));
        } else {
            sections.put("options", redacted(PhpConf.read(env.appConf()), redactor));
        }
        List<Map<String, Object>> addons = new ArrayList<>();
        Map<String, String> commits = new TreeMap<>();
        for (Path p : paths) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("path", p.toString());
            entry.put("exists", Files.isDirectory(p));
            entry.put("modules", modulesIn(p, app));
            String commit = inventory.gitCommit(p);
            entry.put("git_commit", commit);
            if (commit != null) commits.put(p.toString(), commit);
            addons.add(entry);
        }
        Map<String, String> installed = app == AppProfile.ODOO ? inventory.installedModules(env) : DolibarrState.enabledModules(env.database());
        StringBuilder hashInput = new StringBuilder();
        installed.forEach((m, v) -> hashInput.append(m).append('=').append(v).append('\n'));
        commits.forEach((p, c) -> hashInput.append(p).append('@').append(c).append('\n'));

        Map<String, Object> snapshot = new LinkedHashMap<>();
        if (app == AppProfile.ODOO) {
            snapshot.put("odoo_conf_path", env.appConf().toString());
            snapshot.put("odoo_conf", sections);
            // what Odoo's configparser refuses in it (Odoo does not start with such a file); absent when nothing
            if (!confProblems.isEmpty()) snapshot.put("odoo_conf_problems", confProblems);
            snapshot.put("odoo_version", OdooInventory.series(installed.get("base")));
        } else {
            snapshot.put("app", app.key());
            snapshot.put(app.confKey() + "_path", env.appConf().toString());
            snapshot.put(app.confKey(), sections);
            snapshot.put("app_version", DolibarrState.version(env.database()));
        }
        snapshot.put("addons_paths", addons);
        snapshot.put("modules_installed", installed);
        snapshot.put("addons_hash", Checksums.sha256(hashInput.toString()));
        return snapshot;
    }

    private static Map<String, Object> redacted(Map<String, String> kv, SecretRedactor redactor) {
        Map<String, Object> out = new LinkedHashMap<>();
        kv.forEach((k, v) -> out.put(k, redactor.redactValue(k, v)));
        return out;
    }

    /** Odoo: the directories holding a __manifest__.py. Dolibarr: those holding core/modules/mod*.class.php. */
    private static List<String> modulesIn(Path dir, AppProfile app) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> app == AppProfile.ODOO ? Files.isRegularFile(p.resolve("__manifest__.py")) : dolibarrModule(p))
                    .map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static boolean dolibarrModule(Path dir) {
        Path descriptors = dir.resolve("core").resolve("modules");
        if (!Files.isDirectory(descriptors)) return false;
        try (Stream<Path> s = Files.list(descriptors)) {
            return s.anyMatch(f -> f.getFileName().toString().matches("mod[A-Za-z0-9_]+\\.class\\.php"));
        } catch (IOException e) {
            return false;
        }
    }

}
