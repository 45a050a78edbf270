package dev.odooops.backup;

import dev.odooops.run.Await;
import dev.odooops.postgres.EnvironmentDatabase;
import dev.odooops.run.Vars;
import dev.odooops.exec.WorkFiles;

import dev.odooops.config.Settings;
import dev.odooops.domain.ArchivedFiles;
import dev.odooops.domain.ArtifactManifest;
import dev.odooops.domain.CompressionProbe;
import dev.odooops.domain.FilestoreIndex;
import dev.odooops.domain.PackPlanner;
import dev.odooops.store.ArtifactStore;
import dev.odooops.store.PackFileWriter;
import dev.odooops.store.ZstdLibrary;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.FilestoreCheck;
import dev.odooops.domain.FilestoreInventory;
import dev.odooops.domain.TarListing;
import dev.odooops.domain.TreeDigest;
import dev.odooops.exec.ToolFailedException;
import dev.odooops.exec.ToolRunner;
import dev.odooops.model.BackupJob;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.model.StoredObject;
import dev.odooops.model.NewPack;
import dev.odooops.postgres.AttachmentReferences;
import dev.odooops.config.EncryptionSettings.Encryption;
import dev.odooops.store.ArtifactCipher;
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
import java.util.Optional;
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
    private final boolean packed;
    private final long packBytes;
    private final int packWriters;
    private final String zstdThreadsPerPack;
    /** backup.pack-writer=library: packs written in process (PackFileWriter) wherever zstd's library loads. */
    private final boolean packsInProcess;
    private final ArtifactStore store;
    private final ArtifactCipher cipher;

    private volatile UploadPacks earlyUploads;

    /** Each new pack's upload is started by {@code uploads} as soon as the pack is sealed (null: upload-packs does all). */
    public ArchiveFilestore uploadingWith(UploadPacks uploads) {
        this.earlyUploads = uploads;
        return this;
    }

    public ArchiveFilestore(ToolRunner tools, OpsCatalog catalog, Settings.Backup settings) {
        this(tools, catalog, settings, null);
    }

    /**
     * @param store where a packed filestore's packs go ({@code backup.filestore-format=packed}): asked which packs it
     *              holds and their addresses; the upload is the next node's ({@link UploadPacks})
     */
    public ArchiveFilestore(ToolRunner tools, OpsCatalog catalog, Settings.Backup settings, ArtifactStore store) {
        this(tools, catalog, settings, store, dev.odooops.store.ArtifactCipher.plain());
    }

    /** {@code cipher}: which generation of packs (recipient set, or plain text) a backup of each project may reuse. */
    public ArchiveFilestore(ToolRunner tools, OpsCatalog catalog, Settings.Backup settings, ArtifactStore store,
                            dev.odooops.store.ArtifactCipher cipher) {
        this.cipher = cipher;
        this.tools = tools;
        this.catalog = catalog;
        this.timeout = Duration.ofSeconds(settings.archiveTimeoutSeconds());
        this.zstdLevel = settings.zstdLevel();
        this.packed = settings.packedFilestore() && store != null;
        this.packBytes = settings.packSizeBytes();
        this.packWriters = settings.packWriters();
        this.zstdThreadsPerPack = String.valueOf(settings.zstdThreadsPerPack());
        this.packsInProcess = settings.packsInProcess();
        this.store = store;
    }

    public void archive(@Variable(Vars.BACKUP_JOB) BackupJob job) throws Exception {
        if (!job.request().type().includesFilestore()) return;
        if (packed) {
            archivePacked(job);
            return;
        }
        Path source = job.environment().filestore();
        Path archive = job.workDir().resolve("filestore.tar.zst");
        Instant started = Instant.now();
        FilestoreCheck.References refs = references(job);
        Instant inventoryAt = Instant.now();
        FilestoreInventory inventory = FilestoreInventory.of(source, job.environment().app());
        refuseWrongTree(job, refs, inventory);
        Path list = job.workDir().resolve("filestore.members");
        writeNullSeparated(list, inventory.archivable());

        CompletableFuture<Map<String, Checksums.Both>> hashes = CompletableFuture.supplyAsync(
                () -> hashLive(source, inventory.files().keySet()));
        Path index = job.workDir().resolve("filestore.index");
        String tolerated = createArchive(source, archive, list, index,
                ToolRunner.Progress.tarListing("filestore", index, inventory.files().values().stream().mapToLong(Long::longValue).sum()));
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
        meta.put("inventory_after", job.request().type().includesDatabase() ? "the database dump's snapshot"
                : "reading " + AttachmentReferences.source(job.environment().app()));
        meta.put("missing_files", check.missing());
        meta.put("corrupt_files", check.corrupt());
        meta.put("missing_paths", check.missingPaths()); // a restore reports these, see BackupGaps
        meta.put("corrupt_paths", check.corruptPaths());
        meta.put("non_regular_entries", check.nonRegular().size());
        meta.put("hashed_from_archive", rehashed);
        if (tolerated != null) meta.put("tar_note", tolerated);
        meta.put("started_at", started.toString());
        meta.put("finished_at", finished.toString());
        meta.put("duration_ms", Duration.between(started, finished).toMillis());
        Files.deleteIfExists(list);
        BundleParts.publish(job, "filestore.tar.zst", archive, size, sha, "filestore.meta.json", meta);
        catalog.runs().event(job.runId(), "step_completed", "archive-filestore", Map.of("size_bytes", size, "files", tree.fileCount(),
                "missing_files", check.missing(), "corrupt_files", check.corrupt(),
                "duration_ms", Duration.between(started, finished).toMillis()));
    }

    /**
     * The packed filestore (format 2): the index of every file, and packs of only the files the project's packs do
     * not hold yet. An Odoo-named file ({@code <2 hex>/<sha1>}) the project holds with that size is not read; any
     * other file is hashed, and stored unless the project holds that path with that content. New files go into
     * packs of about {@code backup.pack-size-mb} (written to the work directory as {@code <id>.tar.zst}, stored as
     * {@code <project>/_packs/<id>.tar.zst} by the next node, upload-packs, registered with the artifact by upload-artifact); already-compressed content into packs of their own written at zstd's
     * fastest level. The index's tree digest (version 3) and the filestore check come from the index.
     */
    private void archivePacked(BackupJob job) throws Exception {
        Path source = job.environment().filestore();
        String project = job.environment().project();
        Instant started = Instant.now();
        FilestoreCheck.References refs = references(job);
        Instant inventoryAt = Instant.now();
        FilestoreInventory inventory = FilestoreInventory.of(source, job.environment().app());
        refuseWrongTree(job, refs, inventory);
        Map<String, List<StoredObject>> stored = catalog.packs().storedObjects(project, inventory.files().keySet());
        // a sanitised snapshot's files are stored apart from production's: it reuses no pack, and no other backup
        // reuses a pack of a snapshot (so no pack is ever shared between a snapshot and production)
        if (job.request().kind() == dev.odooops.model.ArtifactKind.SANITIZED_SNAPSHOT) {
            stored.clear();
        } else {
            Set<String> snapshots = catalog.packs().packsOfKind(project, dev.odooops.model.ArtifactKind.SANITIZED_SNAPSHOT.wire());
            if (!snapshots.isEmpty()) stored.values().forEach(l -> l.removeIf(o -> snapshots.contains(o.packId())));
        }
        // only packs of the project's current generation (its recipient set; null: plain text) are reused, so no new
        // artifact relies on a pack encrypted to other keys, retired ones included, or stored in plain text (V21)
        Set<String> otherGeneration = catalog.packs().packsNotOfGeneration(project, cipher.generation(project));
        if (!otherGeneration.isEmpty()) stored.values().forEach(l -> l.removeIf(o -> otherGeneration.contains(o.packId())));
        // a pack the catalog knows must be in the store with its size before this artifact counts on it (a store
        // emptied or replaced under a catalog that remembers it): the files of one that is not are stored again
        String packsPath = ArtifactStore.packsPath(project);
        Set<String> held = new java.util.TreeSet<>();
        stored.values().forEach(l -> l.forEach(o -> held.add(o.packId())));
        Map<String, NewPack> recorded = catalog.packs().packs(project, held);
        Set<String> absent = new java.util.TreeSet<>();
        // a pack in a previous store (store.previous) keeps serving the artifacts that refer to it, but new artifacts
        // go to the current store only: its files are stored here once more, and the catalog then finds them here
        Set<String> elsewhere = new java.util.TreeSet<>();
        String here = store.uri(packsPath).replaceAll("/+$", "") + "/";
        for (String id : held) {
            NewPack p = recorded.get(id);
            if (p != null && !p.uri().startsWith(here)) elsewhere.add(id);
            else if (p == null || store.size(packsPath, id + ".tar.zst") != p.size()) absent.add(id);
        }
        if (!elsewhere.isEmpty()) stored.values().forEach(l -> l.removeIf(o -> elsewhere.contains(o.packId())));
        if (!absent.isEmpty()) {
            stored.values().forEach(l -> l.removeIf(o -> absent.contains(o.packId())));
            job.warn("filestore: " + absent.size() + " pack(s) the catalog knows are missing from the store or damaged, first "
                    + absent.iterator().next() + ": their files are stored again (check --project " + project + ")");
        }

        List<FilestoreIndex.Entry> entries = new ArrayList<>();
        List<String> toRead = new ArrayList<>();
        for (Map.Entry<String, Long> f : inventory.files().entrySet()) {
            String named = job.environment().app().namesByContent() ? FilestoreIndex.odooSha1(f.getKey()) : null;
            StoredObject hit = named == null ? null : held(stored.get(f.getKey()), named, f.getValue());
            if (hit != null) entries.add(new FilestoreIndex.Entry(f.getKey(), named, f.getValue(), hit.packId()));
            else toRead.add(f.getKey());
        }
        int knownByName = entries.size();
        Map<String, Probe> read = new java.util.TreeMap<>();

        List<NewPack> newPacks = new ArrayList<>();
        List<StoredObject> newObjects = new ArrayList<>();
        List<String> vanished = new ArrayList<>();
        List<String> rehashed = new ArrayList<>();
        // encryption at rest: each pack is encrypted with age as soon as tar has written it, on a thread of its own
        // while tar writes the next (and the whole half runs beside pg_dump), and hashed while age writes it; only the
        // stored bytes are ever hashed and registered
        Optional<Encryption> encryption = cipher.encryption(project);
        long plainPackBytes = 0;
        long encryptMillis;
        long waitMillis;
        record Written(String id, java.util.concurrent.Future<ArtifactCipher.Sealed> sealed, int files, long bytes,
                       boolean compressed) {
        }
        record Writing(String id, PackPlanner.Pack pack, java.util.concurrent.Future<WrittenPack> done) {
        }
        // the files are read (SHA-1, first bytes) in path order on threads of their own, and each pack is written as
        // soon as its files are read, while the files after it are still being read (no first pass over the whole tree),
        // backup.pack-writers packs at a time (closed first: its packs are sealed by the sealer)
        try (PackSealer sealer = new PackSealer(cipher, encryption.orElse(null));
             OrderedProbes probes = new OrderedProbes(source, toRead, hashedWhilePacked(job));
             PackWriters writers = new PackWriters(packWriters)) {
            List<Writing> writing = new ArrayList<>();
            int n = 0;
            PackPlanner.Streaming planner = new PackPlanner(packBytes).streaming();
            for (boolean more = true; more; ) {
                Map.Entry<String, Probe> r = probes.next();
                more = r != null;
                List<PackPlanner.Pack> complete = List.of();
                if (!more) {
                    complete = planner.finish();
                } else {
                    Probe p = r.getValue();
                    read.put(r.getKey(), p);
                    StoredObject hit = held(stored.get(r.getKey()), p.sha1(), p.size());
                    if (hit != null) entries.add(new FilestoreIndex.Entry(r.getKey(), p.sha1(), p.size(), hit.packId()));
                    else complete = planner.add(new PackPlanner.NewFile(r.getKey(), p.sha1(), p.size(), p.compressed()));
                }
                for (PackPlanner.Pack pack : complete) {
                    String id = job.artifactId().toLowerCase(java.util.Locale.ROOT) + "-" + String.format("%04d", ++n);
                    Path file = job.workDir().resolve(id + ".tar.zst");
                    writing.add(new Writing(id, pack, writers.submit(() -> {
                        WrittenPack archived = writePack(source, pack, file, job.workDir().resolve(id + ".list"), id);
                        // the backup failed while this pack was written: not sealed, not uploaded (the work directory goes)
                        if (writers.closing()) return archived;
                        var sealed = sealer.seal(file, archived.plainSha256());
                        // its upload starts as soon as it is sealed, while tar writes the next packs; the pack stays in the
                        // work directory until upload-packs has checked what was stored (the route shows the upload)
                        if (earlyUploads != null) earlyUploads.start(job, id + ".tar.zst", file, sealed);
                        return new WrittenPack(archived.members(), sealed, archived.plainSha256());
                    })));
                }
            }
            List<Written> written = new ArrayList<>();
            for (Writing w : writing) {
                String id = w.id();
                PackPlanner.Pack pack = w.pack();
                WrittenPack done = PackWriters.result(w.done());
                Map<String, FilestoreIndex.Entry> archived = done.members();
                long bytes = 0;
                int files = 0;
                for (PackPlanner.NewFile f : pack.members()) {
                    FilestoreIndex.Entry e = archived.get(f.path());
                    if (e == null) {
                        vanished.add(f.path()); // removed by Odoo's garbage collector after it was hashed: not in the backup
                        continue;
                    }
                    if (e.size() != f.size() || !e.sha1().equals(f.sha1())) rehashed.add(f.path());
                    entries.add(e);
                    newObjects.add(new StoredObject(e.path(), e.sha1(), e.size(), id));
                    bytes += e.size();
                    files++;
                }
                written.add(new Written(id, done.sealed(), files, bytes, pack.compressed()));
            }
            for (Written w : written) {
                ArtifactCipher.Sealed s = sealer.get(w.sealed());
                plainPackBytes += s.plainSize();
                newPacks.add(new NewPack(w.id(), store.uri(packsPath) + w.id() + ".tar.zst", s.sha256(), s.size(), w.files(),
                        w.bytes(), w.compressed()));
            }
            encryptMillis = sealer.encryptMillis();
            waitMillis = sealer.waitMillis();
        }
        FilestoreIndex index = FilestoreIndex.of(entries);
        Map<String, String> sha1ByPath = new LinkedHashMap<>();
        index.entries().forEach(e -> sha1ByPath.put(e.path(), e.sha1()));
        FilestoreCheck check = FilestoreCheck.of(refs, sha1ByPath, inventory.others(),
                unreadable(source, inventory, sha1ByPath.keySet()));
        job.evidence().json("filestore_check.json", check.evidence());
        job.filestoreCheck(check);
        check.warnings().forEach(job::warn);

        // every pack the index refers to, with its digest and size (new ones from this run, the others from the catalog)
        Map<String, NewPack> all = new LinkedHashMap<>();
        newPacks.forEach(p -> all.put(p.packId(), p));
        Set<String> older = new java.util.LinkedHashSet<>(index.packs());
        older.removeAll(all.keySet());
        all.putAll(catalog.packs().packs(project, older));
        List<ArtifactManifest.PackRef> refsOfIndex = new ArrayList<>();
        StringBuilder sums = new StringBuilder();
        Path indexFile = job.workDir().resolve(FilestoreIndex.FILE);
        Files.writeString(indexFile, index.toTsv(), StandardCharsets.UTF_8);
        String indexSha = Checksums.sha256(indexFile);
        sums.append(Checksums.sha256sumLine(indexSha, FilestoreIndex.FILE));
        for (String id : index.packs()) {
            NewPack p = all.get(id);
            if (p == null) throw new IllegalStateException("the catalog has no pack " + id + " of project " + project);
            refsOfIndex.add(new ArtifactManifest.PackRef(id, p.sha256(), p.size()));
            sums.append(Checksums.sha256sumLine(p.sha256(), "../../" + ArtifactStore.PACKS + "/" + id + ".tar.zst"));
        }
        job.packed(new BackupJob.PackedFilestore(index, List.copyOf(newPacks), List.copyOf(newObjects), List.copyOf(refsOfIndex)));

        Instant finished = Instant.now();
        long readBytes = read.values().stream().mapToLong(Probe::size).sum();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("file", FilestoreIndex.FILE);
        meta.put("format", "packed: " + FilestoreIndex.FILE + " lists <path> <sha1> <size> <pack>; each pack is "
                + ArtifactStore.PACKS + "/<pack>.tar.zst of the project, members named by their path");
        meta.put("format_version", ArtifactManifest.FORMAT_PACKED);
        meta.put("size_bytes", Files.size(indexFile));
        meta.put("sha256", indexSha);
        meta.put("source_path", source.toString());
        meta.put("file_count", index.entries().size());
        meta.put("total_bytes", index.totalBytes());
        meta.put("tree_digest", index.treeDigest());
        meta.put("tree_digest_version", TreeDigest.V3);
        meta.put("tree_digest_algorithm", "sha256 over sorted lines 'f\\t<relative path>\\t<sha1>\\t<size>\\n' of every file");
        meta.put("packs", index.packs().size());
        meta.put("new_packs", newPacks.size());
        meta.put("known_by_name", knownByName);
        meta.put("packs_missing_from_store", absent);
        meta.put("packs_in_previous_stores", elsewhere); // their files stored again in the current store by this backup
        meta.put("read_files", read.size());
        meta.put("read_bytes", readBytes);
        meta.put("new_files", newObjects.size());
        meta.put("new_bytes", newObjects.stream().mapToLong(StoredObject::size).sum());
        meta.put("vanished_while_read", vanished.size());
        meta.put("hashed_from_pack", rehashed.size());
        meta.put("pack_writer", packWriterUsed());
        if (encryption.isPresent()) {
            meta.put("packs_encrypted", Map.of("packs", newPacks.size(), "plain_bytes", plainPackBytes, "stored_bytes",
                    newPacks.stream().mapToLong(NewPack::size).sum(), "generation", encryption.get().generation(),
                    "encrypt_ms", encryptMillis, "waited_ms", waitMillis));
        }
        meta.put("inventory_taken_at", inventoryAt.toString());
        meta.put("inventory_after", job.request().type().includesDatabase() ? "the database dump's snapshot"
                : "reading " + AttachmentReferences.source(job.environment().app()));
        meta.put("missing_files", check.missing());
        meta.put("corrupt_files", check.corrupt());
        meta.put("missing_paths", check.missingPaths()); // a restore reports these, see BackupGaps
        meta.put("corrupt_paths", check.corruptPaths());
        meta.put("non_regular_entries", check.nonRegular().size());
        meta.put("started_at", started.toString());
        meta.put("finished_at", finished.toString());
        meta.put("duration_ms", Duration.between(started, finished).toMillis());
        BundleParts.publish(job, FilestoreIndex.FILE, indexFile, Files.size(indexFile), indexSha, "filestore.meta.json", meta,
                "filestore.tar.zst.sha256", sums.toString());
        catalog.runs().event(job.runId(), "step_completed", "archive-filestore", Map.of("files", index.entries().size(),
                "new_files", newObjects.size(), "new_packs", newPacks.size(), "read_files", read.size(),
                "missing_files", check.missing(), "corrupt_files", check.corrupt(),
                "duration_ms", Duration.between(started, finished).toMillis()));
    }

    /**
     * Nothing is archived, let alone uploaded, from a tree that holds none of the referenced files (unless --force).
     * A restore's safety backup records what is there, whatever it is (documents lost before a disaster restore).
     */
    private static void refuseWrongTree(BackupJob job, FilestoreCheck.References refs, FilestoreInventory inventory) {
        if (job.request().force() || job.request().kind() != dev.odooops.model.ArtifactKind.BACKUP) return;
        var env = job.environment();
        FilestoreCheck.wrongTree(refs, inventory.files().keySet(), "the " + env.app().filesName() + " " + env.filestore())
                .ifPresent(why -> {
                    throw new IllegalStateException("backup refused: " + why);
                });
    }

    /** The stored object of this path with this content and size, if the project's packs hold one. */
    private static StoredObject held(List<StoredObject> candidates, String sha1, long size) {
        if (candidates == null) return null;
        for (StoredObject o : candidates) if (o.sha1().equals(sha1) && o.size() == size) return o;
        return null;
    }

    /** A pack tar wrote: what it holds (path to its index entry), and its stored form being made by the sealer. */
    private record WrittenPack(Map<String, FilestoreIndex.Entry> members, java.util.concurrent.Future<ArtifactCipher.Sealed> sealed,
                               String plainSha256) {
    }

    /** A file read for the packed filestore: its SHA-1, size and whether its content is already compressed. */
    private record Probe(String sha1, long size, boolean compressed) {
    }

    /**
     * Each file read once (SHA-1 and the first bytes), in path order: batches read in parallel on a thread of their
     * own, at most a few batches ahead of the consumer ({@link #next}, null at the end); a file that vanished meanwhile
     * (Odoo's garbage collector) or cannot be read (reported by the filestore check: present, not in the index) is left
     * out. Closing stops the reading and waits for it.
     */
    private static final class OrderedProbes implements AutoCloseable {
        private static final int BATCH = 64;
        private static final Map.Entry<String, Probe> END = Map.entry("", new Probe("", 0, false));
        private final java.util.concurrent.BlockingQueue<List<Map.Entry<String, Probe>>> batches =
                new java.util.concurrent.ArrayBlockingQueue<>(8);
        private final Thread reader;
        private volatile boolean stopped;
        private volatile RuntimeException failure;
        private java.util.Iterator<Map.Entry<String, Probe>> current = java.util.Collections.emptyIterator();
        private boolean ended;

        /**
         * {@code named}: the SHA-1 a file's name claims (Odoo's {@code <2 hex>/<sha1>}), or null; a file it names is
         * read but not hashed (its first bytes for the compression probe, the rest so that the pack writer finds it in
         * the page cache), the pack writer hashing it as it packs it (and the index then records what it read: a file
         * whose content is not its name's is reported corrupt as before).
         */
        OrderedProbes(Path root, List<String> files, java.util.function.Function<String, String> named) {
            List<String> sorted = files.stream().sorted().toList();
            reader = new Thread(() -> {
                try {
                    for (int i = 0; i < sorted.size() && !stopped; i += BATCH) {
                        List<String> batch = sorted.subList(i, Math.min(sorted.size(), i + BATCH));
                        Probe[] got = new Probe[batch.size()];
                        java.util.stream.IntStream.range(0, batch.size()).parallel().forEach(k -> {
                            try {
                                got[k] = probe(root.resolve(batch.get(k)), named.apply(batch.get(k)));
                            } catch (IOException e) {
                                // vanished or unreadable: left out
                            }
                        });
                        List<Map.Entry<String, Probe>> out = new ArrayList<>();
                        for (int k = 0; k < got.length; k++) if (got[k] != null) out.add(Map.entry(batch.get(k), got[k]));
                        batches.put(out);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    failure = e;
                } catch (Error e) {
                    // the consumer must not wait for a batch that never comes
                    failure = new IllegalStateException("reading the filestore failed: " + e, e);
                }
                try {
                    batches.put(List.of(END));
                } catch (InterruptedException ignored) {
                    // closed
                }
            }, "probe-filestore");
            reader.setDaemon(true);
            reader.start();
        }

        /** The next file read, in path order; null once every file was. */
        Map.Entry<String, Probe> next() {
            while (!ended) {
                if (current.hasNext()) {
                    Map.Entry<String, Probe> e = current.next();
                    if (e != END) return e;
                    ended = true;
                    if (failure != null) throw failure;
                    return null;
                }
                try {
                    current = batches.take().iterator();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while the filestore was read", e);
                }
            }
            return null;
        }

        @Override
        public void close() {
            stopped = true;
            reader.interrupt();
            try {
                reader.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final ThreadLocal<byte[]> PROBE_BUFFER = ThreadLocal.withInitial(() -> new byte[256 * 1024]);

    /**
     * A file read whole once: its first bytes (already compressed?), its size, and its SHA-1, or, when its name claims
     * one ({@code claimedSha1}), that SHA-1 standing for its own until the pack writer hashes it as it packs it. Such a
     * file's first bytes are read and the rest is brought into the page cache without being copied into the JVM
     * ({@link #warm}): read only in part, the files were read cold by the pack writers and a first full backup was no
     * faster; read through, about 1 s faster at SCALE=100, and warmed rather than read, with half the kernel time.
     */
    private static Probe probe(Path file, String claimedSha1) throws IOException {
        if (claimedSha1 != null) return warmedProbe(file, claimedSha1);
        java.security.MessageDigest md;
        try {
            md = java.security.MessageDigest.getInstance("SHA-1");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] head = new byte[CompressionProbe.PROBE_BYTES];
        int headLength = 0;
        long size = 0;
        // never through a link: a file the inventory found regular and swapped for a link since is not read
        try (var in = Files.newInputStream(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            byte[] buf = PROBE_BUFFER.get(); // one per thread: 20,000 files must not mean 5 GB of garbage
            for (int r; (r = in.read(buf)) > 0; ) {
                if (headLength < head.length) {
                    int take = Math.min(r, head.length - headLength);
                    System.arraycopy(buf, 0, head, headLength, take);
                    headLength += take;
                }
                md.update(buf, 0, r);
                size += r;
            }
        }
        return new Probe(java.util.HexFormat.of().formatHex(md.digest()), size, CompressionProbe.alreadyCompressed(head, headLength));
    }

    /** {@link #probe} of a file its name's SHA-1 stands for: its first bytes read, the rest {@linkplain #warm warmed}. */
    private static Probe warmedProbe(Path file, String claimedSha1) throws IOException {
        java.nio.ByteBuffer head = java.nio.ByteBuffer.allocate(CompressionProbe.PROBE_BYTES);
        try (var in = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ,
                java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            while (head.hasRemaining() && in.read(head) > 0) {
                // the first bytes, however many reads they take
            }
            long size = head.position() < head.capacity() ? head.position() : warm(in, head.position());
            return new Probe(claimedSha1, size, CompressionProbe.alreadyCompressed(head.array(), head.position()));
        }
    }

    private static final ThreadLocal<java.nio.channels.FileChannel> DEV_NULL = ThreadLocal.withInitial(() -> {
        try {
            return java.nio.channels.FileChannel.open(Path.of("/dev/null"), java.nio.file.StandardOpenOption.WRITE);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    });

    /**
     * The rest of {@code in} from {@code position} into the page cache, for the pack writer that reads it next; its end
     * position (the file's size). {@code FileChannel.transferTo} to {@code /dev/null} is one {@code sendfile} on Linux:
     * the kernel reads the pages and copies nothing to the JVM (0.4 against 0.9 CPU-s of kernel time for 3 GB read
     * cold). Where there is no {@code /dev/null}, the rest is read.
     */
    private static long warm(java.nio.channels.FileChannel in, long position) throws IOException {
        java.nio.channels.FileChannel sink = DEV_NULL.get();
        if (sink != null) {
            for (long n; (n = in.transferTo(position, Long.MAX_VALUE - position, sink)) > 0; ) position += n;
            return position;
        }
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(PROBE_BUFFER.get());
        for (int r; (r = in.read(buf.clear())) > 0; ) position += r;
        return position;
    }

    /**
     * tar of one pack's members (named by their path), at the pack's zstd level. Returns what tar archived, path to
     * SHA-1 and size: a member that vanished is left out; one tar read in another size than the probe hashed (a file
     * Odoo was still writing) is hashed again from the pack itself, so the index says what the pack holds.
     */
    private WrittenPack writePack(Path source, PackPlanner.Pack pack, Path file, Path list, String id) throws IOException {
        int level = pack.compressed() ? 1 : zstdLevel;
        if (writesInProcess()) {
            PackFileWriter.Written w = PackFileWriter.write(source, pack.members().stream().map(PackPlanner.NewFile::path).toList(),
                    file, level, Integer.parseInt(zstdThreadsPerPack));
            Map<String, FilestoreIndex.Entry> out = new LinkedHashMap<>();
            w.members().forEach((path, m) -> out.put(path, new FilestoreIndex.Entry(path, m.sha1(), m.size(), id)));
            return new WrittenPack(out, null, w.sha256());
        }
        return new WrittenPack(writePackWithTar(source, pack, file, list, id, level), null, null);
    }

    /**
     * The SHA-1 a file's name claims, for the files whose probe may read their first bytes only: Odoo-named files
     * ({@code <2 hex>/<sha1>}) of an app that names files by content, when the packs are written in process (the
     * writer hashes every member as it packs it, and the index records that). Null for every file otherwise.
     */
    private java.util.function.Function<String, String> hashedWhilePacked(BackupJob job) {
        if (!job.environment().app().namesByContent() || !writesInProcess()) return path -> null;
        return FilestoreIndex::odooSha1;
    }

    /** Whether this run's packs are written in process: backup.pack-writer=library and zstd's library loads here. */
    private boolean writesInProcess() {
        return packsInProcess && ZstdLibrary.available();
    }

    /** Which writer made this run's packs (filestore.meta.json), and why tar when the library was asked for. */
    private String packWriterUsed() {
        if (!packsInProcess) return "tar --zstd (backup.pack-writer=tar)";
        if (ZstdLibrary.available()) return "in process (zstd library " + ZstdLibrary.version() + ")";
        return "tar --zstd: zstd's library cannot be loaded here (" + ZstdLibrary.unavailableBecause() + ")";
    }

    /** {@link #writePack} where zstd's library cannot be loaded, or backup.pack-writer=tar: {@code tar --zstd --create}. */
    private Map<String, FilestoreIndex.Entry> writePackWithTar(Path source, PackPlanner.Pack pack, Path file, Path list, String id,
                                                               int level) throws IOException {
        writeNullSeparated(list, pack.members().stream().map(PackPlanner.NewFile::path).toList());
        Path listing = Path.of(list + ".index");
        createPack(source, file, list, listing, level);
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (TarListing.Member m : TarListing.parse(Files.readString(listing, StandardCharsets.UTF_8))) {
            if (m.kind() != TarListing.Kind.FILE) {
                throw new IllegalStateException("the filestore changed under tar: " + m.line() + " is not a regular file");
            }
            sizes.put(m.path(), m.size());
        }
        Files.deleteIfExists(listing);
        Files.deleteIfExists(list);
        Map<String, FilestoreIndex.Entry> out = new LinkedHashMap<>();
        List<FilestoreIndex.Entry> changed = new ArrayList<>();
        for (PackPlanner.NewFile f : pack.members()) {
            Long archived = sizes.get(f.path());
            if (archived == null) continue;
            FilestoreIndex.Entry e = new FilestoreIndex.Entry(f.path(), f.sha1(), f.size(), id);
            if (archived != f.size()) changed.add(e);
            else out.put(f.path(), e);
        }
        if (!changed.isEmpty()) {
            Path scratch = Files.createTempDirectory(file.getParent(), "rehash-");
            try {
                dev.odooops.store.PackMembers.extract(tools, file, changed, scratch, timeout);
                for (FilestoreIndex.Entry e : changed) {
                    Path got = scratch.resolve(e.path());
                    out.put(e.path(), new FilestoreIndex.Entry(e.path(), Checksums.sha1(got), Files.size(got), id));
                }
            } finally {
                dev.odooops.exec.WorkFiles.deleteTree(scratch);
            }
        }
        return out;
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
                return AttachmentReferences.read(c, job.environment().app());
            } finally {
                c.rollback();
            }
        } catch (java.sql.SQLException e) {
            return FilestoreCheck.References.unavailable("cannot read " + AttachmentReferences.source(job.environment().app())
                    + ": " + e.getMessage());
        }
    }

    /**
     * tar of the inventory. Returns null, or tar's message when it exited 1 only because files changed or
     * vanished while it read them; any other failure is thrown.
     */
    private String createArchive(Path source, Path archive, Path list, Path index, ToolRunner.Progress progress) {
        return createArchive(source, archive, list, index, zstdLevel, "0", progress);
    }

    /**
     * A pack at this zstd level (a pack of already-compressed content is written at 1), its zstd with
     * {@link Settings.Backup#zstdThreadsPerPack} threads: the packs written at once share the cores.
     */
    private String createPack(Path source, Path archive, Path list, Path index, int level) {
        return createArchive(source, archive, list, index, level, zstdThreadsPerPack, ToolRunner.Progress.file(archive));
    }

    /** {@code zstdThreads}: zstd's worker threads, "0" for one per core (a single archive is the only one written). */
    private String createArchive(Path source, Path archive, Path list, Path index, int level, String zstdThreads,
                                 ToolRunner.Progress progress) {
        List<String> argv = new ArrayList<>(List.of("tar", "--zstd", "--create", "--file=" + archive, "--directory=" + source,
                "--no-recursion", "--ignore-failed-read", "--warning=no-file-changed", "--warning=no-file-removed",
                "--null", "--verbatim-files-from", "--files-from=" + list, "--verbose", "--index-file=" + index));
        argv.addAll(TarListing.LIST_OPTIONS); // with the --verbose above: the long listing, as tar --list -v prints it
        try {
            tools.run(argv, Map.of("ZSTD_CLEVEL", String.valueOf(level), "ZSTD_NBTHREADS", zstdThreads), timeout, progress);
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
