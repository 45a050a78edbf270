package dev.odooops.backup;

import dev.odooops.run.Await;
import dev.odooops.postgres.EnvironmentDatabase;
import dev.odooops.run.Vars;
import dev.odooops.run.WorkFiles;

import dev.odooops.config.Settings;
import dev.odooops.domain.ArchivedFiles;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.FilestoreCheck;
import dev.odooops.domain.FilestoreInventory;
import dev.odooops.domain.TarListing;
import dev.odooops.domain.TreeDigest;
import dev.odooops.exec.ToolFailedException;
import dev.odooops.exec.ToolRunner;
import dev.odooops.model.BackupJob;
import dev.odooops.ops.OpsCatalog;
import org.apache.camel.Variable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Step 5: the filestore as filestore.tar.zst, with filestore.tar.zst.sha256, filestore.meta.json and
 * filestore_check.json. A live Odoo keeps writing attachments (and its garbage collector deletes some) while
 * this runs, so:
 * <ol>
 *   <li>the files the database references are read first: in the dump's snapshot for a full backup (handed
 *   over by {@link DumpDatabase}), by a plain read for filestore_only;</li>
 *   <li>the inventory of the filestore is taken after that snapshot: its directories and regular files, in
 *   name order; anything else (links, fifos, devices) may not enter a filestore, is left out and reported;</li>
 *   <li>tar archives exactly that inventory ({@code --files-from}, no recursion) while the files are hashed
 *   (SHA-256 and SHA-1 in one read); a file that vanished in between is skipped, and tar's exit 1 ("changed
 *   or removed while read") is accepted, any other complaint fails the step;</li>
 *   <li>the tree digest (version {@value TreeDigest#CURRENT}) describes what is in the archive, from tar's
 *   own listing of it: a member read in another state than the hash saw is hashed from the archive;</li>
 *   <li>the referenced files are checked against the archive: missing and corrupt ones become warnings of
 *   the run (the backup still succeeds: it is the best copy there is).</li>
 * </ol>
 */
public class ArchiveFilestore {
    /** tar's complaints that only mean "the live filestore changed while it was read". */
    private static final Pattern CHANGED_WHILE_READ = Pattern.compile(
            "file changed as we read it|File removed before we read it|Cannot (stat|open): No such file or directory"
                    + "|Exiting with failure status due to previous errors");

    private final ToolRunner tools;
    private final OpsCatalog catalog;
    private final Duration timeout;
    private final int zstdLevel;

    public ArchiveFilestore(ToolRunner tools, OpsCatalog catalog, Settings.Backup settings) {
        this.tools = tools;
        this.catalog = catalog;
        this.timeout = Duration.ofSeconds(settings.archiveTimeoutSeconds());
        this.zstdLevel = settings.zstdLevel();
    }

    public void archive(@Variable(Vars.BACKUP_JOB) BackupJob job) throws Exception {
        if (!job.request().type().includesFilestore()) return;
        Path source = job.environment().filestore();
        Path archive = job.workDir().resolve("filestore.tar.zst");
        Instant started = Instant.now();
        FilestoreCheck.References refs = references(job);
        Instant inventoryAt = Instant.now();
        FilestoreInventory inventory = FilestoreInventory.of(source);
        Path list = job.workDir().resolve("filestore.members");
        writeNullSeparated(list, inventory.archivable());

        CompletableFuture<Map<String, Checksums.Both>> hashes = CompletableFuture.supplyAsync(
                () -> hashLive(source, inventory.files().keySet()));
        Path index = job.workDir().resolve("filestore.index");
        String tolerated = createArchive(source, archive, list, index);
        Map<String, Checksums.Both> live = Await.join(hashes);

        // tar's own long listing of what it archived, written while it archived (no second decompression pass)
        List<TarListing.Member> members = TarListing.parse(Files.readString(index, StandardCharsets.UTF_8));
        Files.deleteIfExists(index);
        List<String> foreign = members.stream()
                .filter(m -> m.kind() != TarListing.Kind.FILE && m.kind() != TarListing.Kind.DIRECTORY)
                .map(TarListing.Member::line).toList();
        if (!foreign.isEmpty()) {
            throw new IllegalStateException("the filestore changed under tar: " + foreign.size()
                    + " archived entr(ies) are neither regular files nor directories, first: " + foreign.get(0));
        }
        ArchivedFiles archived = ArchivedFiles.of(members, live);
        int rehashed = archived.rehash().size();
        if (rehashed > 0) archived = archived.withRehashed(hashFromArchive(job, archive, archived.rehash()));
        TreeDigest.Result tree = TreeDigest.of(archived.entries(), TreeDigest.CURRENT);

        FilestoreCheck check = FilestoreCheck.of(refs, archived.sha1(), inventory.others(),
                unreadable(source, inventory, archived.sha1().keySet()));
        job.evidence().json("filestore_check.json", check.evidence());
        job.filestoreCheck(check);
        check.warnings().forEach(job::warn);

        Instant finished = Instant.now();
        long size = Files.size(archive);
        String sha = Checksums.sha256(archive);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("file", "filestore.tar.zst");
        meta.put("format", "tar (GNU, members in name order, paths relative to the filestore root), zstd level " + zstdLevel);
        meta.put("size_bytes", size);
        meta.put("sha256", sha);
        meta.put("source_path", source.toString());
        meta.put("file_count", tree.fileCount());
        meta.put("total_bytes", tree.totalBytes());
        meta.put("tree_digest", tree.digest());
        meta.put("tree_digest_version", TreeDigest.CURRENT);
        meta.put("tree_digest_algorithm", "sha256 over sorted lines '<kind d|f|l|o>\\t<relative path>\\t<sha256 of file|link target|>\\n'"
                + " of every archived entry");
        meta.put("inventory_taken_at", inventoryAt.toString());
        meta.put("inventory_after", job.request().type().includesDatabase() ? "the database dump's snapshot" : "reading ir_attachment");
        meta.put("missing_files", check.missing());
        meta.put("corrupt_files", check.corrupt());
        meta.put("non_regular_entries", check.nonRegular().size());
        meta.put("hashed_from_archive", rehashed);
        if (tolerated != null) meta.put("tar_note", tolerated);
        meta.put("started_at", started.toString());
        meta.put("finished_at", finished.toString());
        meta.put("duration_ms", Duration.between(started, finished).toMillis());
        Files.deleteIfExists(list);
        BundleParts.publish(job, "filestore.tar.zst", archive, size, sha, "filestore.meta.json", meta);
        catalog.event(job.runId(), "step_completed", "archive-filestore", Map.of("size_bytes", size, "files", tree.fileCount(),
                "missing_files", check.missing(), "corrupt_files", check.corrupt(),
                "duration_ms", Duration.between(started, finished).toMillis()));
    }

    /** The dump's snapshot's references for a backup with the database; a plain read for filestore_only. */
    private FilestoreCheck.References references(BackupJob job) throws Exception {
        if (job.request().type().includesDatabase()) {
            try {
                return job.attachmentReferences().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw new IllegalStateException("no filestore inventory without the database snapshot: "
                        + e.getCause().getMessage(), e.getCause());
            }
        }
        try (Connection c = EnvironmentDatabase.connect(job.environment().database())) {
            c.setAutoCommit(false);
            try {
                return AttachmentReferences.read(c);
            } finally {
                c.rollback();
            }
        } catch (java.sql.SQLException e) {
            return FilestoreCheck.References.unavailable("cannot read ir_attachment: " + e.getMessage());
        }
    }

    /**
     * tar of the inventory. Returns null, or tar's message when it exited 1 only because files changed or
     * vanished while it read them; any other failure is thrown.
     */
    private String createArchive(Path source, Path archive, Path list, Path index) {
        List<String> argv = new ArrayList<>(List.of("tar", "--zstd", "--create", "--file=" + archive, "--directory=" + source,
                "--no-recursion", "--ignore-failed-read", "--warning=no-file-changed", "--warning=no-file-removed",
                "--null", "--verbatim-files-from", "--files-from=" + list, "--verbose", "--index-file=" + index));
        argv.addAll(TarListing.LIST_OPTIONS); // with the --verbose above: the long listing, as tar --list -v prints it
        try {
            tools.run(argv, Map.of("ZSTD_CLEVEL", String.valueOf(zstdLevel), "ZSTD_NBTHREADS", "0"), timeout,
                    ToolRunner.Progress.file(archive));
            return null;
        } catch (ToolFailedException e) {
            if (e.exitCode() == 1 && onlyChangedWhileRead(e.getMessage())) return e.getMessage();
            throw e;
        }
    }

    /** True when every line tar printed (after ToolRunner's "tar exited with 1: " prefix) says a file changed or vanished. */
    static boolean onlyChangedWhileRead(String message) {
        int colon = message.indexOf(": ");
        if (colon < 0) return true; // exit 1 with nothing on stderr: "some files differ", the warnings were silenced
        for (String line : message.substring(colon + 2).split("\n")) {
            if (!line.isBlank() && !CHANGED_WHILE_READ.matcher(line).find()) return false;
        }
        return true;
    }

    /** NUL-separated {@code ./<path>} lines for {@code --null --files-from} (./ keeps a name from reading as an option). */
    private static void writeNullSeparated(Path file, Collection<String> paths) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String p : paths) sb.append("./").append(p).append('\0');
        Files.writeString(file, sb, StandardCharsets.UTF_8);
    }

    /** SHA-256 and SHA-1 of the live files, in parallel; a file that vanished meanwhile is left out. */
    private static Map<String, Checksums.Both> hashLive(Path root, Set<String> files) {
        Map<String, Checksums.Both> out = new ConcurrentHashMap<>();
        files.parallelStream().forEach(rel -> {
            try {
                out.put(rel, Checksums.sha256AndSha1(root.resolve(rel)));
            } catch (NoSuchFileException gone) {
                // removed by Odoo's garbage collector: tar will not have it either, or it is hashed from the archive
            } catch (IOException e) {
                if (Files.exists(root.resolve(rel))) return; // unreadable: reported when tar could not read it either
            }
        });
        return out;
    }

    /** Extracts the given members into the work directory and hashes them: the bytes tar actually archived. */
    private Map<String, Checksums.Both> hashFromArchive(BackupJob job, Path archive, List<TarListing.Member> members)
            throws IOException {
        Path dir = job.workDir().resolve("filestore-rehash");
        WorkFiles.deleteTree(dir);
        Files.createDirectories(dir);
        Path list = job.workDir().resolve("filestore.rehash");
        try {
            writeNullSeparated(list, members.stream().map(TarListing.Member::path).toList());
            tools.run(List.of("tar", "--zstd", "--extract", "--file=" + archive, "--directory=" + dir,
                    "--no-same-owner", "--no-same-permissions", "--null", "--verbatim-files-from", "--files-from=" + list),
                    Map.of(), timeout);
            Map<String, Checksums.Both> out = new LinkedHashMap<>();
            for (TarListing.Member m : members) out.put(m.path(), Checksums.sha256AndSha1(dir.resolve(m.path())));
            return out;
        } finally {
            WorkFiles.deleteTree(dir);
            Files.deleteIfExists(list);
        }
    }

    /** Files present but not archived (tar could not read them), and directories the inventory could not read. */
    private static List<String> unreadable(Path root, FilestoreInventory inventory, Set<String> archived) {
        Set<String> out = new HashSet<>(inventory.unreadable());
        for (String f : inventory.files().keySet()) {
            if (!archived.contains(f) && Files.exists(root.resolve(f))) out.add(f);
        }
        return out.stream().sorted().toList();
    }
}
