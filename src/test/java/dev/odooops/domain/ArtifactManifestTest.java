package dev.odooops.domain;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ArtifactManifestTest {
    private static Map<String, Object> full() {
        return ArtifactManifest.build("id1", "2026-01-01T00:00:00Z", "full", "backup", null,
                Map.of("project", "p", "name", "prod", "db", "odoo"),
                new ArtifactManifest.Part("db.dump", "aa", 1), new ArtifactManifest.Part("filestore.tar.zst", "bb", 2),
                Map.of("tree_digest", "cc", "file_count", 3),
                Map.of("odoo_version", "17.0", "addons_hash", "dd", "modules_installed", Map.of("base", "17.0.1.3"),
                        "db_major_version", "15"),
                Map.of());
    }

    @Test
    void should_find_a_complete_contract_complete() {
        assertEquals(List.of(), ArtifactManifest.missingFields(full()));
    }

    @Test
    void should_name_each_missing_field() {
        Map<String, Object> m = new HashMap<>(full());
        m.remove("created_at");
        Map<String, Object> odoo = new HashMap<>((Map<String, Object>) m.get("manifest"));
        odoo.remove("addons_hash");
        m.put("manifest", odoo);
        m.put("filestore", null);
        assertEquals(List.of("created_at", "manifest.addons_hash", "filestore"), ArtifactManifest.missingFields(m));
    }

    @Test
    void should_not_require_the_filestore_of_a_db_only_artifact() {
        Map<String, Object> m = new HashMap<>(full());
        m.put("backup_type", "db_only");
        m.put("filestore", null);
        assertEquals(List.of(), ArtifactManifest.missingFields(m));
    }
}
