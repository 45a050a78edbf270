package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.cli.Commands;
import dev.odooops.domain.Json;
import dev.odooops.domain.TreeDigest;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.support.Await;
import dev.odooops.support.OdooStandIn;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static dev.odooops.support.TestEnvironment.ops;
import static dev.odooops.support.TestEnvironment.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue #6 items 3, 12 and 14 from the backup side: a damaged, a busy and a polluted filestore. */
class FilestoreBackupTest {
    private TestEnvironment env;
    private OpsRuntime runtime;

    @BeforeEach
    void setUp() throws Exception {
        env = TestEnvironment.create("fsbackup");
        runtime = env.runtime();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (runtime != null) runtime.close();
        if (env != null) env.close();
    }

    private List<Path> attachmentFiles() throws Exception {
        try (Stream<Path> s = Files.walk(env.odoo.filestore())) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static String rel(Path root, Path p) {
        return root.relativize(p).toString();
    }

    @Test
    void should_report_missing_corrupt_and_non_regular_filestore_entries_and_still_succeed() throws Exception {
        Path fs = env.odoo.filestore();
        List<Path> files = attachmentFiles();
        Path deleted = files.get(3);
        Path corrupted = files.get(7);
        Files.delete(deleted);
        Files.writeString(corrupted, "bit rot");
        Files.createSymbolicLink(fs.resolve("ab-link"), Path.of("/etc/passwd"));
        sh(null, "mkfifo", fs.resolve("a-fifo").toString());

        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int exit = new Commands(runtime.operations(), new PrintStream(stdout, true, StandardCharsets.UTF_8)).backup(
                BackupRequest.of(env.project, "prod", BackupType.FULL, null, null, null, null, "operator", "cli"));

        assertEquals(Commands.OK, exit, "the backup is the best copy there is: it succeeds");
        Map<String, Object> json = Json.readMap(stdout.toString(StandardCharsets.UTF_8).strip());
        assertEquals("success", json.get("status"));
        List<?> warnings = (List<?>) json.get("warnings");
        assertEquals(3, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).toString().contains("1 referenced file(s) missing") && warnings.get(0).toString()
                .contains(rel(fs, deleted)), warnings.toString());
        assertTrue(warnings.get(1).toString().contains("1 referenced file(s) corrupt") && warnings.get(1).toString()
                .contains(rel(fs, corrupted)), warnings.toString());
        assertTrue(warnings.get(2).toString().contains("2 entries neither a regular file nor a directory"), warnings.toString());

        Path evidence = Path.of((String) json.get("evidence_dir"));
        Map<String, Object> check = Json.readMap(evidence.resolve("filestore_check.json"));
        assertEquals(files.size(), ((Number) check.get("referenced")).intValue());
        assertEquals(List.of(rel(fs, deleted)), check.get("missing_files"));
        assertEquals(List.of(rel(fs, corrupted)), check.get("corrupt_files"));
        assertEquals(List.of("fifo a-fifo", "symlink ab-link"), check.get("non_regular_entries"));
        assertEquals(0, ((Number) check.get("unreferenced")).intValue());
        assertEquals(warnings, Json.readMap(evidence.resolve("final_status.json")).get("warnings"));
        Map<String, Object> metadata = Json.readMap(ops("select metadata::text as m from ops.runs where run_id = ?::uuid",
                json.get("run_id")).get(0).get("m").toString());
        assertEquals(1, ((Number) metadata.get("missing_files")).intValue());
        assertEquals(1, ((Number) metadata.get("corrupt_files")).intValue());

        // the same check without the database dump: filestore_only reads the references itself
        BackupResult fsOnly = runtime.operations().backup(BackupRequest.of(env.project, "prod",
                BackupType.FILESTORE_ONLY, null, null, null, null, "operator", "test"));
        assertEquals("success", fsOnly.status(), fsOnly.error());
        assertEquals(3, fsOnly.warnings().size(), fsOnly.warnings().toString());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"packed", "archive"})
    void should_back_up_a_busy_filestore_and_restore_exactly_the_tree_it_recorded(String format) throws Exception {
        env.withProperty("backup.filestore-format", format);
        runtime.close();
        runtime = env.runtime();
        boolean packed = format.equals("packed");
        Path fs = env.odoo.filestore();
        List<BackupResult> backups = new ArrayList<>();
        BusyOdoo busy = new BusyOdoo(fs);
        try (busy) {
            Await.until("the busy Odoo to have written a few files", () -> busy.written.get() >= 5);
            for (int i = 0; i < 3; i++) {
                backups.add(runtime.operations().backup(BackupRequest.of(env.project, "prod",
                        i == 1 ? BackupType.FILESTORE_ONLY : BackupType.FULL, null, null, null, null, "operator", "test")));
            }
        }
        assertTrue(busy.written.get() > 20 && busy.removed.get() > 5, "the filestore was busy: " + busy.written + " written, "
                + busy.removed + " removed");
        for (BackupResult b : backups) {
            assertEquals("success", b.status(), b.error());
            assertEquals(List.of(), b.warnings(), "every referenced file is there; the churn is unreferenced");
        }

        // the archive holds exactly the tree the backup recorded
        BackupResult last = backups.get(backups.size() - 1);
        Path stored = env.s3Dir.resolve("backups/ops").resolve(env.project).resolve("prod").resolve(last.artifactId());
        Map<String, Object> meta = Json.readMap(stored.resolve("filestore.meta.json"));
        Path extracted = Files.createDirectories(env.root.resolve("extracted"));
        int version = packed ? TreeDigest.V3 : TreeDigest.V2;
        if (packed) {
            // the runbook's rebuild: the paths the index lists, from the packs it names
            sh(null, "bash", "-c", """
                    set -euo pipefail
                    cd "$1"
                    for pack in $(cut -f4 filestore.index.tsv | sort -u); do
                      awk -F'\\t' -v p="$pack" '$4 == p {print "./" $1}' filestore.index.tsv > "$2/../.members"
                      zstd -dc "../../_packs/$pack.tar.zst" | tar -x -C "$2" --files-from="$2/../.members"
                    done
                    """, "rebuild", stored.toString(), extracted.toString());
        } else {
            sh(null, "tar", "--zstd", "--extract", "--file=" + stored.resolve("filestore.tar.zst"), "--directory=" + extracted);
        }
        assertEquals(meta.get("tree_digest"), TreeDigest.of(extracted, version, dev.odooops.domain.AppProfile.ODOO).digest());
        assertEquals(version, ((Number) meta.get("tree_digest_version")).intValue());

        // and a restore of it passes its digest check, with the environment's owner and the filestore modes
        try (OdooStandIn odoo = new OdooStandIn(env.root.resolve("odoo.log"))) {
            env.withOdoo(odoo);
            runtime.close();
            runtime = env.runtime();
            RestoreResult r = runtime.operations().restore(new RestoreRequest(env.project, "prod",
                    last.artifactId(), BackupType.FILESTORE_ONLY, false, true, env.environmentId(), "operator", "test"));
            assertEquals("success", r.status(), r.error());
            assertEquals(meta.get("tree_digest"), TreeDigest.of(fs, version, dev.odooops.domain.AppProfile.ODOO).digest());
            assertEquals(true, Json.readMap(Path.of(r.evidenceDir(), "filestore_restore_checksum_verification.json")).get("ok"));
        }
        try (Stream<Path> s = Files.walk(fs)) {
            for (Path p : s.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
                // a packed restore links the live files it reuses: they keep the live file's mode, never changed
                if (packed && !Files.isDirectory(p)) continue;
                assertEquals(Files.isDirectory(p) ? "rwxr-x---" : "rw-r-----", mode, p.toString());
            }
        }
    }

    /**
     * What a busy Odoo does to its filestore, about 40 times a second: writes a new content-addressed file in two
     * halves, as a large write lands (the first half at one tick, the rest at the next: a backup may meet it
     * half-written), and, every other time, deletes one it wrote earlier (the garbage collector). None of these
     * files is referenced by the database. Paced by a scheduled executor's ticks; closing it ends the file under way.
     */
    private static final class BusyOdoo implements AutoCloseable {
        private static final long TICK_MILLIS = 12;
        final AtomicInteger written = new AtomicInteger();
        final AtomicInteger removed = new AtomicInteger();
        private final Path fs;
        private final Random random = new Random(42);
        private final List<Path> mine = new ArrayList<>();
        private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "busy-odoo"));
        private volatile Exception failed;
        private OutputStream open;
        private byte[] data;
        private Path file;

        BusyOdoo(Path fs) {
            this.fs = fs;
            ticks.scheduleAtFixedRate(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
        }

        private void tick() {
            try {
                if (open == null) {
                    data = new byte[2048 + random.nextInt(256 * 1024)];
                    random.nextBytes(data);
                    String sha1 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(data));
                    file = Files.createDirectories(fs.resolve(sha1.substring(0, 2))).resolve(sha1);
                    open = Files.newOutputStream(file);
                    open.write(data, 0, data.length / 2);
                    open.flush();
                } else {
                    finishFile();
                }
            } catch (Exception e) {
                failed = e;
                throw new IllegalStateException(e); // ends the schedule; close() reports it
            }
        }

        private void finishFile() throws Exception {
            open.write(data, data.length / 2, data.length - data.length / 2);
            open.close();
            open = null;
            mine.add(file);
            written.incrementAndGet();
            if (written.get() % 2 == 0 && mine.size() > 3) {
                Files.deleteIfExists(mine.remove(random.nextInt(mine.size() - 1)));
                removed.incrementAndGet();
            }
        }

        @Override
        public void close() throws Exception {
            ticks.shutdown();
            if (!ticks.awaitTermination(30, TimeUnit.SECONDS)) throw new AssertionError("the busy Odoo did not stop");
            if (failed != null) throw new IllegalStateException("the busy Odoo failed", failed);
            if (open != null) finishFile(); // after the executor's end: this thread sees its state
        }
    }
}
