package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

@Tag("fast")
class ArtifactManifestTest {
    private static final ArtifactManifest.OdooState ODOO =
            new ArtifactManifest.OdooState("17.0", "dd", Map.of("base", "17.0.1.3"), "15");

    private static ArtifactManifest full(String type, ArtifactManifest.OdooState odoo,
                                         ArtifactManifest.FilestorePart filestore) {
        return new ArtifactManifest("id1", "2026-01-01T00:00:00Z", type, "backup", null,
                new ArtifactManifest.SourceEnv("p", "prod", "p/prod", "production", "odoo"),
                new ArtifactManifest.Part("db.dump", "aa", 1), filestore, odoo, Map.of());
    }

    private static final ArtifactManifest.FilestorePart FILESTORE =
            new ArtifactManifest.FilestorePart("filestore.tar.zst", "bb", 2, "cc", 3, 2);

    @Test
    void should_find_a_complete_contract_complete() {
        assertEquals(List.of(), full("full", ODOO, FILESTORE).missingFields());
    }

    @Test
    void should_name_each_missing_field() {
        var m = new ArtifactManifest("id1", null, "full", "backup", null,
                new ArtifactManifest.SourceEnv("p", "prod", "p/prod", "production", "odoo"),
                new ArtifactManifest.Part("db.dump", "aa", 1), null,
                new ArtifactManifest.OdooState("17.0", null, Map.of(), "15"), Map.of());
        assertEquals(List.of("created_at", "manifest.addons_hash", "filestore"), m.missingFields());
    }

    @Test
    void should_not_require_the_filestore_of_a_db_only_artifact_nor_the_version_of_a_database_without_odoo() {
        assertEquals(List.of(), full("db_only", new ArtifactManifest.OdooState(null, "dd", Map.of(), "15"), null)
                .missingFields());
    }

    @Test
    void should_write_and_read_the_contract_in_its_json_names() {
        ArtifactManifest m = full("full", ODOO, FILESTORE);
        Map<String, Object> json = Json.readMap(m.toJson());
        assertEquals(List.of("artifact_id", "created_at", "backup_type", "kind", "label", "source_env", "db_dump",
                "filestore", "manifest", "files"), List.copyOf(json.keySet()));
        assertEquals("cc", ((Map<?, ?>) json.get("filestore")).get("tree_digest"));
        assertEquals("15", ((Map<?, ?>) json.get("manifest")).get("db_major_version"));
        assertEquals(m, ArtifactManifest.parse(m.toJson()));
    }

    @Test
    void should_read_a_manifest_an_earlier_version_wrote() {
        // as the first releases wrote it: no tree_digest_version, an extra field this version does not know
        String earlier = """
                {"artifact_id": "a", "created_at": "2026-01-01T00:00:00Z", "backup_type": "full", "kind": "backup",
                 "label": null, "source_env": {"project": "p", "name": "prod", "environment_id": "p/prod", "db": "odoo"},
                 "db_dump": {"path": "db.dump", "sha256": "aa", "size": 1},
                 "filestore": {"path": "filestore.tar.zst", "sha256": "bb", "size": 2, "tree_digest": "cc", "file_count": 3},
                 "manifest": {"odoo_version": "17.0", "addons_hash": "dd", "modules_installed": {"base": "17.0.1.3"},
                              "db_major_version": "15", "something_new": true},
                 "files": {"db.dump": {"sha256": "aa", "size": 1}}}""";
        ArtifactManifest m = ArtifactManifest.parse(earlier);
        assertEquals(List.of(), m.missingFields());
        assertNull(m.filestore().treeDigestVersion());
        assertEquals("17.0.1.3", m.modulesInstalled().get("base"));
        assertEquals(1, m.files().get("db.dump").size());
    }
}
