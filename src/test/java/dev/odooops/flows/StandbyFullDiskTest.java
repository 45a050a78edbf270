package dev.odooops.flows;

import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.DrillRequest;
import dev.odooops.model.Report;
import dev.odooops.restore.StandbyCopies;
import dev.odooops.support.FlowFixture;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The warm standby's filestore is built beside the live one, on its file system. When that disk is full (a real one: a
 * tmpfs over the live filestore's directory, filled to the brim), keeping the standby fails; the drill has validated the
 * artifact all the same, so it passes with a warning, keeps no standby, leaves no half-kept copy (database or files)
 * and the live filestore as it was; once there is room again, the next drill keeps it.
 */
class StandbyFullDiskTest {

    @Test
    void should_pass_the_drill_keep_no_standby_and_leave_nothing_half_kept_when_the_live_filestore_s_disk_is_full() throws Exception {
        TestEnvironment env = TestEnvironment.create("standbyfull").withLocalStore().withOperatorActions("backup, restore, drill");
        env.withStandbyDrills();
        try (FlowFixture fx = FlowFixture.standIn(env)) {
            BackupResult backup = fx.backup(BackupType.FULL);
            assertEquals("success", backup.status(), backup.error());
            Path live = env.odoo.filestore();
            Path disk = live.getParent();
            Path saved = env.root.resolve("filestore-before-mount");
            TestEnvironment.sh(env.root, "cp", "-a", disk.toString(), saved.toString());
            TestEnvironment.sh(env.root, "mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", disk.toString());
            try {
                TestEnvironment.sh(env.root, "cp", "-a", saved + "/.", disk.toString());
                // two live files rewritten in place (same size, other bytes): the standby must hold the artifact's own
                // copies of them, which need room on this disk; the rest are hard links to the live files (no room)
                List<Path> rewritten = odooFiles(live).subList(0, 2);
                Random random = new Random(16);
                for (Path f : rewritten) {
                    byte[] other = new byte[(int) Files.size(f)];
                    random.nextBytes(other);
                    Files.write(f, other);
                }
                Map<String, String> liveBefore = digests(live);
                fill(disk.resolve("filler"));

                Report r = fx.runtime().operations().drill(new DrillRequest(env.project, "prod", backup.artifactId(), "operator", "test"));

                assertTrue(r.ok(), "the drill validated the artifact: it passes: " + r.body());
                assertEquals("passed", r.body().get("drill"), r.body().toString());
                Map<?, ?> standby = (Map<?, ?>) r.body().get("standby");
                assertEquals(false, standby.get("kept"), standby.toString());
                assertTrue(String.valueOf(standby.get("reason")).contains("No space left on device"), standby.toString());
                assertTrue(String.valueOf(r.body().get("warnings")).contains("standby not kept"), r.body().toString());
                assertEquals("passed", ops("select last_drill_status from ops.artifacts where id = ?", backup.artifactId()).get(0)
                        .get("last_drill_status"));
                assertTrue(ops("select 1 from ops.standbys where environment_id = ?", env.environmentId()).isEmpty(),
                        "no standby recorded");
                assertEquals(List.of(), ops("select datname from pg_database where datname like ? or datname like ?",
                        env.database + "\\_\\_standby%", "odoo_ops_scratch_drill%" + String.valueOf(r.body().get("run_id")).substring(0, 8)),
                        "no standby or scratch database left");
                try (Stream<Path> beside = Files.list(disk)) {
                    assertEquals(Stream.of(live.getFileName().toString(), "filler").sorted().toList(), beside.map(p -> p.getFileName().toString()).sorted().toList(),
                            "nothing half-kept beside the live filestore");
                }
                assertEquals(liveBefore, digests(live), "the live filestore changed");
            } finally {
                Files.deleteIfExists(disk.resolve("filler"));
                TestEnvironment.sh(env.root, "umount", disk.toString());
            }
            // room again (the disk under the mount, whose files are the live ones as they were before): the next drill keeps it
            Report again = fx.runtime().operations().drill(new DrillRequest(env.project, "prod", backup.artifactId(), "operator", "test"));
            assertTrue(again.ok(), again.body().toString());
            assertEquals(true, ((Map<?, ?>) again.body().get("standby")).get("kept"), again.body().toString());
            assertTrue(Files.isDirectory(StandbyCopies.filestore(live)));
        } finally {
            for (Map<String, Object> row : ops("select datname from pg_database where datname like ?", env.database + "\\_\\_standby%")) {
                TestEnvironment.sh(null, "psql", "-X", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c",
                        "drop database if exists \"" + row.get("datname") + "\" with (force)");
            }
        }
    }

    /** The Odoo-named files of the filestore ({@code <2 hex>/<sha1>}), in name order. */
    private static List<Path> odooFiles(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            List<Path> files = walk.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().matches("[0-9a-f]{40}")).sorted().toList();
            assertTrue(files.size() >= 2, "the environment's filestore holds at least two attachments: " + files);
            return files;
        }
    }

    private static Map<String, String> digests(Path root) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile).sorted().forEach(files::add);
        }
        for (Path f : files) out.put(root.relativize(f).toString(), dev.odooops.domain.Checksums.sha1(f));
        return out;
    }

    /** Writes {@code file} until the disk is full. */
    private static void fill(Path file) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) out.write(block);
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left on device")) throw full;
        }
    }
}
