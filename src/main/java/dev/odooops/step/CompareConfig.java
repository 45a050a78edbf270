package dev.odooops.step;

import dev.odooops.domain.Json;
import dev.odooops.model.RestoreJob;
import dev.odooops.ops.OpsCatalog;
import org.apache.camel.Variable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Restore step 7: compare the configuration snapshot stored with the artifact against the environment's
 * configuration now, and flag what matters; nothing is applied. Critical: an addons path or a module
 * directory of the snapshot missing now, a different Odoo version, or a changed {@code addons_path},
 * {@code data_dir}, {@code db_name}, {@code dbfilter} or {@code server_wide_modules}. Other differences
 * (another git commit, other options) are warnings. Writes config_snapshot.json (the artifact's) and
 * config_comparison.json.
 */
public class CompareConfig {
    static final Set<String> CRITICAL_OPTIONS = Set.of("addons_path", "data_dir", "db_name", "dbfilter", "server_wide_modules");
    private final SnapshotConfig snapshots;
    private final OpsCatalog catalog;

    public CompareConfig(SnapshotConfig snapshots, OpsCatalog catalog) {
        this.snapshots = snapshots;
        this.catalog = catalog;
    }

    public void compare(@Variable(Vars.RESTORE_JOB) RestoreJob job) throws Exception {
        job.step("compare-config");
        Map<String, Object> then = Json.readMap(job.files().get("config_snapshot.json"));
        job.evidence().json("config_snapshot.json", then);
        List<String> critical = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Map<String, Object> now;
        if (java.nio.file.Files.isReadable(job.environment().odooConf())) {
            now = snapshots.take(job.environment(), job.redactor());
        } else {
            critical.add("odoo.conf " + job.environment().odooConf() + " is missing now: compare and restore it by hand");
            now = Map.of();
        }
        if (!Objects.equals(then.get("odoo_version"), now.get("odoo_version"))) {
            critical.add("odoo_version: backup " + then.get("odoo_version") + ", now " + now.get("odoo_version"));
        }
        Map<String, Object> optThen = options(then);
        Map<String, Object> optNow = options(now);
        Set<String> keys = new TreeSet<>(optThen.keySet());
        keys.addAll(optNow.keySet());
        Map<String, Object> optionDiffs = new LinkedHashMap<>();
        for (String k : keys) {
            if (!Objects.equals(optThen.get(k), optNow.get(k))) {
                optionDiffs.put(k, Map.of("backup", String.valueOf(optThen.get(k)), "now", String.valueOf(optNow.get(k))));
                (CRITICAL_OPTIONS.contains(k) ? critical : warnings).add("odoo.conf " + k + " differs");
            }
        }
        Map<String, Map<String, Object>> pathsNow = new LinkedHashMap<>();
        for (Map<String, Object> p : addons(now)) pathsNow.put(String.valueOf(p.get("path")), p);
        for (Map<String, Object> p : addons(then)) {
            String path = String.valueOf(p.get("path"));
            Map<String, Object> cur = pathsNow.get(path);
            if (cur == null || !Boolean.TRUE.equals(cur.get("exists"))) {
                if (Boolean.TRUE.equals(p.get("exists"))) critical.add("addons path " + path + " is missing now");
                continue;
            }
            Set<Object> missing = new TreeSet<>((List<?>) p.get("modules"));
            missing.removeAll((List<?>) cur.get("modules"));
            if (!missing.isEmpty()) critical.add("modules missing from " + path + ": " + missing);
            if (!Objects.equals(p.get("git_commit"), cur.get("git_commit"))) {
                warnings.add("addons path " + path + " is at " + cur.get("git_commit") + ", the backup was at " + p.get("git_commit"));
            }
        }
        Map<String, Object> comparison = new LinkedHashMap<>();
        comparison.put("critical", critical);
        comparison.put("warnings", warnings);
        comparison.put("odoo_conf_differences", optionDiffs);
        comparison.put("applied", "nothing: odoo-ops never changes configuration");
        job.evidence().json("config_comparison.json", comparison);
        catalog.event(job.runId(), "step_completed", job.step(), Map.of("critical", critical.size(), "warnings", warnings.size()));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> options(Map<String, Object> snapshot) {
        Object conf = snapshot.get("odoo_conf");
        if (!(conf instanceof Map<?, ?> sections)) return Map.of();
        Object options = sections.get("options");
        return options instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> addons(Map<String, Object> snapshot) {
        Object a = snapshot.get("addons_paths");
        return a instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }
}
