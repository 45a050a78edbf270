package dev.odooops.restore;

import dev.odooops.model.BackupType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The names of a restore's side copies and its idempotency rule. */
@Tag("fast")
class RestoreNamingTest {
    @Test
    void should_name_side_databases_within_postgres_63_characters_and_apart_per_role() {
        assertEquals("acme__restore_1a2b3c4d", SideCopies.database("acme", SideCopies.Role.RESTORE, "1a2b3c4d"));
        String longName = "x".repeat(63);
        String fresh = SideCopies.database(longName, SideCopies.Role.RESTORE, "1a2b3c4d");
        String aside = SideCopies.database(longName, SideCopies.Role.PRE, "1a2b3c4d");
        assertEquals(63, fresh.length());
        assertTrue(fresh.endsWith("__restore_1a2b3c4d"));
        assertNotEquals(fresh, aside);
    }

    @Test
    void should_keep_side_directories_beside_the_filestore() {
        Path live = Path.of("/var/lib/odoo/filestore/acme");
        assertEquals(Path.of("/var/lib/odoo/filestore/acme.pre-1a2b3c4d"), SideCopies.filestore(live, SideCopies.Role.PRE, "1a2b3c4d"));
    }

    @Test
    void should_treat_a_full_restore_as_covering_every_type_and_a_partial_one_only_its_own() {
        assertTrue(CreateRestoreRun.covers("full", BackupType.DB_ONLY));
        assertTrue(CreateRestoreRun.covers("db_only", BackupType.DB_ONLY));
        assertFalse(CreateRestoreRun.covers("db_only", BackupType.FILESTORE_ONLY));
        assertFalse(CreateRestoreRun.covers("db_only", BackupType.FULL));
    }

    @Test
    void should_refuse_an_artifact_of_the_other_application_naming_both() {
        var env = new dev.odooops.config.EnvironmentConfig("acme", "prod", "staging",
                new dev.odooops.config.DatabaseConfig("127.0.0.1", 5432, "acme", "odoo", null, "prefer"),
                Path.of("/var/lib/odoo/filestore/acme"), Path.of("/etc/odoo/acme.conf"), java.util.List.of(),
                dev.odooops.config.OdooControl.NONE, dev.odooops.domain.RetentionPolicy.DEFAULT);
        var state = new dev.odooops.domain.ArtifactManifest.OdooState(null, "h", java.util.Map.of(), "15", "dolibarr", "20.0.2");
        var manifest = new dev.odooops.domain.ArtifactManifest("a1", "2026-12-01T00:00:00Z", "full", "backup", null,
                null, null, null, state, java.util.Map.of());
        var artifact = new dev.odooops.model.Artifact("a1", "acme/prod", null, "backup", "full", "file:///x/",
                java.util.Map.of(), java.util.Map.of(), manifest, null, false, java.time.Instant.now(), null);
        var request = new dev.odooops.model.RestoreRequest("acme", "prod", "a1", BackupType.FULL, true, true, null, "ops", "test");
        String problem = RestorePreflight.artifactProblem(artifact, env, request);
        assertEquals("artifact 'a1' is a backup of dolibarr and acme/prod is app odoo: restore it into an environment of app dolibarr",
                problem);
    }
}
