package dev.odooops.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares two configuration snapshots (the one stored with an artifact, and the environment's now).
 * Critical: a different application or version (Odoo's {@code odoo_version}, Dolibarr's {@code app_version}); an
 * addons path or a module directory of the backup missing now; a changed critical option of the profile
 * ({@link AppProfile#criticalOptions}: Odoo's {@code addons_path}, {@code data_dir}, {@code db_name},
 * {@code dbfilter} and {@code server_wide_modules}; Dolibarr's data root, document roots, database name, prefix
 * and type, URL root). Warnings: any other option, an addons path at another git commit.
 */
public final class ConfigComparison {
    public static final Set<String> CRITICAL_OPTIONS = AppProfile.ODOO.criticalOptions();

    public record Result(List<String> critical, List<String> warnings, Map<String, Object> optionDifferences) {
    }

    private ConfigComparison() {
    }

    public static Result compare(Map<String, Object> then, Map<String, Object> now) {
        return compare(then, now, AppProfile.ODOO);
    }

    public static Result compare(Map<String, Object> then, Map<String, Object> now, AppProfile app) {
        List<String> critical = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        String appThen = then.get("app") == null ? "odoo" : String.valueOf(then.get("app"));
        if (!appThen.equals(app.key())) {
            critical.add("app: the backup is of " + appThen + ", the environment is " + app.key());
        }
        String version = app == AppProfile.ODOO ? "odoo_version" : "app_version";
        if (!Objects.equals(then.get(version), now.get(version))) {
            critical.add(version + ": backup " + then.get(version) + ", now " + now.get(version));
        }
        String confName = app == AppProfile.ODOO ? "odoo.conf" : "conf.php";
        Map<String, Object> optThen = options(then, app.confKey());
        Map<String, Object> optNow = options(now, app.confKey());
        Set<String> keys = new TreeSet<>(optThen.keySet());
        keys.addAll(optNow.keySet());
        Map<String, Object> diffs = new LinkedHashMap<>();
        for (String k : keys) {
            if (!Objects.equals(optThen.get(k), optNow.get(k))) {
                diffs.put(k, Map.of("backup", String.valueOf(optThen.get(k)), "now", String.valueOf(optNow.get(k))));
                (app.criticalOptions().contains(k) ? critical : warnings).add(confName + " " + k + " differs");
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
            Set<Object> missing = new TreeSet<>(list(p.get("modules")));
            missing.removeAll(list(cur.get("modules")));
            if (!missing.isEmpty()) critical.add("modules missing from " + path + ": " + missing);
            if (!Objects.equals(p.get("git_commit"), cur.get("git_commit"))) {
                warnings.add("addons path " + path + " is at " + cur.get("git_commit") + ", the backup was at " + p.get("git_commit"));
            }
        }
        return new Result(critical, warnings, diffs);
    }

    private static List<?> list(Object o) {
        return o instanceof List<?> l ? l : List.of();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> options(Map<String, Object> snapshot, String confKey) {
        if (!(snapshot.get(confKey) instanceof Map<?, ?> sections)) return Map.of();
        return sections.get("options") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> addons(Map<String, Object> snapshot) {
        return snapshot.get("addons_paths") instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }
}
