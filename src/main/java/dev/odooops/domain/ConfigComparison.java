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
 * Critical: a different Odoo version; an addons path or a module directory of the backup missing now; a
 * changed {@code addons_path}, {@code data_dir}, {@code db_name}, {@code dbfilter} or
 * {@code server_wide_modules}. Warnings: any other option, an addons path at another git commit.
 */
public final class ConfigComparison {
    public static final Set<String> CRITICAL_OPTIONS = Set.of("addons_path", "data_dir", "db_name", "dbfilter",
            "server_wide_modules");

    public record Result(List<String> critical, List<String> warnings, Map<String, Object> optionDifferences) {
    }

    private ConfigComparison() {
    }

    public static Result compare(Map<String, Object> then, Map<String, Object> now) {
        List<String> critical = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        if (!Objects.equals(then.get("odoo_version"), now.get("odoo_version"))) {
            critical.add("odoo_version: backup " + then.get("odoo_version") + ", now " + now.get("odoo_version"));
        }
        Map<String, Object> optThen = options(then);
        Map<String, Object> optNow = options(now);
        Set<String> keys = new TreeSet<>(optThen.keySet());
        keys.addAll(optNow.keySet());
        Map<String, Object> diffs = new LinkedHashMap<>();
        for (String k : keys) {
            if (!Objects.equals(optThen.get(k), optNow.get(k))) {
                diffs.put(k, Map.of("backup", String.valueOf(optThen.get(k)), "now", String.valueOf(optNow.get(k))));
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
    private static Map<String, Object> options(Map<String, Object> snapshot) {
        if (!(snapshot.get("odoo_conf") instanceof Map<?, ?> sections)) return Map.of();
        return sections.get("options") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> addons(Map<String, Object> snapshot) {
        return snapshot.get("addons_paths") instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }
}
