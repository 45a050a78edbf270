package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Json;
import dev.odooops.model.ArtifactRequest;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.Report;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On the S3 store (s3proxy): encryption turned on for a project whose artifacts are in plain text (plain text is a generation too): {@code rekey}
 * encrypts the old artifact and its packs for the recipients, killed after the pack is recorded and after the artifact
 * is switched (each time the artifact still verifies with its data), finished by the rerun; afterwards every stored object but the manifests and sums lists is an age file, the catalog,
 * the sums files and the stored manifest agree (verify-artifact), and a project without encryption is refused.
 */
class RekeyPlainTest {
    private static final String AGE_HEADER = "age-encryption.org/v1";

    private static void kill(TestEnvironment env, String point) throws Exception {
        env.withSpawnEnv("ODOO_OPS_CRASH_AT", point);
        Path err = env.root.resolve(point.replace(':', '-') + ".err");
        Process killed = env.spawn(env.root.resolve(point.replace(':', '-') + ".out"), err, "rekey", "--project", env.project);
        assertTrue(killed.waitFor(180, TimeUnit.SECONDS));
        env.withSpawnEnv("ODOO_OPS_CRASH_AT", "");
        assertEquals(137, killed.exitValue(), point + ": " + Files.readString(err));
    }

    /**
     * Every stored object against the catalog, the sums files, the stored manifest, and the data read through the identity
     * (the dump's pg_restore --list, every pack's files against the index).
     */
    private static void verify(TestEnvironment env, String artifactId, String when) throws Exception {
        try (OpsRuntime rt = env.runtime()) {
            Report verified = rt.operations().verifyArtifact(new ArtifactRequest(artifactId, true, 100, "operator"));
            assertTrue(verified.ok(), when + ": " + verified.body());
        }
    }

    @Test
    void should_encrypt_the_artifacts_of_a_project_that_was_in_plain_text() throws Exception {
        try (TestEnvironment env = TestEnvironment.create("rekeyplain")) {
            BackupResult plain;
            try (OpsRuntime rt = env.runtime()) {
                plain = rt.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null, null, null, null,
                        "operator", "test"));
                assertEquals("success", plain.status(), plain.error());
            }
            TestEnvironment.CliResult refused = env.cli("rekey", "--project", env.project);
            assertEquals(2, refused.exit(), refused.stdout() + refused.stderr());
            assertTrue(refused.stderr().contains("encryption"), refused.stderr());

            RekeyTest.Key key = RekeyTest.Key.make(env.root, "k");
            env.withSecret("age_identity", key.identity());
            env.withProjectYaml("encryption:\n  recipients: [" + key.recipient() + "]\n  identity: \"${secret:age_identity}\"\n");
            Path store = env.s3Dir.resolve("backups/ops").resolve(env.project); // s3proxy's directory: the bucket's objects
            // killed once the new pack is recorded (the old one marked deleted, not yet collected): everything reads
            kill(env, "rekey:pack-recorded");
            verify(env, plain.artifactId(), "after a kill at rekey:pack-recorded");
            // killed once the artifact is switched (catalog and manifest.json), before the staged objects and the plan go
            kill(env, "rekey:artifact-switched");
            assertTrue(Files.exists(store.resolve("prod").resolve(plain.artifactId()).resolve("rekey.json")),
                    "the plan stays until the staged objects are gone");
            verify(env, plain.artifactId(), "after a kill at rekey:artifact-switched");

            TestEnvironment.CliResult rerun = env.cli("rekey", "--project", env.project);
            assertEquals(0, rerun.exit(), rerun.stdout() + rerun.stderr());
            Map<String, Object> report = Json.readMap(rerun.stdout());
            assertEquals(List.of(plain.artifactId()), report.get("rekeyed"), report.toString());
            assertEquals(key.generation(), ops("select manifest->'encryption'->>'generation' as g from ops.artifacts where id = ?",
                    plain.artifactId()).get(0).get("g"));
            for (Map<String, Object> row : ops("select p.generation from ops.artifact_packs ap join ops.filestore_packs p on "
                    + "p.project = ap.project and p.pack_id = ap.pack_id where ap.artifact_id = ? and p.deleted_at is null",
                    plain.artifactId())) {
                assertEquals(key.generation(), row.get("generation"));
            }
            try (var files = Files.walk(store)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    String name = f.getFileName().toString();
                    assertFalse(name.endsWith(".rekey") || name.equals("rekey.json"), "left staged: " + f);
                    if (name.equals("manifest.json") || name.endsWith(".sha256") || name.endsWith(".moved")) continue;
                    byte[] head = new byte[AGE_HEADER.length()];
                    try (var in = Files.newInputStream(f)) {
                        in.readNBytes(head, 0, head.length);
                    }
                    assertEquals(AGE_HEADER, new String(head, StandardCharsets.US_ASCII), f + " is not an age file");
                }
            }
            verify(env, plain.artifactId(), "after the rerun");
            TestEnvironment.CliResult again = env.cli("rekey", "--project", env.project, "--dry-run");
            assertEquals(0, again.exit(), again.stdout() + again.stderr());
            assertEquals(List.of(), Json.readMap(again.stdout()).get("artifacts"), "nothing left to write again");
        }
    }
}
