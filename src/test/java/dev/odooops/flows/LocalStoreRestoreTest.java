package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.cli.Commands;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A restore from a local-directory store (artifact files hard-linked into the work directory). */
class LocalStoreRestoreTest {
    @Test
    void should_restore_from_a_local_store_and_leave_the_stored_artifact_intact() throws Exception {
        try (TestEnvironment env = TestEnvironment.create("localrestore").withLocalStore().withType("staging");
             OpsRuntime rt = env.runtime()) {
            var commands = rt.operations();
            BackupResult b = commands.backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null, null, null,
                    null, "operator", "test"));
            assertEquals("success", b.status(), b.error());
            Path stored = env.localStoreDir().resolve(env.project).resolve("prod").resolve(b.artifactId());
            String sums = TestEnvironment.sh(stored, "sha256sum", "-c", "db.dump.sha256", "filestore.tar.zst.sha256");
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "")) {
                c.createStatement().execute("delete from account_move");
            }

            // a staging environment: no --confirm needed
            RestoreResult r = commands.restore(new RestoreRequest(env.project, "prod", b.artifactId(), BackupType.FULL,
                    true, true, null, "operator", "test"));

            assertEquals("success", r.status(), r.error());
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "")) {
                var rs = c.createStatement().executeQuery("select count(*) from account_move");
                rs.next();
                assertEquals(600, rs.getInt(1));
            }
            assertEquals(sums, TestEnvironment.sh(stored, "sha256sum", "-c", "db.dump.sha256", "filestore.tar.zst.sha256"),
                    "the stored artifact must survive the restore's clean-up");
            assertTrue(Files.list(env.workDir).findAny().isEmpty(), "work files left");
        }
    }
}
