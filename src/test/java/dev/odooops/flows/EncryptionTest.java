package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.Json;
import dev.odooops.domain.RequestRejected;
import dev.odooops.model.ArtifactRequest;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.CheckRequest;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.store.ArtifactCipher;
import dev.odooops.support.EnvironmentState;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static dev.odooops.support.TestEnvironment.ops;
import static dev.odooops.support.TestEnvironment.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Encryption at rest (issue 15 section 2) with the real age tool, a local store and s3proxy: nothing stored but the
 * manifest and the sha256sum lists is readable without the identity (no byte of a known incompressible attachment or
 * of a known database value, raw or through zstd, tar or pg_restore); restore and disaster recovery work with the
 * identity; a missing or a wrong identity is refused naming it, before anything live changes; the runbook's
 * {@code age -d} steps rebuild the artifact by hand; deduplication never reuses a pack of another generation.
 */
class EncryptionTest {
    private TestEnvironment env;
    private OpsRuntime runtime;
    private Path key;
    private String recipient;
    private String identity;
    private final String marker = "MARKER-" + Long.toHexString(new Random().nextLong()) + "-" + Long.toHexString(System.nanoTime());
    private byte[] attachment;
    private String attachmentPath;

    @AfterEach
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        if (env != null) env.close();
    }

    /** A packed, encrypted environment (local store unless {@code s3}), with a marker row and a random attachment. */
    private void start(boolean s3) throws Exception {
        env = TestEnvironment.create("encrypt").withType("staging").withProperty("backup.filestore-format", "packed");
        if (!s3) env.withLocalStore();
        key = env.root.resolve("key.txt");
        sh(null, "age-keygen", "-o", key.toString());
        recipient = sh(null, "age-keygen", "-y", key.toString()).strip();
        identity = Files.readAllLines(key).stream().filter(l -> l.startsWith("AGE-SECRET-KEY-1")).findFirst().orElseThrow();
        encryptWith(recipient, identity);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "")) {
            c.createStatement().execute("create table enc_marker(v text)");
            c.createStatement().execute("alter table enc_marker owner to " + env.database + "_owner");
            c.createStatement().execute("insert into enc_marker values ('" + marker + "')");
        }
        attachment = new byte[256 * 1024];
        new Random(42).nextBytes(attachment);
        attachmentPath = addAttachment(attachment);
        runtime = env.runtime();
    }

    private void encryptWith(String recipients, String identityValue) throws Exception {
        env.withSecret("age_identity", identityValue);
        env.withTopYaml("encryption:\n  recipients: [" + recipients + "]\n"
                + (identityValue == null ? "" : "  identity: \"${secret:age_identity}\"\n"));
    }

    private void restart() throws Exception {
        runtime.close();
        runtime = env.runtime();
    }

    private String addAttachment(byte[] content) throws Exception {
        Path tmp = Files.createTempFile(env.root, "att", "");
        Files.write(tmp, content);
        String sha = Checksums.sha1(tmp);
        Path target = env.odoo.filestore().resolve(sha.substring(0, 2)).resolve(sha);
        Files.createDirectories(target.getParent());
        Files.move(tmp, target);
        return sha.substring(0, 2) + "/" + sha;
    }

    private BackupResult backup() {
        BackupResult r = runtime.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null, null,
                null, null, "operator", "test"));
        assertEquals("success", r.status(), r.error());
        return r;
    }

    private RestoreResult restore(String artifactId) {
        return runtime.operations().restore(new RestoreRequest(env.project, "prod", artifactId, BackupType.FULL,
                true, true, null, "operator", "test"));
    }

    /** Where the store keeps the project's objects: the local store's directory, or s3proxy's files. */
    private Path projectDir() {
        return (Files.isDirectory(env.localStoreDir()) ? env.localStoreDir() : env.s3Dir.resolve("backups/ops")).resolve(env.project);
    }

    private Path stored(String artifactId) {
        return projectDir().resolve("prod").resolve(artifactId);
    }

    private List<Path> storedObjects() throws Exception {
        try (Stream<Path> s = Files.walk(projectDir())) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /** What {@code argv} (run through bash, its stderr and exit ignored: ciphertext makes these tools fail) writes to stdout. */
    private static byte[] output(String script, Path file) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", script + " 2>/dev/null; true", "x", file.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        p.waitFor();
        return out.toByteArray();
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return true;
        }
        return false;
    }

    /** The marker or any of four 32-byte windows of the attachment in {@code bytes}: which one, or null. */
    private String plaintextIn(byte[] bytes) {
        if (contains(bytes, marker.getBytes(StandardCharsets.UTF_8))) return "the database marker";
        for (int at : new int[]{0, 1000, attachment.length / 2, attachment.length - 32}) {
            if (contains(bytes, java.util.Arrays.copyOfRange(attachment, at, at + 32))) return "attachment bytes at " + at;
        }
        return null;
    }

    private static final List<String> READERS = List.of("cat \"$1\"", "zstd -dc \"$1\"", "zstd -dc \"$1\" | tar -xO",
            "tar -xOf \"$1\"", "pg_restore -f - \"$1\"");

    /** Every stored object but the manifests and the sums lists is an age file; no reader finds the plain text in any. */
    private void assertNothingReadable() throws Exception {
        List<Path> objects = storedObjects();
        assertFalse(objects.isEmpty());
        List<String> found = new ArrayList<>();
        for (Path f : objects) {
            String name = f.getFileName().toString();
            if (name.equals("manifest.json")) {
                Map<String, Object> m = Json.readMap(f);
                assertNotNull(m.get("encryption"), "the manifest says how the artifact is encrypted: " + f);
            } else if (name.endsWith(".sha256")) {
                // plain text on purpose (sha256sum -c without a key): nothing but digests of stored objects and their names
                for (String line : Files.readAllLines(f)) assertTrue(line.matches("[0-9a-f]{64}  \\S+"), f + ": " + line);
            } else if (!name.endsWith(".moved")) {
                assertTrue(ArtifactCipher.isEncrypted(f), f + " does not start with " + ArtifactCipher.HEADER);
            }
            for (String reader : READERS) {
                String what = plaintextIn(output(reader, f));
                if (what != null) found.add(what + " in " + f + " through " + reader);
            }
        }
        assertEquals(List.of(), found);
    }

    @Test
    void should_store_no_plaintext_and_restore_with_the_identity_from_a_local_store() throws Exception {
        start(false);
        BackupResult b = backup();
        assertNothingReadable();
        // the packs left archive-filestore encrypted (age ran beside pg_dump), so encrypt-packs found none to encrypt
        Map<String, Object> fsMeta = Json.readMap(Path.of(b.evidenceDir()).resolve("filestore.meta.json"));
        @SuppressWarnings("unchecked")
        Map<String, Object> sealed = (Map<String, Object>) fsMeta.get("packs_encrypted");
        assertNotNull(sealed, "filestore.meta.json says the packs were encrypted: " + fsMeta);
        assertEquals(fsMeta.get("new_packs"), sealed.get("packs"));
        String encryptPacks = (String) ops("select payload::text as p from ops.run_events where event_type = 'step_completed' "
                + "and step = 'encrypt-packs' and run_id = ?::uuid", b.runId()).get(0).get("p");
        assertTrue(encryptPacks.contains("\"encrypted_here\": 0"), encryptPacks);

        // positive control: the same readers find both once the objects are decrypted with age -d (so the search works)
        Path plainDump = env.root.resolve("plain.dump");
        sh(null, "age", "-d", "-i", key.toString(), "-o", plainDump.toString(), stored(b.artifactId()).resolve("db.dump").toString());
        assertEquals("the database marker", plaintextIn(output("pg_restore -f - \"$1\"", plainDump)));
        byte[] packs = new byte[0];
        try (Stream<Path> s = Files.list(projectDir().resolve("_packs"))) {
            for (Path pack : s.toList()) {
                Path plain = env.root.resolve("plain.tar.zst");
                sh(null, "age", "-d", "-i", key.toString(), "-o", plain.toString(), pack.toString());
                byte[] out = output("zstd -dc \"$1\" | tar -xO", plain);
                if (plaintextIn(out) != null) packs = out;
                Files.delete(plain);
            }
        }
        assertNotNull(plaintextIn(packs), "the attachment is in a decrypted pack");

        // without a key: the sums lists and check
        sh(stored(b.artifactId()), "sha256sum", "-c", "db.dump.sha256");
        sh(stored(b.artifactId()), "sha256sum", "-c", "filestore.tar.zst.sha256");
        assertTrue(runtime.operations().check(new CheckRequest(env.project, "operator")).ok());
        var manifest = runtime.catalog().artifacts().artifact(b.artifactId()).orElseThrow().manifest();
        assertEquals("age", manifest.encryption().format());
        assertEquals(List.of(recipient), manifest.encryption().recipients());
        assertEquals(List.of(manifest.encryption().generation()), ops("select distinct generation from ops.filestore_packs "
                + "where project = ?", env.project).stream().map(r -> r.get("generation")).toList());

        // --read-data decrypts the index and the packs
        assertTrue(runtime.operations().verifyArtifact(new ArtifactRequest(b.artifactId(), true, 100, "operator")).ok());

        // restore: the changed environment goes back to the backup (the marker row and the attachment)
        EnvironmentState before = EnvironmentState.of(env);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "")) {
            c.createStatement().execute("delete from enc_marker");
        }
        Files.delete(env.odoo.filestore().resolve(attachmentPath));
        RestoreResult r = restore(b.artifactId());
        assertEquals("success", r.status(), r.error() + " in " + r.failedStep());
        assertEquals(before, EnvironmentState.of(env));

        // disaster recovery: no filestore at all, everything fetched and decrypted
        sh(null, "rm", "-rf", env.odoo.filestore().toString());
        RestoreResult dr = restore(b.artifactId());
        assertEquals("success", dr.status(), dr.error() + " in " + dr.failedStep());
        assertEquals(before, EnvironmentState.of(env));
        try (var left = Files.walk(env.workDir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".age-identity")), "an identity file was left");
        }
        // the identity is in no evidence file
        try (var files = Files.walk(env.evidenceRoot)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertFalse(Files.readString(f, StandardCharsets.ISO_8859_1).contains(identity), "identity in " + f);
            }
        }
    }

    @Test
    void should_refuse_a_missing_or_wrong_identity_before_anything_live_changes() throws Exception {
        start(false);
        BackupResult b = backup();
        EnvironmentState state = EnvironmentState.of(env);

        encryptWith(recipient, null); // a host with the recipients only
        restart();
        long runs = ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size();
        RequestRejected missing = assertThrows(RequestRejected.class, () -> restore(b.artifactId()));
        assertTrue(missing.getMessage().contains("encryption.identity") && missing.getMessage().contains(env.project)
                && missing.getMessage().contains("is encrypted"), missing.getMessage());
        assertEquals(state, EnvironmentState.of(env));
        assertEquals(runs, ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size(), "a run was started");
        // the preflight report says the same; backups, check and verify (stored sums) still work without it
        var preflight = runtime.operations().preflightRestore(new RestoreRequest(env.project, "prod", b.artifactId(),
                BackupType.FULL, true, true, null, "operator", "test"));
        assertFalse(preflight.ok());
        assertTrue(String.valueOf(preflight.body()).contains("encryption.identity"), String.valueOf(preflight.body()));
        backup();
        assertTrue(runtime.operations().check(new CheckRequest(env.project, "operator")).ok());
        assertTrue(runtime.operations().verifyArtifact(new ArtifactRequest(b.artifactId(), "operator")).ok());
        RuntimeException readData = assertThrows(RuntimeException.class, () -> runtime.operations().verifyArtifact(
                new ArtifactRequest(b.artifactId(), true, 100, "operator")));
        assertTrue(readData.getMessage().contains("encryption.identity") && readData.getMessage().contains("is encrypted"),
                readData.getMessage());

        Path other = env.root.resolve("other.txt");
        sh(null, "age-keygen", "-o", other.toString());
        String otherIdentity = Files.readAllLines(other).stream().filter(l -> l.startsWith("AGE-SECRET-KEY-1")).findFirst().orElseThrow();
        encryptWith(recipient, otherIdentity);
        restart();
        state = EnvironmentState.of(env);
        runs = ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size();
        RequestRejected wrong = assertThrows(RequestRejected.class, () -> restore(b.artifactId()));
        assertTrue(wrong.getMessage().contains("no identity matched any of the recipients")
                && wrong.getMessage().contains(env.project) && !wrong.getMessage().contains(otherIdentity), wrong.getMessage());
        assertEquals(state, EnvironmentState.of(env));
        assertEquals(runs, ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size(), "a run was started");
    }

    @Test
    void should_rebuild_an_encrypted_artifact_by_hand_with_the_runbook_commands() throws Exception {
        start(false);
        BackupResult b = backup();
        Map<String, String> expected = tree(env.odoo.filestore());
        // the artifact folder and the project's packs side by side, copied out of the store as the runbook says
        Path copy = Files.createDirectories(env.root.resolve("restore").resolve(env.project));
        sh(null, "cp", "-r", stored(b.artifactId()).getParent().toString(), copy.resolve("prod").toString());
        sh(null, "cp", "-r", projectDir().resolve("_packs").toString(), copy.resolve("_packs").toString());
        Path out = env.root.resolve("rebuilt");
        // docs/runbook.md, "An encrypted artifact (age)": the block it marks, run as it is
        String doc = Files.readString(TestEnvironment.HOME.resolve("docs/runbook.md"));
        String after = doc.substring(doc.indexOf("<!-- EncryptionTest runs the next block"));
        String block = after.substring(after.indexOf("```bash\n") + 8, after.indexOf("\n```", after.indexOf("```bash\n") + 8));
        sh(copy.resolve("prod").resolve(b.artifactId()), "bash", "-c", "set -euo pipefail\nkey=\"$1\"; out=\"$2\"\n" + block,
                "runbook", key.toString(), out.toString());
        assertEquals(expected, tree(out));
        assertEquals("the database marker", plaintextIn(output("pg_restore -f - \"$1\"",
                copy.resolve("prod").resolve(b.artifactId()).resolve("plain/db.dump"))));
    }

    @Test
    void should_encrypt_and_restore_an_artifact_of_the_archive_format() throws Exception {
        start(false);
        runtime.close();
        env.withProperty("backup.filestore-format", "archive");
        runtime = env.runtime();
        BackupResult b = backup();
        assertTrue(Files.isRegularFile(stored(b.artifactId()).resolve("filestore.tar.zst")));
        assertNothingReadable();
        sh(stored(b.artifactId()), "sha256sum", "-c", "db.dump.sha256", "filestore.tar.zst.sha256");
        EnvironmentState before = EnvironmentState.of(env);
        Files.delete(env.odoo.filestore().resolve(attachmentPath));
        RestoreResult r = restore(b.artifactId());
        assertEquals("success", r.status(), r.error() + " in " + r.failedStep());
        assertEquals(before, EnvironmentState.of(env));
    }

    @Test
    void should_store_no_plaintext_in_s3_and_restore_from_it() throws Exception {
        start(true);
        BackupResult b = backup();
        assertTrue(b.artifactId() != null && Files.isDirectory(projectDir()), projectDir().toString());
        assertNothingReadable();
        EnvironmentState before = EnvironmentState.of(env);
        Files.delete(env.odoo.filestore().resolve(attachmentPath));
        RestoreResult r = restore(b.artifactId());
        assertEquals("success", r.status(), r.error() + " in " + r.failedStep());
        assertEquals(before, EnvironmentState.of(env));
    }

    @Test
    void should_reuse_no_pack_of_another_generation() throws Exception {
        start(false);
        // plain text first: the project's packs are of no generation (skip-unchanged on: turning encryption on or
        // changing the recipients is a change, the environment itself is not)
        env.withTopYaml("");
        env.withProperty("backup.skip-unchanged", "true");
        restart();
        BackupResult plain = backup();
        assertTrue(storedObjects().stream().noneMatch(ArtifactCipher::isEncrypted));
        // encrypted: nothing of the plain-text packs is reused, every file is stored again, encrypted
        encryptWith(recipient, identity);
        restart();
        BackupResult first = backup();
        Map<String, Object> meta = Json.readMap(Path.of(first.evidenceDir()).resolve("filestore.meta.json"));
        assertEquals(meta.get("file_count"), meta.get("new_files"), "a plain-text pack was reused: " + meta);
        // the same recipients again, nothing changed: skipped; one new file: only it is stored, the rest reused
        BackupResult unchanged = runtime.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null, null,
                null, null, "operator", "test"));
        assertEquals("skipped_unchanged", unchanged.status(), unchanged.error());
        addAttachment("one more file".getBytes(StandardCharsets.UTF_8));
        BackupResult second = backup();
        assertEquals(1, ((Number) Json.readMap(Path.of(second.evidenceDir()).resolve("filestore.meta.json")).get("new_files")).intValue());
        // a new recipient set (a rotation adds a key): a new generation, stored again
        Path two = env.root.resolve("two.txt");
        sh(null, "age-keygen", "-o", two.toString());
        encryptWith(recipient + ", " + sh(null, "age-keygen", "-y", two.toString()).strip(), identity);
        restart();
        BackupResult third = backup();
        Map<String, Object> m3 = Json.readMap(Path.of(third.evidenceDir()).resolve("filestore.meta.json"));
        assertEquals(m3.get("file_count"), m3.get("new_files"));
        assertEquals(3, ops("select distinct coalesce(generation, 'plain') from ops.filestore_packs where project = ?", env.project).size());
        // each artifact restores (the plain-text one too)
        for (BackupResult a : List.of(plain, first, third)) {
            RestoreResult r = restore(a.artifactId());
            assertEquals("success", r.status(), a.artifactId() + ": " + r.error() + " in " + r.failedStep());
        }
    }

    @Test
    void should_repack_an_encrypted_pack_only_where_the_identity_is() throws Exception {
        start(false);
        env.withProperty("backup.repack-dead-percent", "5"); // read by the runtimes restarted below
        for (int i = 0; i < 4; i++) {
            byte[] more = new byte[128 * 1024];
            new Random(i).nextBytes(more);
            addAttachment(more);
        }
        BackupResult first = backup();
        String pack;
        try (Stream<Path> s = Files.list(projectDir().resolve("_packs"))) {
            pack = s.map(p -> p.getFileName().toString().replace(".tar.zst", "")).sorted().findFirst().orElseThrow();
        }
        RetentionFlowTest.age(first.artifactId(), "3 days");
        // most of the filestore goes: the first backup's pack is mostly dead once the first backup is pruned
        Files.delete(env.odoo.filestore().resolve(attachmentPath));
        try (Stream<Path> s = Files.walk(env.odoo.filestore())) {
            for (Path f : s.filter(p -> p.getFileName().toString().length() == 40).filter(p -> {
                try {
                    return Files.size(p) == 128 * 1024;
                } catch (java.io.IOException e) {
                    return false;
                }
            }).toList()) Files.delete(f);
        }
        Map<String, String> left = tree(env.odoo.filestore());

        encryptWith(recipient, null); // backs up, cannot read: the pack is left as it is, with a warning
        restart();
        BackupResult second = keepingOne();
        assertTrue(second.warnings().stream().anyMatch(w -> w.contains("pack " + pack) && w.contains("no encryption.identity")),
                second.warnings().toString());
        assertTrue(Files.isRegularFile(projectDir().resolve("_packs").resolve(pack + ".tar.zst")));

        encryptWith(recipient, identity); // where the identity is, the next prune repacks it, encrypted again
        restart();
        RetentionFlowTest.age(second.artifactId(), "3 days");
        BackupResult third = keepingOne();
        Map<String, Object> retention = Json.readMap(Path.of(third.evidenceDir()).resolve("retention_prune.json"));
        assertTrue(String.valueOf(retention.get("packs_repacked")).contains(pack), retention.toString());
        String into = third.artifactId().toLowerCase(java.util.Locale.ROOT) + "-r0001";
        Path fresh = projectDir().resolve("_packs").resolve(into + ".tar.zst");
        assertTrue(ArtifactCipher.isEncrypted(fresh), fresh + " is not an age file");
        String generation = runtime.catalog().artifacts().artifact(third.artifactId()).orElseThrow().manifest().encryption().generation();
        assertEquals(generation, ops("select generation from ops.filestore_packs where project = ? and pack_id = ?", env.project, into)
                .get(0).get("generation"));
        assertTrue(runtime.operations().verifyArtifact(new ArtifactRequest(third.artifactId(), true, 100, "operator")).ok());
        sh(null, "rm", "-rf", env.odoo.filestore().toString());
        RestoreResult r = runtime.operations().restore(new RestoreRequest(env.project, "prod", third.artifactId(),
                BackupType.FILESTORE_ONLY, false, true, null, "operator", "test"));
        assertEquals("success", r.status(), r.error() + " in " + r.failedStep());
        assertEquals(left, tree(env.odoo.filestore()));
    }

    @Test
    void should_make_an_encrypted_sanitized_snapshot_from_an_encrypted_artifact() throws Exception {
        env = TestEnvironment.create("encsnap").withLocalStore().withOperatorActions("backup, restore, copy");
        key = env.root.resolve("key.txt");
        sh(null, "age-keygen", "-o", key.toString());
        recipient = sh(null, "age-keygen", "-y", key.toString()).strip();
        identity = Files.readAllLines(key).stream().filter(l -> l.startsWith("AGE-SECRET-KEY-1")).findFirst().orElseThrow();
        encryptWith(recipient, identity);
        try (dev.odooops.support.FlowFixture fx = dev.odooops.support.FlowFixture.standIn(env)) {
            BackupResult b = fx.backup();
            // the snapshot loads the encrypted artifact into a scratch copy (ArtifactUnpacking decrypts) and stores its own
            var r = fx.runtime().operations().runQueued(new dev.odooops.model.SnapshotRequest(env.project, "prod", true,
                    b.artifactId(), "operator", "test"), null);
            assertTrue(r.ok(), r.body().toString());
            String id = (String) r.body().get("artifact_id");
            var manifest = fx.runtime().catalog().artifacts().artifact(id).orElseThrow().manifest();
            assertNotNull(manifest.encryption(), "the snapshot is encrypted too");
            try (Stream<Path> s = Files.list(stored(id))) {
                for (Path f : s.toList()) {
                    String name = f.getFileName().toString();
                    if (!name.equals("manifest.json") && !name.endsWith(".sha256")) {
                        assertTrue(ArtifactCipher.isEncrypted(f), f + " is not an age file");
                    }
                }
            }
        } finally {
            env = null; // closed by the fixture
        }
    }

    private BackupResult keepingOne() {
        BackupResult r = runtime.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null, 1, 0, 0,
                "operator", "test"));
        assertEquals("success", r.status(), r.error());
        return r;
    }

    private static Map<String, String> tree(Path root) throws Exception {
        Map<String, String> out = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) out.put(root.relativize(f).toString(), Checksums.sha1(f));
        }
        return out;
    }
}
