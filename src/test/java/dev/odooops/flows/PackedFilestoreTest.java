package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.FilestoreIndex;
import dev.odooops.domain.Json;
import dev.odooops.domain.TreeDigest;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.demo.DemoEnvironment;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.odooops.support.TestEnvironment.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packed filestore (issue #8 part 1 and 3) against the real store, tar and zstd: a backup reads and stores
 * only the files the project's packs do not hold; a restore links what the live filestore already has and
 * fetches only the rest; a filestore rebuilt from the packs with zstd and tar alone is the one backed up; an
 * artifact of the earlier format still restores.
 */
class PackedFilestoreTest {
    private TestEnvironment env;
    private OpsRuntime runtime;

    @BeforeEach
    void setUp() throws Exception {
        env = TestEnvironment.create("packed").withLocalStore().withType("staging")
                .withProperty("backup.filestore-format", "packed");
        runtime = env.runtime();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        if (env != null) env.close();
    }

    private BackupResult backup() {
        BackupResult r = runtime.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null, null,
                null, null, "operator", "test"));
        assertEquals("success", r.status(), r.error());
        return r;
    }

    private RestoreResult restore(String artifactId) {
        RestoreResult r = runtime.operations().restore(new RestoreRequest(env.project, "prod", artifactId, BackupType.FULL,
                true, true, null, "operator", "test"));
        assertEquals("success", r.status(), r.error() + " in " + r.failedStep());
        return r;
    }

    private Map<String, Object> meta(BackupResult b) {
        return Json.readMap(Path.of(b.evidenceDir()).resolve("filestore.meta.json"));
    }

    private static int number(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).intValue();
    }

    /** A new Odoo attachment: named by the SHA-1 of its content. */
    private String addAttachment(String content) throws Exception {
        Path tmp = Files.createTempFile(env.root, "att", "");
        Files.writeString(tmp, content);
        String sha = Checksums.sha1(tmp);
        Path target = env.odoo.filestore().resolve(sha.substring(0, 2)).resolve(sha);
        Files.createDirectories(target.getParent());
        Files.move(tmp, target);
        return sha.substring(0, 2) + "/" + sha;
    }

    private Map<String, String> tree(Path root) throws Exception {
        Map<String, String> out = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) out.put(root.relativize(f).toString(), Checksums.sha1(f));
        }
        return out;
    }

    private Path stored(String artifactId) {
        return env.localStoreDir().resolve(env.project).resolve("prod").resolve(artifactId);
    }

    @Test
    void should_store_only_what_the_project_does_not_hold_and_restore_by_linking_what_is_there() throws Exception {
        int files = tree(env.odoo.filestore()).size();
        BackupResult first = backup();
        Map<String, Object> m1 = meta(first);
        assertEquals(files, number(m1, "file_count"));
        assertEquals(files, number(m1, "new_files"), "the first backup stores everything");
        assertEquals(2, number(m1, "format_version"));
        assertTrue(String.valueOf(m1.get("pack_writer")).startsWith("in process (zstd library "), String.valueOf(m1.get("pack_writer")));
        assertEquals(2, runtime.catalog().artifacts().artifact(first.artifactId()).orElseThrow().manifest().format());
        assertTrue(Files.isRegularFile(stored(first.artifactId()).resolve(FilestoreIndex.FILE)));
        assertFalse(Files.exists(stored(first.artifactId()).resolve("filestore.tar.zst")));
        // the sums file checks the index and every pack with sha256sum alone, from the artifact's folder
        sh(stored(first.artifactId()), "sha256sum", "-c", "filestore.tar.zst.sha256");

        String added = addAttachment("a contract signed today");
        BackupResult second = backup();
        Map<String, Object> m2 = meta(second);
        assertEquals(files + 1, number(m2, "file_count"));
        assertEquals(files, number(m2, "known_by_name"), "files the project holds by name are not read");
        assertEquals(1, number(m2, "read_files"));
        assertEquals(1, number(m2, "new_files"));
        assertEquals(1, number(m2, "new_packs"));

        // the "undo today" case: the environment changed since; the restore links what it still holds
        Map<String, String> backedUp = tree(env.odoo.filestore());
        Path gone = env.odoo.filestore().resolve(added);
        Files.delete(gone);
        addAttachment("a file written after the backup");
        RestoreResult undo = restore(second.artifactId());
        assertEquals(backedUp, tree(env.odoo.filestore()), "the restored tree is the backed-up one, every SHA-1 as named");
        Map<String, Object> d = Json.readMap(Path.of(undo.evidenceDir()).resolve("filestore_restore_duration.json"));
        assertEquals(files, number(d, "linked_files"), "unchanged files are linked, not copied");
        assertEquals(1, number(d, "fetched_files"), "only the missing file is fetched");
        assertEquals(1, number(d, "fetched_packs"));

        // disaster recovery: nothing is there, everything is fetched
        sh(null, "rm", "-rf", env.odoo.filestore().toString());
        RestoreResult dr = restore(second.artifactId());
        assertEquals(backedUp, tree(env.odoo.filestore()));
        Map<String, Object> d2 = Json.readMap(Path.of(dr.evidenceDir()).resolve("filestore_restore_duration.json"));
        assertEquals(0, number(d2, "linked_files"));
        assertEquals(files + 1, number(d2, "fetched_files"));
        // the new tree synced to disk before it was swapped in (sync --file-system), in both restores
        assertTrue(d.get("sync_ms") instanceof Number && d2.get("sync_ms") instanceof Number, d2.toString());
        assertTrue(Files.readString(Path.of(dr.evidenceDir()).resolve("filestore_restore.log")).contains("synced to disk in "));
    }

    @Test
    void should_rebuild_the_filestore_from_the_index_and_the_packs_with_zstd_and_tar_alone() throws Exception {
        addAttachment("one more");
        backup();
        addAttachment("and another");
        BackupResult b = backup();
        Map<String, String> expected = tree(env.odoo.filestore());
        Path out = Files.createDirectories(env.root.resolve("rebuilt"));
        // docs/runbook.md, "A packed filestore by hand": for each pack the index names, extract the paths it holds
        Path artifact = stored(b.artifactId());
        String script = """
                set -euo pipefail
                cd "$1"
                for pack in $(cut -f4 filestore.index.tsv | sort -u); do
                  awk -F'\\t' -v p="$pack" '$4 == p {print "./" $1}' filestore.index.tsv > "$2/.members"
                  zstd -dc "../../_packs/$pack.tar.zst" | tar -x -C "$2" --files-from="$2/.members"
                done
                rm "$2/.members"
                """;
        sh(null, "bash", "-c", script, "rebuild", artifact.toString(), out.toString());
        assertEquals(expected, tree(out));
        FilestoreIndex index = FilestoreIndex.parse(Files.readString(artifact.resolve(FilestoreIndex.FILE)));
        index.entries().forEach(e -> assertEquals(e.sha1(), expected.get(e.path()), e.path()));
        assertEquals(TreeDigest.V3, number(meta(b), "tree_digest_version"));
    }

    @Test
    void should_still_restore_an_artifact_of_the_earlier_format() throws Exception {
        runtime.close();
        runtime = null;
        env.withProperty("backup.filestore-format", "archive");
        try (OpsRuntime archive = env.runtime()) {
            runtime = archive;
            BackupResult old = backup();
            assertTrue(Files.isRegularFile(stored(old.artifactId()).resolve("filestore.tar.zst")));
            runtime = null;
            archive.close();
            env.withProperty("backup.filestore-format", "packed");
            runtime = env.runtime();
            Map<String, String> expected = tree(env.odoo.filestore());
            addAttachment("after the old backup");
            restore(old.artifactId());
            assertEquals(expected, tree(env.odoo.filestore()));
            assertEquals(1, runtime.catalog().artifacts().artifact(old.artifactId()).orElseThrow().manifest().format());
        }
    }

    /**
     * backup.pack-writer=tar (and where zstd's library cannot load): packs written by tar --zstd, read back by the
     * same restore as the ones written in process (by tar, with the library turned off, and in process), and a
     * backup in process after them reuses what they hold.
     */
    @Test
    void should_write_packs_with_tar_when_asked_and_restore_them_as_the_ones_written_in_process() throws Exception {
        runtime.close();
        runtime = null;
        env.withProperty("backup.pack-writer", "tar");
        try (OpsRuntime withTar = env.runtime()) {
            runtime = withTar;
            BackupResult byTar = backup();
            assertTrue(String.valueOf(meta(byTar).get("pack_writer")).startsWith("tar --zstd (backup.pack-writer=tar)"),
                    String.valueOf(meta(byTar).get("pack_writer")));
            runtime = null;
            withTar.close();
            env.withProperty("backup.pack-writer", "library");
            runtime = env.runtime();
            Map<String, String> expected = tree(env.odoo.filestore());
            String added = addAttachment("after the packs tar wrote");
            BackupResult inProcess = backup();
            assertTrue(String.valueOf(meta(inProcess).get("pack_writer")).startsWith("in process"));
            assertEquals(1, number(meta(inProcess), "new_files"), "what tar's packs hold is not stored again");
            sh(null, "rm", "-rf", env.odoo.filestore().toString());
            System.setProperty(dev.odooops.store.ZstdLibrary.SWITCH, "off"); // as where the library cannot load: tar reads
            try {
                restore(byTar.artifactId());
            } finally {
                System.clearProperty(dev.odooops.store.ZstdLibrary.SWITCH);
            }
            assertEquals(expected, tree(env.odoo.filestore()), "a disaster recovery from tar's packs, by tar");
            sh(null, "rm", "-rf", env.odoo.filestore().toString());
            restore(inProcess.artifactId());
            expected.put(added, added.substring(3));
            assertEquals(expected, tree(env.odoo.filestore()), "and from both writers' packs together");
        }
    }

    @Test
    void should_catch_one_flipped_byte_in_a_pack_with_read_data_only() throws Exception {
        BackupResult b = backup();
        assertTrue(runtime.operations().verifyArtifact(new dev.odooops.model.ArtifactRequest(b.artifactId(), true, 100, "operator")).ok());
        Path packs = env.localStoreDir().resolve(env.project).resolve("_packs");
        Path pack;
        try (Stream<Path> s = Files.list(packs)) {
            pack = s.filter(p -> p.toString().endsWith(".tar.zst")).sorted().findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(pack);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(pack, bytes);

        var quick = runtime.operations().verifyArtifact(new dev.odooops.model.ArtifactRequest(b.artifactId(), "operator"));
        assertTrue(quick.ok(), "without --read-data a pack is checked for presence and size: " + quick.body());
        var full = runtime.operations().verifyArtifact(new dev.odooops.model.ArtifactRequest(b.artifactId(), true, 100, "operator"));
        assertFalse(full.ok(), "one flipped byte is found");
        String report = String.valueOf(full.body());
        assertTrue(report.contains(pack.getFileName().toString().replace(".tar.zst", "")), report);
    }

    private BackupResult backupKeepingOne() {
        BackupResult r = runtime.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null, 1, 0, 0,
                "operator", "test"));
        assertEquals("success", r.status(), r.error());
        return r;
    }

    private static void age(String artifactId) throws Exception {
        RetentionFlowTest.age(artifactId, "3 days");
    }

    private List<String> packsInStore() throws Exception {
        Path dir = env.localStoreDir().resolve(env.project).resolve("_packs");
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tar.zst"))
                    .map(n -> n.replace(".tar.zst", "")).sorted().toList();
        }
    }

    /** Three backups, the file of the second's new pack deleted again: that pack is referred to by pruned artifacts only. */
    private String packOnlyPrunedArtifactsNeed() throws Exception {
        BackupResult first = backup();
        age(first.artifactId());
        String added = addAttachment("kept for a while, then removed by Odoo's garbage collector");
        BackupResult second = backup();
        age(second.artifactId());
        List<String> before = packsInStore();
        Files.delete(env.odoo.filestore().resolve(added));
        String onlyNew = FilestoreIndex.parse(Files.readString(stored(second.artifactId()).resolve(FilestoreIndex.FILE)))
                .entries().stream().filter(e -> e.path().equals(added)).findFirst().orElseThrow().pack();
        assertTrue(before.contains(onlyNew));
        return onlyNew;
    }

    @Test
    void should_remove_the_packs_no_live_artifact_needs_and_keep_every_pack_a_live_index_names() throws Exception {
        String gone = packOnlyPrunedArtifactsNeed();
        BackupResult last = backupKeepingOne();
        assertFalse(packsInStore().contains(gone), "the pack only pruned artifacts needed is removed");
        assertTrue(TestEnvironment.ops("select 1 from ops.filestore_packs where pack_id = ?", gone).isEmpty());
        var check = runtime.operations().check(new dev.odooops.model.CheckRequest(env.project, "operator"));
        assertTrue(check.ok(), check.body().toString());
        assertEquals(List.of(), check.body().get("unreferenced_packs"));
        assertTrue(runtime.operations().verifyArtifact(new dev.odooops.model.ArtifactRequest(last.artifactId(), true, 100, "operator")).ok());
        Map<String, Object> retention = Json.readMap(Path.of(last.evidenceDir()).resolve("retention_prune.json"));
        assertEquals(List.of(gone), retention.get("packs_removed"));
    }

    @Test
    void should_never_leave_a_live_index_naming_a_removed_pack_when_killed_while_collecting() throws Exception {
        for (String point : List.of("pack-collection:marked", "pack-collection:object-removed")) {
            String gone = packOnlyPrunedArtifactsNeed();
            runtime.close();
            runtime = null;
            env.withSpawnEnv("ODOO_OPS_CRASH_AT", point);
            Process p = env.spawn(env.root.resolve("crash.out"), env.root.resolve("crash.err"), "backup", "--env",
                    env.environmentId(), "--keep-daily", "1", "--keep-weekly", "0", "--keep-monthly", "0");
            assertTrue(p.waitFor(180, java.util.concurrent.TimeUnit.SECONDS));
            env.withSpawnEnv("ODOO_OPS_CRASH_AT", "");
            assertEquals(137, p.exitValue(), "killed at " + point + ": " + Files.readString(env.root.resolve("crash.err")));
            runtime = env.runtime();
            // what the killed run committed is whole: every pack its index names is there
            var check = runtime.operations().check(new dev.odooops.model.CheckRequest(env.project, "operator"));
            assertTrue(check.ok(), point + ": " + check.body());
            runtime.operations().recover(new dev.odooops.model.RecoverRequest(env.project, "prod", "operator", "test"));
            BackupResult next = backupKeepingOne();
            assertFalse(packsInStore().contains(gone), point + ": the next collection finishes it");
            assertTrue(runtime.operations().verifyArtifact(new dev.odooops.model.ArtifactRequest(next.artifactId(), true, 100, "operator"))
                    .ok(), point);
            age(next.artifactId());
        }
    }

    @Test
    void should_remove_the_packs_of_a_backup_killed_before_it_registered_them() throws Exception {
        backup();
        for (String point : List.of("upload-packs:pack-uploaded", "before:upload-artifact")) {
            addAttachment("new today, before the kill at " + point);
            List<String> before = packsInStore();
            runtime.close();
            runtime = null;
            env.withSpawnEnv("ODOO_OPS_CRASH_AT", point);
            Process p = env.spawn(env.root.resolve("crash.out"), env.root.resolve("crash.err"), "backup", "--env",
                    env.environmentId());
            assertTrue(p.waitFor(180, java.util.concurrent.TimeUnit.SECONDS));
            env.withSpawnEnv("ODOO_OPS_CRASH_AT", "");
            assertEquals(137, p.exitValue(), "killed at " + point + ": " + Files.readString(env.root.resolve("crash.err")));
            List<String> orphans = new java.util.ArrayList<>(packsInStore());
            orphans.removeAll(before);
            assertEquals(1, orphans.size(), point + ": the killed run had uploaded its new pack");
            runtime = env.runtime();
            var check = runtime.operations().check(new dev.odooops.model.CheckRequest(env.project, "operator"));
            assertEquals(orphans, check.body().get("unreferenced_packs"), point + ": check finds it");

            // the next run on the environment finds the dead run and removes what it left in the store
            var recovered = runtime.operations().recover(new dev.odooops.model.RecoverRequest(env.project, "prod", "operator", "test"));
            assertTrue(recovered.ok(), recovered.body().toString());
            assertEquals(before, packsInStore(), point + ": the unregistered pack is gone, every registered one stays");
            assertTrue(String.valueOf(recovered.body()).contains("unregistered_packs_removed"), recovered.body().toString());
            check = runtime.operations().check(new dev.odooops.model.CheckRequest(env.project, "operator"));
            assertTrue(check.ok(), point + ": " + check.body());
            assertEquals(List.of(), check.body().get("unreferenced_packs"));
            BackupResult next = backup();
            assertTrue(runtime.operations().verifyArtifact(new dev.odooops.model.ArtifactRequest(next.artifactId(), true, 100, "operator"))
                    .ok(), point);
        }
    }

    @Test
    void should_back_up_only_the_requested_half_in_the_packed_format() throws Exception {
        BackupResult db = runtime.operations().backup(BackupRequest.of(env.project, "prod", BackupType.DB_ONLY, null, null,
                null, null, "operator", "test"));
        assertEquals("success", db.status(), db.error());
        assertEquals(List.of("config_snapshot.json", "db.dump", "db.dump.meta.json", "db.dump.sha256", "manifest.json"),
                names(stored(db.artifactId())));
        assertFalse(Files.exists(env.localStoreDir().resolve(env.project).resolve("_packs")), "a database-only backup writes no pack");

        BackupResult fs = runtime.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FILESTORE_ONLY, null,
                null, null, null, "operator", "test"));
        assertEquals("success", fs.status(), fs.error());
        assertEquals(List.of("config_snapshot.json", FilestoreIndex.FILE, "filestore.meta.json", "filestore.tar.zst.sha256",
                "manifest.json"), names(stored(fs.artifactId())));
        assertEquals(null, runtime.catalog().artifacts().artifact(fs.artifactId()).orElseThrow().manifest().dbDump());
        sh(stored(fs.artifactId()), "sha256sum", "-c", "filestore.tar.zst.sha256");
    }

    /**
     * Replaced by other bytes, one byte flipped inside the archive, or bytes appended after its end (the extraction would
     * find every member it needs: only the pack's digest differs).
     */
    @ParameterizedTest
    @ValueSource(strings = {"replaced", "flipped", "appended"})
    void should_refuse_a_pack_that_differs_from_its_recorded_digest_before_anything_live_changes(String damage) throws Exception {
        BackupResult b = backup();
        Map<String, String> live = tree(env.odoo.filestore());
        String pack = packsInStore().get(0);
        Path stored = env.localStoreDir().resolve(env.project).resolve("_packs").resolve(pack + ".tar.zst");
        switch (damage) {
            case "replaced" -> Files.writeString(stored, "not the pack that was stored");
            case "flipped" -> {
                byte[] bytes = Files.readAllBytes(stored);
                bytes[bytes.length / 2] ^= 0x01;
                Files.write(stored, bytes);
            }
            default -> Files.write(stored, new byte[]{0x28, (byte) 0xB5, 0x2F, (byte) 0xFD}, java.nio.file.StandardOpenOption.APPEND);
        }
        // the restore needs that pack: the live filestore lost its files
        for (String f : List.copyOf(live.keySet())) Files.delete(env.odoo.filestore().resolve(f));
        Map<String, String> emptied = tree(env.odoo.filestore());

        RestoreResult r = runtime.operations().restore(new RestoreRequest(env.project, "prod", b.artifactId(),
                BackupType.FULL, true, true, null, "operator", "test"));
        assertTrue(r.error().contains("pack " + pack + " is damaged in the store"), r.error());
        // the new filestore is built before quiesce: its refusal ends the run there, before anything live changes
        assertEquals("await-new-filestore", r.failedStep());
        assertTrue(List.of("failed", "rolled_back").contains(r.status()), r.status());
        assertEquals(emptied, tree(env.odoo.filestore()), "nothing live was changed");
        assertEquals("failed", r.status(), "nothing live to roll back");
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Deletes the largest files until at least {@code percent} of the filestore's bytes are gone; returns what is left. */
    private Map<String, String> deleteMostOfTheFilestore(int percent) throws Exception {
        Map<String, String> all = tree(env.odoo.filestore());
        long total = 0;
        Map<String, Long> sizes = new java.util.HashMap<>();
        for (String f : all.keySet()) {
            long size = Files.size(env.odoo.filestore().resolve(f));
            sizes.put(f, size);
            total += size;
        }
        long gone = 0;
        for (String f : all.keySet().stream().sorted(java.util.Comparator.comparing(sizes::get).reversed()).toList()) {
            if (gone * 100 >= total * percent) break;
            Files.delete(env.odoo.filestore().resolve(f));
            gone += sizes.get(f);
        }
        return tree(env.odoo.filestore());
    }

    /** The database still names the attachments deleted here: the filestore is restored without validation. */
    private void restoreFilesOnly(String artifactId) {
        RestoreResult r = runtime.operations().restore(new RestoreRequest(env.project, "prod", artifactId,
                BackupType.FILESTORE_ONLY, false, true, null, "operator", "test"));
        assertEquals("success", r.status(), r.error() + " in " + r.failedStep());
    }

    private Path packFile(String id) {
        return env.localStoreDir().resolve(env.project).resolve("_packs").resolve(id);
    }

    @Test
    void should_repack_a_mostly_dead_pack_and_still_restore_every_live_artifact() throws Exception {
        BackupResult first = backup();
        String pack = packsInStore().get(0);
        age(first.artifactId());
        Map<String, String> left = deleteMostOfTheFilestore(70);
        BackupResult second = backupKeepingOne(); // prunes the first: most of its pack is nobody's now
        Map<String, Object> retention = Json.readMap(Path.of(second.evidenceDir()).resolve("retention_prune.json"));
        @SuppressWarnings("unchecked")
        Map<String, Object> repacked = (Map<String, Object>) retention.get("packs_repacked");
        assertTrue(repacked != null && repacked.containsKey(pack), retention.toString());
        String into = second.artifactId().toLowerCase(java.util.Locale.ROOT) + "-r0001"; // named after the pruning run
        assertEquals(List.of(into), packsInStore(), "the old pack is collected once nothing live needs it");
        assertEquals(into + "\n", Files.readString(packFile(pack + ".moved")), "the store says where its files went");
        assertEquals(left.size(), TestEnvironment.ops("select 1 from ops.filestore_objects where pack_id = ?", into).size());
        var check = runtime.operations().check(new dev.odooops.model.CheckRequest(env.project, "operator"));
        assertTrue(check.ok(), check.body().toString());
        assertEquals(List.of(), check.body().get("unreferenced_packs"));
        assertTrue(runtime.operations().verifyArtifact(new dev.odooops.model.ArtifactRequest(second.artifactId(), true, 100, "operator")).ok());

        // by hand: the index still names the old pack; its .moved names the one that holds the files now
        Path out = Files.createTempDirectory(env.root, "rebuild-");
        sh(null, "bash", "-c", """
                set -euo pipefail
                cd "$1"
                for pack in $(cut -f4 filestore.index.tsv | sort -u); do
                  p=$pack; while [ ! -f "../../_packs/$p.tar.zst" ] && [ -f "../../_packs/$p.moved" ]; do p=$(cat "../../_packs/$p.moved"); done
                  awk -F'\\t' -v p="$pack" '$4 == p {print "./" $1}' filestore.index.tsv > "$2/../.members"
                  zstd -dc "../../_packs/$p.tar.zst" | tar -x -C "$2" --files-from="$2/../.members"
                done
                """, "rebuild", stored(second.artifactId()).toString(), out.toString());
        assertEquals(left, tree(out));

        // disaster recovery from the repacked pack, and a later backup refers to the new pack directly
        DemoEnvironment.deleteTree(env.odoo.filestore());
        restoreFilesOnly(second.artifactId());
        assertEquals(left, tree(env.odoo.filestore()));
        addAttachment("new after the repack");
        BackupResult third = backup();
        FilestoreIndex index = FilestoreIndex.parse(Files.readString(stored(third.artifactId()).resolve(FilestoreIndex.FILE)));
        assertTrue(index.packs().contains(into) && !index.packs().contains(pack), index.packs().toString());
    }

    @Test
    void should_leave_every_live_artifact_restorable_when_killed_while_repacking() throws Exception {
        BackupResult first = backup();
        String pack = packsInStore().get(0);
        Map<String, String> left = deleteMostOfTheFilestore(70);
        backup();
        runtime.close();
        runtime = null;
        for (String point : List.of("repack:uploaded", "repack:recorded")) {
            // every artifact so far three days older: the run below keeps only its own, so most of the pack is dead
            TestEnvironment.ops("update ops.artifacts set created_at = created_at - interval '3 days' where environment_id = ? "
                    + "returning id", env.environmentId());
            env.withSpawnEnv("ODOO_OPS_CRASH_AT", point);
            Process p = env.spawn(env.root.resolve("crash.out"), env.root.resolve("crash.err"), "backup", "--env",
                    env.environmentId(), "--keep-daily", "1", "--keep-weekly", "0", "--keep-monthly", "0");
            assertTrue(p.waitFor(180, java.util.concurrent.TimeUnit.SECONDS));
            env.withSpawnEnv("ODOO_OPS_CRASH_AT", "");
            assertEquals(137, p.exitValue(), "killed at " + point + ": " + Files.readString(env.root.resolve("crash.err")));
            try (OpsRuntime after = env.runtime()) {
                runtime = after;
                runtime.operations().recover(new dev.odooops.model.RecoverRequest(env.project, "prod", "operator", "test"));
                String newest = String.valueOf(TestEnvironment.ops("select id from ops.artifacts where environment_id = ? "
                        + "and pruned_at is null order by created_at desc limit 1", env.environmentId()).get(0).get("id"));
                assertTrue(runtime.operations().verifyArtifact(new dev.odooops.model.ArtifactRequest(newest, true, 100, "operator"))
                        .ok(), point + ": the live artifact still reads whole");
                runtime = null;
            }
        }
        runtime = env.runtime();
        // the first kill left a reserved pack nobody refers to: check lists it, a collection removes it after a day
        List<Map<String, Object>> pending = TestEnvironment.ops("select pack_id from ops.filestore_packs where project = ? "
                + "and pending_since is not null", env.project);
        assertEquals(1, pending.size(), pending.toString());
        String orphan = String.valueOf(pending.get(0).get("pack_id"));
        assertTrue(packsInStore().contains(orphan));
        var listed = runtime.operations().check(new dev.odooops.model.CheckRequest(env.project, "operator"));
        assertTrue(((List<?>) listed.body().get("unreferenced_packs")).contains(orphan), listed.body().toString());
        BackupResult young = backupKeepingOne();
        assertTrue(packsInStore().contains(orphan), "a pending pack is not collected within a day: its writer may be at work");
        assertFalse(packsInStore().contains(pack), "the second kill had recorded the move: the old pack is collected");
        TestEnvironment.ops("update ops.filestore_packs set pending_since = now() - interval '2 days' where project = ? "
                + "and pending_since is not null returning pack_id", env.project);
        BackupResult next = backupKeepingOne();
        assertFalse(packsInStore().contains(orphan), "an old reservation is collected with its object");
        var check = runtime.operations().check(new dev.odooops.model.CheckRequest(env.project, "operator"));
        assertTrue(check.ok(), check.body().toString());
        assertEquals(List.of(), check.body().get("unreferenced_packs"));
        assertTrue(runtime.operations().verifyArtifact(new dev.odooops.model.ArtifactRequest(young.artifactId(), true, 100, "operator")).ok());
        DemoEnvironment.deleteTree(env.odoo.filestore());
        restoreFilesOnly(next.artifactId());
        assertEquals(left, tree(env.odoo.filestore()));
    }


    @Test
    void should_refuse_to_record_a_repack_planned_from_other_readers_than_the_packs_now() throws Exception {
        BackupResult b = backup();
        String pack = packsInStore().get(0);
        var catalog = runtime.catalog();
        String id = b.artifactId().toLowerCase(java.util.Locale.ROOT) + "-r0001";
        assertTrue(catalog.packs().reservePack(env.project, id, "file:///nowhere/", false));
        var to = new dev.odooops.model.NewPack(id, "file:///nowhere/" + id + ".tar.zst", "0".repeat(64), 1, 0, 0, false);
        // a backup registered since the plan refers to the pack: the plan may lack members it needs
        assertFalse(catalog.packs().recordRepack(env.project, pack, to, List.of(), java.util.Set.of("an-artifact-the-plan-saw")));
        assertEquals(pack, catalog.packs().currentPacks(env.project, List.of(pack)).get(pack).id(), "nothing moved");
        catalog.packs().dropReservation(env.project, id);
        assertTrue(TestEnvironment.ops("select 1 from ops.filestore_packs where pack_id = ?", id).isEmpty());
    }

    @Test
    void should_store_again_the_files_of_a_pack_missing_from_the_store_instead_of_counting_on_it() throws Exception {
        backup();
        String pack = packsInStore().get(0);
        Files.delete(packFile(pack + ".tar.zst")); // the store lost it; the catalog still knows it
        addAttachment("new after the loss");
        BackupResult b = backup();
        assertTrue(b.warnings().stream().anyMatch(w -> w.contains("missing from the store")), b.warnings().toString());
        Map<String, Object> m = meta(b);
        assertEquals(List.of(pack), m.get("packs_missing_from_store"));
        assertEquals(number(m, "file_count"), number(m, "new_files"), "every file of the lost pack is stored again");
        FilestoreIndex index = FilestoreIndex.parse(Files.readString(stored(b.artifactId()).resolve(FilestoreIndex.FILE)));
        assertFalse(index.packs().contains(pack));
        assertTrue(runtime.operations().verifyArtifact(new dev.odooops.model.ArtifactRequest(b.artifactId(), true, 100, "operator")).ok());
    }
}
