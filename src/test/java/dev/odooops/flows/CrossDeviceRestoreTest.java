package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Json;
import dev.odooops.domain.Checksums;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.domain.RequestRejected;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.demo.DemoEnvironment;
import dev.odooops.support.OdooStandIn;
import dev.odooops.support.TestEnvironment;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.odooops.support.TestEnvironment.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #13 A4: the usual layout, the application's data on a volume of its own. The filestore's parent is a tmpfs
 * of its own (mounted here: the tests run as root; a machine that does not let them mount fails this test, it never
 * skips it) and the work directory is on another file system: a restore of either format, its rollback by rename and
 * its rollback from the pre-restore backup all work.
 */
class CrossDeviceRestoreTest {
    private TestEnvironment env;
    private OdooStandIn odoo;
    private OpsRuntime runtime;
    private Path mounted;

    @AfterEach
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        if (odoo != null) odoo.close();
        try {
            if (mounted != null) sh(null, "umount", mounted.toString());
        } finally {
            if (env != null) env.close();
        }
    }

    private void start(String format) throws Exception {
        start(format, "512m");
    }

    private void start(String format, String size) throws Exception {
        env = TestEnvironment.create("xdev").withLocalStore().withType("staging")
                .withProperty("backup.filestore-format", format);
        odoo = new OdooStandIn(env.root.resolve("odoo.log"));
        env.withOdoo(odoo);
        // the filestore's parent becomes a file system of its own, holding what it held
        Path parent = env.odoo.filestore().getParent();
        Path held = env.root.resolve("held");
        Files.move(parent, held);
        Files.createDirectories(parent);
        sh(null, "mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", parent.toString());
        mounted = parent;
        sh(null, "cp", "-a", held + "/.", parent.toString());
        DemoEnvironment.deleteTree(held);
        assertNotEquals(device(env.workDir.getParent()), device(parent), "the work directory and the filestore share a device");
        runtime = env.runtime();
    }

    private static Object device(Path p) throws Exception {
        return Files.getAttribute(p, "unix:dev", LinkOption.NOFOLLOW_LINKS);
    }

    private BackupResult backup() {
        BackupResult r = runtime.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null, null, null,
                null, "operator", "test"));
        assertEquals("success", r.status(), r.error());
        return r;
    }

    private RestoreResult restore(String artifactId, BackupType type) {
        return runtime.operations().restore(new RestoreRequest(env.project, "prod", artifactId, type, true, true, null,
                "operator", "test"));
    }

    /** Every regular file with its SHA-1 (a packed filestore keeps files, not empty folders). */
    private Map<String, String> tree() throws Exception {
        Map<String, String> out = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.walk(env.odoo.filestore())) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                out.put(env.odoo.filestore().relativize(f).toString(), Checksums.sha1(f));
            }
        }
        return out;
    }

    /** Ten attachment files gone and a stray one: what today's work did to the filestore. */
    private void changeTheFilestore(String stray) throws Exception {
        try (Stream<Path> s = Files.walk(env.odoo.filestore())) {
            List<Path> files = s.filter(Files::isRegularFile).sorted().toList();
            for (int i = 0; i < 10; i++) Files.deleteIfExists(files.get(i));
        }
        Files.writeString(env.odoo.filestore().resolve(stray), "not from the backup");
    }

    private List<String> besideTheFilestore() throws Exception {
        try (Stream<Path> s = Files.list(env.odoo.filestore().getParent())) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> diskSpace(String artifactId) {
        var report = runtime.operations().preflightRestore(new RestoreRequest(env.project, "prod", artifactId,
                BackupType.FULL, true, true, null, "operator", "test"));
        return ((List<?>) report.body().get("checks")).stream().map(c -> Json.readMap(Json.compact(c)))
                .filter(c -> "disk_space".equals(c.get("name"))).findFirst().orElseThrow();
    }

    @ParameterizedTest
    @ValueSource(strings = {"packed", "archive"})
    void should_refuse_a_restore_whose_new_filestore_does_not_fit_on_the_filestores_file_system(String format) throws Exception {
        start(format, "16m");
        BackupResult b = backup();
        long tree = ((Number) Json.readMap(Path.of(b.evidenceDir(), "filestore.meta.json")).get("total_bytes")).longValue();
        DemoEnvironment.deleteTree(env.odoo.filestore()); // disaster recovery: every file is written again
        Path parent = env.odoo.filestore().getParent();
        long free = Files.getFileStore(parent).getUsableSpace();
        sh(null, "fallocate", "-l", String.valueOf(free - tree / 2), parent.resolve("filler").toString());

        Map<String, Object> space = diskSpace(b.artifactId());
        assertEquals(false, space.get("ok"), space.toString());
        String said = String.valueOf(space.get("detail"));
        assertTrue(said.startsWith("filestore's file system " + parent + " has ") && said.endsWith(
                " for the new filestore beside the live one") && !said.contains(" 0.0 MiB"), said);
        RequestRejected refused = assertThrows(RequestRejected.class, () -> restore(b.artifactId(), BackupType.FULL));
        assertTrue(refused.getMessage().contains("filestore's file system"), refused.getMessage());

        Files.delete(parent.resolve("filler"));
        RestoreResult dr = restore(b.artifactId(), BackupType.FULL);
        assertEquals("success", dr.status(), dr.error() + " in " + dr.failedStep());
    }

    @ParameterizedTest
    @ValueSource(strings = {"packed", "archive"})
    void should_restore_and_roll_back_with_the_filestore_on_a_file_system_of_its_own(String format) throws Exception {
        start(format);
        Map<String, String> backedUp = tree();
        BackupResult b = backup();
        List<String> beside = besideTheFilestore();

        Map<String, Object> space = diskSpace(b.artifactId());
        assertEquals(true, space.get("ok"), space.toString());
        String said = String.valueOf(space.get("detail"));
        assertTrue(said.contains("work directory " + env.workDir) && said.contains("filestore's file system "
                + env.odoo.filestore().getParent()) && !said.contains("(the same file system)"), said);

        // the "undo today" restore: what is still there is reused, the rest comes from the store
        changeTheFilestore("stray-1");
        RestoreResult undo = restore(b.artifactId(), BackupType.FULL);
        assertEquals("success", undo.status(), undo.error() + " in " + undo.failedStep());
        assertEquals(backedUp, tree());
        assertEquals(beside, besideTheFilestore(), "no side copy left");

        // a restore whose Odoo does not come back: the filestore kept aside goes back by rename
        changeTheFilestore("stray-2");
        Map<String, String> changed = tree();
        odoo.unhealthyStarts = 1;
        RestoreResult fast = restore(b.artifactId(), BackupType.FULL);
        assertEquals("rolled_back", fast.status(), fast.error());
        assertEquals(changed, tree());
        assertEquals(beside, besideTheFilestore());

        // the same with the kept-aside filestore gone: the pre-restore backup's filestore is restored
        AdviceWith.adviceWith(runtime.camelContext(), "restore-failed", a -> a.weaveById("record-restore-failure").after()
                .process(ex -> DemoEnvironment.deleteTree(ex.getVariable("restoreJob", dev.odooops.model.RestoreJob.class)
                        .asideFilestore())));
        odoo.unhealthyStarts = 1;
        RestoreResult slow = restore(b.artifactId(), BackupType.FULL);
        Map<String, Object> rollback = Json.readMap(Path.of(slow.evidenceDir(), "rollback.json"));
        assertEquals("rolled_back", slow.status(), rollback.toString());
        assertTrue(rollback.get("actions").toString().contains("slow path: filestore of pre-restore backup"), rollback.toString());
        assertEquals(changed, tree(), "the pre-restore backup brought the filestore back");
        assertEquals(beside, besideTheFilestore(), rollback.toString());

        // disaster recovery: nothing live, everything from the store
        DemoEnvironment.deleteTree(env.odoo.filestore());
        RestoreResult dr = restore(b.artifactId(), BackupType.FILESTORE_ONLY);
        assertEquals("success", dr.status(), dr.error() + " in " + dr.failedStep());
        assertEquals(backedUp, tree());
        try (Stream<Path> s = Files.list(env.workDir)) {
            assertEquals(List.of(), s.toList(), "work files left");
        }
    }
}
