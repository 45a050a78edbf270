package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.config.EncryptionSettings;
import dev.odooops.domain.Json;
import dev.odooops.model.ArtifactRequest;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.RekeyRequest;
import dev.odooops.model.Report;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Key rotation and {@code odoo-ops rekey} (issue 15, section 2), end to end with the real age tool and the local store:
 * two backups with key A (the second reusing the first's packs); the rotation (recipient B, identity A and B) and a backup whose packs are all of generation B;
 * {@code rekey --dry-run} changes nothing; an identity without the old key fails naming it and changes nothing; a rekey killed (SIGKILL) after a new pack is uploaded, after an artifact's
 * plan is stored and in the middle of an artifact's switch, each followed by a check that every artifact still reads
 * (or, for the last, by the rerun that finishes it); then, with the identity B alone, both artifacts verify with their
 * data and restore. The stages share one environment and run in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RekeyTest {
    private static final String AGE_HEADER = "age-encryption.org/v1";
    private TestEnvironment env;
    private Key a;
    private Key b;
    private BackupResult withA;
    private BackupResult withA2;   // also key A, sharing withA's packs
    private BackupResult withB;

    /** An age key pair made by age-keygen. */
    record Key(String recipient, String identity) {
        static Key make(Path dir, String name) throws Exception {
            Path file = dir.resolve(name + ".key");
            Process p = new ProcessBuilder("age-keygen", "-o", file.toString()).redirectErrorStream(true).start();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "age-keygen failed");
            String identity = null;
            String recipient = null;
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith("AGE-SECRET-KEY-1")) identity = line;
                if (line.startsWith("# public key: ")) recipient = line.substring("# public key: ".length());
            }
            return new Key(recipient, identity);
        }

        String generation() {
            return EncryptionSettings.generationOf(List.of(recipient));
        }
    }

    @BeforeAll
    void setUp() throws Exception {
        env = TestEnvironment.create("rekey").withLocalStore().withType("staging");
        a = Key.make(env.root, "a");
        b = Key.make(env.root, "b");
        useKeys(a, a);
        try (OpsRuntime rt = env.runtime()) {
            withA = backup(rt);
            withA2 = backup(rt);
        }
    }

    @AfterAll
    void cleanUp() throws Exception {
        env.close();
    }

    /** The project encrypts to {@code to}; its identity holds the keys given. */
    private void useKeys(Key to, Key... identities) throws Exception {
        StringBuilder id = new StringBuilder();
        for (Key k : identities) id.append(k.identity()).append('\n');
        env.withSecret("age_identity", id.toString());
        env.withProjectYaml("encryption:\n  recipients: [" + to.recipient() + "]\n  identity: \"${secret:age_identity}\"\n");
    }

    private BackupResult backup(OpsRuntime rt) {
        BackupResult r = rt.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null, null, null, null,
                "operator", "test"));
        assertEquals("success", r.status(), r.error());
        return r;
    }

    /** The generation of each pack the artifact needs now (after moves: the pack that holds its files). */
    private List<String> packGenerations(String artifactId) throws Exception {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> row : ops("select p.generation from ops.artifact_packs ap join ops.filestore_packs p "
                + "on p.project = ap.project and p.pack_id = ap.pack_id where ap.artifact_id = ? and p.deleted_at is null",
                artifactId)) {
            out.add((String) row.get("generation"));
        }
        return out;
    }

    private String manifestGeneration(String artifactId) throws Exception {
        return (String) ops("select manifest->'encryption'->>'generation' as g from ops.artifacts where id = ?", artifactId)
                .get(0).get("g");
    }

    private void assertReadable(OpsRuntime rt, String when) {
        for (String id : List.of(withA.artifactId(), withA2.artifactId(), withB.artifactId())) {
            Report verified = rt.operations().verifyArtifact(new ArtifactRequest(id, true, 100, "operator"));
            assertTrue(verified.ok(), id + " " + when + ": " + verified.body());
        }
    }

    private Process killedRekey(String point) throws Exception {
        env.withSpawnEnv("ODOO_OPS_CRASH_AT", point);
        Path out = env.root.resolve("rekey-" + point.replace(':', '-') + ".out");
        Path err = env.root.resolve("rekey-" + point.replace(':', '-') + ".err");
        Process p = env.spawn(out, err, "rekey", "--project", env.project);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "rekey did not end");
        env.withSpawnEnv("ODOO_OPS_CRASH_AT", "");
        assertEquals(137, p.exitValue(), "killed at " + point + ": " + Files.readString(err) + Files.readString(out));
        return p;
    }

    private RestoreResult restoreAfterDamage(OpsRuntime rt, String artifactId) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "")) {
            c.createStatement().execute("delete from account_move");
        }
        // files the restore cannot link from the live filestore: their packs must be read (and decrypted)
        try (var files = Files.walk(env.odoo.filestore())) {
            for (Path f : files.filter(Files::isRegularFile).limit(20).toList()) Files.delete(f);
        }
        RestoreResult r = rt.operations().restore(new RestoreRequest(env.project, "prod", artifactId, BackupType.FULL,
                true, true, null, "operator", "test"));
        assertEquals("success", r.status(), artifactId + ": " + r.error());
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "")) {
            var rs = c.createStatement().executeQuery("select count(*) from account_move");
            rs.next();
            assertEquals(600, rs.getInt(1));
        }
        return r;
    }

    @Test
    @Order(1)
    void should_start_a_new_generation_of_packs_when_the_recipients_change() throws Exception {
        assertEquals(a.generation(), manifestGeneration(withA.artifactId()));
        assertFalse(packGenerations(withA.artifactId()).isEmpty());
        packGenerations(withA.artifactId()).forEach(g -> assertEquals(a.generation(), g));
        // rotation: the new recipient in place of the old one, the identity holding both
        useKeys(b, a, b);
        try (OpsRuntime rt = env.runtime()) {
            withB = backup(rt);
        }
        assertEquals(b.generation(), manifestGeneration(withB.artifactId()));
        List<String> generations = packGenerations(withB.artifactId());
        assertFalse(generations.isEmpty());
        generations.forEach(g -> assertEquals(b.generation(), g, "the new artifact relies on a pack of the retired key: "
                + generations));
    }

    @Test
    @Order(2)
    @SuppressWarnings("unchecked")
    void should_list_what_would_be_written_again_and_change_nothing_on_a_dry_run() throws Exception {
        TestEnvironment.CliResult dry = env.cli("rekey", "--project", env.project, "--dry-run");
        assertEquals(0, dry.exit(), dry.stdout() + dry.stderr());
        Map<String, Object> report = Json.readMap(dry.stdout());
        assertEquals(true, report.get("dry_run"));
        assertEquals(b.generation(), report.get("generation"));
        List<Map<String, Object>> artifacts = (List<Map<String, Object>>) report.get("artifacts");
        assertEquals(List.of(withA.artifactId(), withA2.artifactId()), artifacts.stream().map(x -> x.get("artifact_id")).toList(),
                report.toString());
        List<Map<String, Object>> packs = (List<Map<String, Object>>) report.get("packs");
        assertFalse(packs.isEmpty(), report.toString());
        packs.forEach(p -> assertEquals(a.generation(), p.get("generation"), p.toString()));
        assertEquals(a.generation(), manifestGeneration(withA.artifactId()), "a dry run changes nothing");
        assertTrue(ops("select 1 from ops.runs where environment_id = ? and operation_type = 'rekey'", env.environmentId()).isEmpty(),
                "a dry run starts no run");
    }

    @Test
    @Order(3)
    @SuppressWarnings("unchecked")
    void should_fail_naming_the_identity_when_it_cannot_open_the_old_generation_and_change_nothing() throws Exception {
        useKeys(b, b); // the old key left the identity too early
        TestEnvironment.CliResult r = env.cli("rekey", "--project", env.project);
        assertEquals(1, r.exit(), r.stdout() + r.stderr());
        Map<String, Object> report = Json.readMap(r.stdout());
        String why = String.valueOf(((Map<String, Object>) report.get("failed")).get(withA.artifactId()));
        assertTrue(why.contains("encryption.identity"), report.toString());
        assertEquals(a.generation(), manifestGeneration(withA.artifactId()), "nothing changed");
        packGenerations(withA.artifactId()).forEach(g -> assertEquals(a.generation(), g));
        assertTrue(ops("select 1 from ops.filestore_packs where project = ? and pack_id like 'rekey-%'", env.project).isEmpty(),
                "no pack reserved before the old one could be read");
        useKeys(b, a, b);
    }

    @Test
    @Order(4)
    void should_leave_every_artifact_readable_when_killed_and_finish_on_the_rerun() throws Exception {
        // killed after a new pack is stored, before the catalog moves the old one's files to it
        killedRekey("rekey:pack-uploaded");
        try (OpsRuntime rt = env.runtime()) {
            assertReadable(rt, "after a kill at rekey:pack-uploaded");
        }
        // killed once the artifact's new objects and plan are staged, before anything is switched
        killedRekey("rekey:artifact-staged");
        try (OpsRuntime rt = env.runtime()) {
            assertReadable(rt, "after a kill at rekey:artifact-staged");
        }
        // killed in the middle of the switch: the rerun finishes it from the plan
        killedRekey("rekey:artifact-object-replaced");
        TestEnvironment.CliResult rerun = env.cli("rekey", "--project", env.project);
        assertEquals(0, rerun.exit(), rerun.stdout() + rerun.stderr());
        Map<String, Object> report = Json.readMap(rerun.stdout());
        assertEquals(List.of(withA.artifactId(), withA2.artifactId()), report.get("rekeyed"), report.toString());
        assertEquals(0, ((Number) report.get("left_stale")).intValue(), report.toString());
        for (String id : List.of(withA.artifactId(), withA2.artifactId())) {
            assertEquals(b.generation(), manifestGeneration(id));
            packGenerations(id).forEach(g -> assertEquals(b.generation(), g));
        }
        // the pack both artifacts shared was written again once, and both refer to the new one
        assertEquals(packGenerations(withA.artifactId()).size(), ops("select distinct ap.pack_id from ops.artifact_packs ap "
                + "join ops.filestore_packs p on p.project = ap.project and p.pack_id = ap.pack_id where ap.artifact_id = any(?) "
                + "and p.deleted_at is null", (Object) new String[]{withA.artifactId(), withA2.artifactId()}).size());
        List<Map<String, Object>> runs = ops("select status from ops.runs where environment_id = ? and operation_type = 'rekey' "
                + "order by created_at", env.environmentId());
        // the failed run of stage 3, three killed ones (abandoned by the next start), the rerun
        assertEquals(5, runs.size(), runs.toString());
        assertEquals("failed", runs.get(0).get("status"));
        runs.subList(1, 4).forEach(r -> assertEquals("abandoned", r.get("status"), runs.toString()));
        assertEquals("success", runs.get(4).get("status"));
        // nothing of the old generation in the store: every pack and encrypted object opens with B
        Path store = env.localStoreDir().resolve(env.project);
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
    }

    @Test
    @Order(5)
    void should_restore_the_old_and_the_new_artifact_with_the_new_key_alone() throws Exception {
        useKeys(b, b); // the retired key leaves the identity
        try (OpsRuntime rt = env.runtime()) {
            assertReadable(rt, "with the identity B alone");
            restoreAfterDamage(rt, withA.artifactId());
            restoreAfterDamage(rt, withA2.artifactId());
            restoreAfterDamage(rt, withB.artifactId());
        }
        assertNotEquals(a.generation(), b.generation());
    }
}
