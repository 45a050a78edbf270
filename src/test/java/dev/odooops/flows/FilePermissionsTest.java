package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.cli.Commands;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.support.OdooStandIn;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A dump holds every business record and the users' password hashes: after a backup and a restore, nothing
 * in the evidence, the work directory or the local store may be readable by other users (or by the group,
 * unless ops.file-group names one).
 */
class FilePermissionsTest {
    private TestEnvironment env;
    private OdooStandIn odoo;

    @AfterEach
    void cleanUp() throws Exception {
        if (odoo != null) odoo.close();
        if (env != null) env.close();
    }

    private void backupAndRestore() throws Exception {
        odoo = new OdooStandIn(env.root.resolve("odoo.log"));
        env.withLocalStore().withOdoo(odoo);
        try (OpsRuntime rt = env.runtime()) {
            var commands = rt.operations();
            BackupResult b = commands.backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null, null, null,
                    null, "operator", "test"));
            assertEquals("success", b.status(), b.error());
            RestoreResult r = commands.restore(new RestoreRequest(env.project, "prod", b.artifactId(), BackupType.FULL,
                    true, true, env.environmentId(), "operator", "test"));
            assertEquals("success", r.status(), r.error());
        }
    }

    /** Every file and directory under {@code root} (itself included) whose mode differs from the wanted one. */
    private static List<String> wrongModes(Path root, String fileMode, String dirMode, String group) throws IOException {
        List<String> bad = new ArrayList<>();
        assertTrue(Files.isDirectory(root), root + " exists");
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                String mode = PosixFilePermissions.toString(a.permissions());
                String want = a.isDirectory() ? dirMode : fileMode;
                if (!mode.equals(want) || (group != null && !a.group().getName().equals(group))) {
                    bad.add(root.relativize(p) + " " + mode + " " + a.group().getName());
                }
            }
        }
        return bad;
    }

    private List<String> everything(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.map(p -> root.relativize(p).toString()).toList();
        }
    }

    @Test
    void should_keep_evidence_work_files_and_stored_artifacts_to_the_owner() throws Exception {
        env = TestEnvironment.create("perms");
        backupAndRestore();

        assertTrue(everything(env.evidenceRoot).stream().anyMatch(n -> n.endsWith("config_snapshot.json")));
        assertTrue(everything(env.localStoreDir()).stream().anyMatch(n -> n.endsWith("db.dump")));
        assertEquals(List.of(), wrongModes(env.evidenceRoot, "rw-------", "rwx------", null));
        assertEquals(List.of(), wrongModes(env.localStoreDir(), "rw-------", "rwx------", null));
        assertEquals(List.of(), wrongModes(env.workDir, "rw-------", "rwx------", null));
    }

    @Test
    void should_let_the_configured_group_read_evidence_and_stored_artifacts_and_no_one_else() throws Exception {
        env = TestEnvironment.create("permsgroup");
        env.withProperty("ops.file-group", "backup");
        backupAndRestore();

        assertEquals(List.of(), wrongModes(env.evidenceRoot, "rw-r-----", "rwxr-x---", "backup"));
        assertEquals(List.of(), wrongModes(env.localStoreDir(), "rw-r-----", "rwxr-x---", "backup"));
        assertEquals(List.of(), wrongModes(env.workDir, "rw-------", "rwx------", null), "work files stay the owner's");
    }

    @Test
    void should_refuse_to_start_with_a_file_group_that_does_not_exist() throws Exception {
        env = TestEnvironment.create("permsbad");
        env.withProperty("ops.file-group", "no-such-group-odoo-ops");
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(dev.odooops.config.ConfigException.class, env::runtime);
        assertTrue(e.getMessage().contains("ops.file-group"), e.getMessage());
        assertTrue(e.getMessage().contains("no-such-group-odoo-ops"), e.getMessage());
    }
}
