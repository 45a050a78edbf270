package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.cli.Commands;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.Json;
import dev.odooops.domain.TreeDigest;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.support.HostileArchive;
import dev.odooops.support.OdooStandIn;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.odooops.support.TestEnvironment.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Section G of issue #6: an artifact whose filestore archive carries a link, a device, a fifo, a climbing or
 * absolute path or an oversized member is refused before anything is extracted; the restore rolls back, the
 * live filestore is as it was, and nothing is written outside the target.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileArtifactTest {
    private TestEnvironment env;
    private OdooStandIn odoo;
    private OpsRuntime runtime;
    private BackupResult backup;
    private Path canary;
    private Path escapeCanary;

    @BeforeAll
    void setUp() throws Exception {
        // hostile filestore.tar.zst archives (format 1); a pack is checked against its SHA-256 first (PackedFilestoreTest)
        env = TestEnvironment.create("hostile").withProperty("backup.filestore-format", "archive");
        odoo = new OdooStandIn(env.root.resolve("odoo.log"));
        env.withOdoo(odoo);
        runtime = env.runtime();
        backup = runtime.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FILESTORE_ONLY,
                null, null, null, null, "operator", "test"));
        assertEquals("success", backup.status(), backup.error());
        canary = env.root.resolve("canary.txt");
        Files.writeString(canary, "untouched");
        escapeCanary = env.odoo.filestore().getParent().resolve("escape");
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        if (odoo != null) odoo.close();
        if (env != null) env.close();
    }

    private Path hostileArchive(String kind) throws Exception {
        Path out = env.root.resolve("hostile-" + kind + ".tar.zst");
        Path live = env.odoo.filestore();
        if (kind.equals("huge-sparse")) {
            Path src = env.root.resolve("sparse-src");
            sh(null, "cp", "-a", live.toString(), src.toString());
            sh(null, "truncate", "-s", "20G", src.resolve("ab-huge").toString());
            sh(null, "tar", "--zstd", "--sparse", "--create", "--file=" + out, "--directory=" + src, ".");
            sh(null, "rm", "-rf", src.toString());
            return out;
        }
        HostileArchive a = new HostileArchive().copyOf(live);
        switch (kind) {
            case "symlink" -> a.symlink("./ab/link", canary.toString()).file("./ab/link", "written through the link");
            case "hard-link" -> a.hardLink("./ab/passwd", "/etc/passwd");
            case "fifo" -> a.fifo("./ab/fifo");
            case "device" -> a.charDevice("./ab/mem", 1, 1);
            case "dot-dot" -> a.file("../escape", "escaped");
            case "absolute" -> a.file(canary.toString(), "overwritten");
            default -> throw new IllegalArgumentException(kind);
        }
        return a.writeZstd(out);
    }

    /** Puts the archive in the store in place of the artifact's own, with a matching checksum in the catalog. */
    private void plant(Path archive) throws Exception {
        Path stored = env.s3Dir.resolve("backups/ops").resolve(env.project).resolve("prod").resolve(backup.artifactId())
                .resolve("filestore.tar.zst");
        Files.copy(archive, stored, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String sha = Checksums.sha256(stored);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + TestEnvironment.OPS_DB, "postgres", "")) {
            var ps = c.prepareStatement("update ops.artifacts set checksums = jsonb_set(checksums, '{filestore.tar.zst}', to_jsonb(?::text)), "
                    + "sizes = jsonb_set(sizes, '{filestore.tar.zst}', to_jsonb(?::bigint)) where id = ?");
            ps.setString(1, sha);
            ps.setLong(2, Files.size(stored));
            ps.setString(3, backup.artifactId());
            ps.executeUpdate();
        }
    }

    private List<String> besideTheFilestore() throws Exception {
        try (Stream<Path> s = Files.list(env.odoo.filestore().getParent())) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Rewrites a stored evidence file of an artifact, with a matching checksum in the catalog. */
    private void rewriteStored(String artifactId, String name, String content) throws Exception {
        Path stored = env.s3Dir.resolve("backups/ops").resolve(env.project).resolve("prod").resolve(artifactId).resolve(name);
        Files.writeString(stored, content);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + TestEnvironment.OPS_DB, "postgres", "")) {
            var ps = c.prepareStatement("update ops.artifacts set checksums = jsonb_set(checksums, array[?], to_jsonb(?::text)), "
                    + "sizes = jsonb_set(sizes, array[?], to_jsonb(?::bigint)) where id = ?");
            ps.setString(1, name);
            ps.setString(2, Checksums.sha256(stored));
            ps.setString(3, name);
            ps.setLong(4, Files.size(stored));
            ps.setString(5, artifactId);
            ps.executeUpdate();
        }
    }

    @Test
    void should_verify_an_artifact_made_before_digest_version_2_with_the_old_digest() throws Exception {
        BackupResult old = runtime.operations().backup(BackupRequest.of(env.project, "prod",
                BackupType.FILESTORE_ONLY, null, null, null, null, "operator", "test"));
        assertEquals("success", old.status(), old.error());
        Path metaFile = env.s3Dir.resolve("backups/ops").resolve(env.project).resolve("prod").resolve(old.artifactId())
                .resolve("filestore.meta.json");
        Map<String, Object> meta = new java.util.LinkedHashMap<>(Json.readMap(metaFile));
        meta.remove("tree_digest_version");
        meta.put("tree_digest", TreeDigest.of(env.odoo.filestore(), TreeDigest.V1).digest());
        rewriteStored(old.artifactId(), "filestore.meta.json", Json.pretty(meta));
        String before = TreeDigest.of(env.odoo.filestore()).digest();
        try (Stream<Path> files = Files.walk(env.odoo.filestore())) {
            Files.delete(files.filter(Files::isRegularFile).sorted().findFirst().orElseThrow());
        }

        RestoreResult r = runtime.operations().restore(new RestoreRequest(env.project, "prod",
                old.artifactId(), BackupType.FILESTORE_ONLY, false, true, env.environmentId(), "operator", "test"));

        assertEquals("success", r.status(), r.error());
        Map<String, Object> verification = Json.readMap(Path.of(r.evidenceDir(), "filestore_restore_checksum_verification.json"));
        assertEquals(1, ((Number) verification.get("tree_digest_version")).intValue());
        assertEquals(true, verification.get("ok"));
        assertEquals(before, TreeDigest.of(env.odoo.filestore()).digest());
    }

    @ParameterizedTest
    @ValueSource(strings = {"symlink", "hard-link", "fifo", "device", "dot-dot", "absolute", "huge-sparse"})
    void should_refuse_a_hostile_filestore_archive_and_leave_everything_as_it_was(String kind) throws Exception {
        plant(hostileArchive(kind));
        String liveDigest = TreeDigest.of(env.odoo.filestore()).digest();
        List<String> beside = besideTheFilestore();
        String passwd = Checksums.sha256(Path.of("/etc/passwd"));
        String passwdMode = PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of("/etc/passwd")));

        RestoreResult r = runtime.operations().restore(new RestoreRequest(env.project, "prod",
                backup.artifactId(), BackupType.FILESTORE_ONLY, true, true, env.environmentId(), "operator", "test"));

        // refused while the new filestore was being prepared beside the live one, before quiesce: nothing live
        // changed, so there is nothing to roll back (the prepared side copy is removed) and Odoo was never stopped
        assertEquals("failed", r.status(), kind + ": " + r.error());
        assertEquals("await-new-filestore", r.failedStep());
        assertEquals("not_needed", Json.readMap(Path.of(r.evidenceDir(), "rollback.json")).get("outcome"));
        assertTrue(r.error().contains("filestore.tar.zst refused"), r.error());
        Map<String, Object> check = Json.readMap(Path.of(r.evidenceDir(), "filestore_archive_check.json"));
        assertEquals(false, check.get("ok"));
        assertEquals(liveDigest, TreeDigest.of(env.odoo.filestore()).digest(), "the live filestore is unchanged");
        assertEquals(beside, besideTheFilestore(), "nothing left or written beside the filestore");
        assertFalse(Files.exists(escapeCanary, LinkOption.NOFOLLOW_LINKS));
        assertEquals("untouched", Files.readString(canary));
        assertEquals(passwd, Checksums.sha256(Path.of("/etc/passwd")));
        assertEquals(passwdMode, PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of("/etc/passwd"))));
        assertTrue(odoo.running(), "Odoo still runs");
    }
}
