package dev.odooops.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The artifact contract, written as manifest.json beside the files and stored in {@code ops.artifacts}:
 * <pre>
 * {artifact_id, created_at, backup_type, kind, label,
 *  source_env {project, name, environment_id, db},
 *  db_dump {path, sha256, size}            (null for filestore_only)
 *  filestore {path, sha256, size, tree_digest, file_count}   (null for db_only)
 *  manifest {odoo_version, addons_hash, modules_installed, db_major_version},
 *  files {name: {sha256, size}}}
 * </pre>
 * The restore side refuses an artifact whose manifest lacks any field {@link #missingFields} reports.
 */
public final class ArtifactManifest {
    public static final String FILE = "manifest.json";

    private ArtifactManifest() {
    }

    public record Part(String path, String sha256, long size) {
    }

    public static Map<String, Object> build(String artifactId, String createdAt, String backupType, String kind,
                                            String label, Map<String, Object> sourceEnv, Part dbDump, Part filestore,
                                            Map<String, Object> filestoreTree, Map<String, Object> odoo,
                                            Map<String, Part> files) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("artifact_id", artifactId);
        m.put("created_at", createdAt);
        m.put("backup_type", backupType);
        m.put("kind", kind);
        m.put("label", label);
        m.put("source_env", sourceEnv);
        m.put("db_dump", dbDump == null ? null : part(dbDump, Map.of()));
        m.put("filestore", filestore == null ? null : part(filestore, filestoreTree));
        m.put("manifest", odoo);
        Map<String, Object> f = new LinkedHashMap<>();
        files.forEach((name, p) -> f.put(name, Map.of("sha256", p.sha256(), "size", p.size())));
        m.put("files", f);
        return m;
    }

    private static Map<String, Object> part(Part p, Map<String, Object> extra) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", p.path());
        m.put("sha256", p.sha256());
        m.put("size", p.size());
        m.putAll(extra);
        return m;
    }

    /** The contract fields missing from a manifest (empty when it is complete for its backup type). */
    @SuppressWarnings("unchecked")
    public static List<String> missingFields(Map<String, Object> m) {
        List<String> missing = new ArrayList<>();
        for (String k : List.of("artifact_id", "created_at", "backup_type", "source_env", "manifest", "files")) {
            if (m.get(k) == null) missing.add(k);
        }
        if (m.get("source_env") instanceof Map<?, ?> env) {
            for (String k : List.of("name", "db")) if (env.get(k) == null) missing.add("source_env." + k);
        }
        if (m.get("manifest") instanceof Map<?, ?> odoo) {
            for (String k : List.of("odoo_version", "addons_hash", "modules_installed", "db_major_version")) {
                if (!odoo.containsKey(k)) missing.add("manifest." + k);
            }
        }
        String type = String.valueOf(m.get("backup_type"));
        if (!type.equals("filestore_only")) requirePart(m, "db_dump", missing);
        if (!type.equals("db_only")) requirePart(m, "filestore", missing);
        return missing;
    }

    private static void requirePart(Map<String, Object> m, String key, List<String> missing) {
        if (!(m.get(key) instanceof Map<?, ?> part)) {
            missing.add(key);
            return;
        }
        for (String k : List.of("path", "sha256")) if (part.get(k) == null) missing.add(key + "." + k);
    }
}
