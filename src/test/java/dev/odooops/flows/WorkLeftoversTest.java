package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Json;
import dev.odooops.model.ArtifactRequest;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.CheckRequest;
import dev.odooops.model.RecoverRequest;
import dev.odooops.model.Report;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What runs leave behind and what reports say (issue #13 A16): the work directory of a run that ended without
 * removing it (killed after its commit: the catalog says success, its dump stays) is removed by recover and by the
 * next run; verify-artifact leaves nothing in the work directory; verify-artifact and check without --read-data say
 * they compared sizes; odoo_restart.log is JSON.
 */
class WorkLeftoversTest {
    @Test
    void should_sweep_ended_runs_work_dirs_and_say_what_was_compared() throws Exception {
        try (TestEnvironment env = TestEnvironment.create("leftovers").withType("staging"); OpsRuntime rt = env.runtime()) {
            BackupResult backup = rt.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null, null,
                    null, null, "operator", "test"));
            assertEquals("success", backup.status(), backup.error());

            // verify-artifact without --read-data: says so, and leaves no directory behind
            Report verified = rt.operations().verifyArtifact(new ArtifactRequest(backup.artifactId(), "operator"));
            assertTrue(verified.ok(), verified.body().toString());
            assertTrue(String.valueOf(verified.body().get("method")).contains("packs compared by size only, their content not read"),
                    verified.body().toString());
            assertEquals(List.of(), entries(env.workDir), "verify-artifact leaves nothing in the work directory");
            Report read = rt.operations().verifyArtifact(new ArtifactRequest(backup.artifactId(), true, 100, "operator"));
            assertTrue(String.valueOf(read.body().get("method")).contains("each pack read, its SHA-256 compared"), read.body().toString());
            assertEquals(List.of(), entries(env.workDir));
            Report check = rt.operations().check(new CheckRequest(env.project, "operator"));
            assertTrue(String.valueOf(check.body().get("method")).contains("by name and size only; no content was read"),
                    check.body().toString());

            // a run killed after its commit: success in the catalog, its work directory (a whole dump) still there
            Path leftover = Files.createDirectories(env.workDir.resolve(backup.runId().toString()));
            Files.write(leftover.resolve("db.dump"), new byte[1 << 20]);
            Path unknown = Files.createDirectories(env.workDir.resolve(UUID.randomUUID().toString())); // a preflight's, say
            Report recovered = rt.operations().recover(new RecoverRequest(env.project, "prod", "operator", "test"));
            assertFalse(Files.exists(leftover), "recover removes the directory an ended run left: " + recovered.body());
            assertTrue(Json.compact(recovered.body()).contains("\"ended_runs_work_dirs_removed\":[\"" + backup.runId() + "\"]"),
                    Json.compact(recovered.body()));
            assertTrue(Files.isDirectory(unknown), "a directory the catalog does not know is left alone");

            // the next run sweeps them too: here a restore, whose restart log is JSON, one object per action
            Files.createDirectories(leftover);
            RestoreResult restored = rt.operations().restore(new RestoreRequest(env.project, "prod", backup.artifactId(),
                    BackupType.FULL, true, true, null, "operator", "test", RestoreRequest.Mode.FORCE));
            assertEquals("success", restored.status(), restored.error());
            assertFalse(Files.exists(leftover), "the next run removes it");
            List<String> lines = Files.readAllLines(Path.of(restored.evidenceDir(), "odoo_restart.log"));
            assertFalse(lines.isEmpty());
            for (String line : lines) {
                Map<String, Object> action = Json.readMap(line);
                assertTrue(action.containsKey("action") && action.containsKey("ok"), line);
            }
            Files.delete(unknown);
        }
    }

    private static List<Path> entries(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
