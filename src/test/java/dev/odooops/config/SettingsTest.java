package dev.odooops.config;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("fast")
class SettingsTest {
    @TempDir
    Path dir;

    private Settings load(String properties) throws Exception {
        Files.writeString(dir.resolve("application.properties"), properties);
        return Settings.load(dir, dir, Map.<String, String>of()::get);
    }

    @Test
    void should_refuse_work_and_evidence_directories_that_are_root_or_not_normalised() {
        for (String key : new String[]{"ops.work-dir", "ops.evidence-root"}) {
            for (String bad : new String[]{"/", "/var/tmp/../../etc", "work/./x"}) {
                String msg = assertThrows(ConfigException.class, () -> load(key + "=" + bad + "\n")).getMessage();
                assertTrue(msg.endsWith("application.properties: " + key
                        + ": expected a normalised directory other than '/' (no '..', '.' or '//' segment), got '" + bad + "'"), msg);
            }
        }
    }

    @Test
    void should_resolve_relative_directories_against_the_home() throws Exception {
        Settings s = load("ops.work-dir=work/\nops.evidence-root=/var/tmp/evidence\n");
        assertEquals(dir.resolve("work"), s.ops().workDir());
        assertEquals(Path.of("/var/tmp/evidence"), s.ops().evidenceRoot());
    }

    @Test
    void should_group_the_keys_by_area_and_check_the_tool_niceness() throws Exception {
        Settings s = load("backup.zstd-level=7\nrestore.pg-restore-jobs=4\nstore.upload-part-size-mb=8\nops.tool-nice=5\n");
        assertEquals(7, s.backup().zstdLevel());
        assertEquals(4, s.restore().pgRestoreJobs());
        assertEquals(8L * 1024 * 1024, s.store().uploadPartSizeBytes());
        assertEquals(5, s.tools().nice());
        assertEquals(10, load("").tools().nice());
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> load("ops.tool-nice=20\n"));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("ops.tool-nice"), e.getMessage());
    }

    @Test
    void should_read_the_dump_compression_and_the_pack_fetch_parallelism_within_their_bounds() throws Exception {
        Settings defaults = load("");
        assertEquals(1, defaults.backup().dumpCompression());
        assertEquals(1, defaults.backup().zstdLevel(), "zstd level 1: about 12 % less zstd time than 2 for 1.8 % more bytes");
        assertEquals(Settings.Restore.PACK_FETCH_UNSET, defaults.restore().packFetchParallelism(), "unset: by the store and the load");
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(Math.max(2, Math.min(4, cores)), Settings.Restore.packFetchThreads(0, true, true), "S3: the cores, 2 to 4");
        assertEquals(Math.max(2, Math.min(4, cores)), Settings.Restore.packFetchThreads(0, false, false), "a drill: the cores, 2 to 4");
        assertEquals(Math.max(1, Math.min(4, cores - 1)), Settings.Restore.packFetchThreads(0, false, true),
                "a restore from a local store: one fewer, 1 to 4");
        assertEquals(3, Settings.Restore.packFetchThreads(3, false, true), "as set, whatever the load");
        Settings s = load("backup.dump-compression=6\nrestore.pack-fetch-parallelism=1\n");
        assertEquals(6, s.backup().dumpCompression());
        assertEquals(1, s.restore().packFetchParallelism());
        for (String bad : new String[]{"backup.dump-compression=10", "restore.pack-fetch-parallelism=0"}) {
            String msg = assertThrows(ConfigException.class, () -> load(bad + "\n")).getMessage();
            assertTrue(msg.contains(bad.substring(0, bad.indexOf('='))), msg);
        }
    }

    @Test
    void should_give_pg_restore_the_index_build_workers_in_pgoptions_unless_left_to_the_server() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(Math.max(0, Math.min(2, (cores - 2) / 2)), load("").restore().indexBuildWorkers(), "none on 2-3 cores, 1 on 4-5, then 2");
        Settings none = load("restore.index-build-workers=0\n");
        assertEquals(java.util.Map.of("PGPASSFILE", "/x", "PGOPTIONS", "-c max_parallel_maintenance_workers=0"),
                none.restore().pgRestoreEnvironment(java.util.Map.of("PGPASSFILE", "/x")));
        Settings server = load("restore.index-build-workers=-1\n");
        assertEquals(java.util.Map.of("PGPASSFILE", "/x"), server.restore().pgRestoreEnvironment(java.util.Map.of("PGPASSFILE", "/x")),
                "the server's own setting: no PGOPTIONS");
        String msg = assertThrows(ConfigException.class, () -> load("restore.index-build-workers=-2\n")).getMessage();
        assertTrue(msg.contains("restore.index-build-workers"), msg);
    }

    @Test
    void should_write_as_many_packs_at_once_as_cores_up_to_four_and_share_the_cores_among_their_zstd() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        Settings defaults = load("");
        assertEquals(Math.max(1, Math.min(4, cores)), defaults.backup().packWriters(), "the cores, at most 4");
        assertEquals(Math.max(1, cores / defaults.backup().packWriters()), defaults.backup().zstdThreadsPerPack());
        Settings one = load("backup.pack-writers=1\n");
        assertEquals(1, one.backup().packWriters());
        assertEquals(cores, one.backup().zstdThreadsPerPack(), "one pack at a time: zstd on every core");
        assertEquals(1, load("backup.pack-writers=64\n").backup().zstdThreadsPerPack(), "never fewer than one thread");
        for (String bad : new String[]{"backup.pack-writers=0", "backup.pack-writers=65", "backup.pack-writers=two"}) {
            String msg = assertThrows(ConfigException.class, () -> load(bad + "\n")).getMessage();
            assertTrue(msg.contains("backup.pack-writers"), msg);
        }
    }
}
