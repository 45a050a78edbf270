package dev.odooops.restore;

import dev.odooops.config.DatabaseConfig;
import dev.odooops.domain.AppProfile;
import dev.odooops.domain.ArtifactManifest;
import dev.odooops.domain.FilestoreIndex;
import dev.odooops.domain.FilestoreInventory;
import dev.odooops.domain.Json;
import dev.odooops.domain.TarListing;
import dev.odooops.exec.ToolRunner;
import dev.odooops.exec.WorkFiles;
import dev.odooops.model.Artifact;
import dev.odooops.model.NewPack;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.postgres.EnvironmentDatabase;
import dev.odooops.postgres.TableCounts;
import dev.odooops.store.PackMembers;
import dev.odooops.store.StoreLocator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one way an artifact's parts are loaded, by the restore steps and by every operation that loads an artifact
 * somewhere else (a sanitised snapshot's scratch copy, the pull-request template, an Odoo zip export):
 * <ul>
 *   <li>{@link #fetch}: the artifact's files from the store it was written to, each SHA-256 (of the stored bytes)
 *   compared with the catalog's, then an encrypted one decrypted in place ({@link #decrypted});</li>
 *   <li>{@link #pgRestore}: the {@code pg_restore --exit-on-error --no-owner --no-acl} command line, and
 *   {@link #rowCounts}: the loaded database's tables against the backup's row counts;</li>
 *   <li>{@link #unpackArchive}: a filestore archive admitted (tar's own listing, every member judged by
 *   {@link TarListing#refusals}) before it is extracted;</li>
 *   <li>{@link #unpackPacks}: a packed filestore's packs (a repacked one found through the catalog), each pack's
 *   SHA-256 checked, admitted, its members extracted and each file's size and SHA-1 checked against the index before
 *   the caller takes it; several packs at a time ({@code restore.pack-fetch-parallelism}).</li>
 * </ul>
 * One place, so a scratch copy is loaded exactly as a restore loads it, and a hostile artifact is refused the same way
 * by every operation.
 */
public final class ArtifactUnpacking {
    private final ToolRunner tools;
    private final OpsCatalog catalog;
    private final StoreLocator stores;
    private final Duration timeout;
    private final int packParallelism;
    private final boolean besideSafetyBackup;

    /** {@code restore.pack-fetch-parallelism}'s default: packs at a time by the store and the load. */
    public static final int DEFAULT_PACK_PARALLELISM = dev.odooops.config.Settings.Restore.defaultPackFetchParallelism();

    /** {@code timeout}: of each tar run (listing, extraction); packs {@link #DEFAULT_PACK_PARALLELISM} at a time. */
    public ArtifactUnpacking(ToolRunner tools, OpsCatalog catalog, StoreLocator stores, Duration timeout) {
        this(tools, catalog, stores, timeout, DEFAULT_PACK_PARALLELISM);
    }

    /**
     * {@code packParallelism}: how many packs {@link #unpackPacks} fetches and extracts at the same time (1: one by one;
     * {@link dev.odooops.config.Settings.Restore#PACK_FETCH_UNSET}: by the store and the load, see
     * {@link dev.odooops.config.Settings.Restore#packFetchThreads}).
     */
    public ArtifactUnpacking(ToolRunner tools, OpsCatalog catalog, StoreLocator stores, Duration timeout, int packParallelism) {
        this(tools, catalog, stores, timeout, packParallelism, false);
    }

    /** {@code besideSafetyBackup}: a restore's load, its pg_restore and safety backup beside (Settings.Restore#packFetchThreads). */
    public ArtifactUnpacking(ToolRunner tools, OpsCatalog catalog, StoreLocator stores, Duration timeout, int packParallelism,
                             boolean besideSafetyBackup) {
        if (packParallelism < 0) throw new IllegalArgumentException("packParallelism must be at least 1, or 0: by the store and the load");
        this.besideSafetyBackup = besideSafetyBackup;
        this.tools = tools;
        this.catalog = catalog;
        this.stores = stores;
        this.timeout = timeout;
        this.packParallelism = packParallelism;
    }

    /**
     * {@code pg_restore --exit-on-error --no-owner --no-acl} of {@code dump} into {@code database} on the server of
     * {@code db}, as its user (the password through PGPASSFILE, never here).
     */
    public static List<String> pgRestore(DatabaseConfig db, String database, Path dump, int jobs) {
        return List.of("pg_restore", "--exit-on-error", "--no-owner", "--no-acl", "--no-password",
                "--jobs=" + jobs, "--host=" + db.host(), "--port=" + db.port(), "--username=" + db.user(),
                "--dbname=" + database, dump.toString());
    }

    /** {@link #rowCounts}: the tables the backup counted, the tables loaded, and each table whose rows differ. */
    public record RowCounts(int tablesExpected, int tablesRestored, Map<String, Object> mismatches) {
        public boolean match() {
            return mismatches.isEmpty();
        }
    }

    /**
     * Every table of {@code database} (on the server of {@code db}) against the row counts the backup recorded in
     * {@code dumpMeta} ({@code db.dump.meta.json}): a mismatch is {@code {expected, restored}} ("missing" for a table
     * not there).
     */
    public static RowCounts rowCounts(DatabaseConfig db, String database, Path dumpMeta) throws IOException, SQLException {
        Map<String, Long> actual;
        try (Connection c = EnvironmentDatabase.connect(db, database)) {
            actual = TableCounts.of(c);
        }
        return rowCounts(actual, dumpMeta);
    }

    /** {@code actual} (a loaded database's row counts, {@code schema.table -> rows}) against those of {@code dumpMeta}. */
    public static RowCounts rowCounts(Map<String, Long> actual, Path dumpMeta) throws IOException {
        Map<String, Object> meta = Json.readMap(dumpMeta);
        @SuppressWarnings("unchecked")
        Map<String, Object> expected = new TreeMap<>((Map<String, Object>) meta.get("row_counts"));
        Map<String, Object> mismatches = new TreeMap<>();
        expected.forEach((table, n) -> {
            Long got = actual.get(table);
            if (got == null || got != ((Number) n).longValue()) mismatches.put(table, Map.of("expected", n, "restored", got == null ? "missing" : got));
        });
        return new RowCounts(expected.size(), actual.size(), mismatches);
    }

    /**
     * Lists {@code archive} with tar itself and judges every member: only regular files and directories, relative
     * paths, at most {@code maxBytes} in all (-1: no bound). Returns the check as evidence records it ({@code ok},
     * {@code members}, {@code max_bytes}, {@code refused}, {@code refused_members}: the first 100).
     */
    public static Map<String, Object> admission(ToolRunner tools, Path archive, long maxBytes, Duration timeout) {
        List<String> argv = new ArrayList<>(List.of("tar", "--zstd", "--list"));
        argv.addAll(TarListing.LIST_OPTIONS);
        argv.add("--file=" + archive);
        List<TarListing.Member> members = TarListing.parse(tools.run(argv, Map.of(), timeout).stdout());
        return admissionCheck(TarListing.refusals(members, maxBytes), members.size(),
                members.stream().mapToLong(TarListing.Member::size).sum(), maxBytes);
    }

    /** An admission check as evidence records it ({@code refused_members}: the first 100). */
    private static Map<String, Object> admissionCheck(List<String> refused, int members, long memberBytes, long maxBytes) {
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("ok", refused.isEmpty());
        check.put("members", members);
        check.put("member_bytes", memberBytes);
        check.put("max_bytes", maxBytes);
        check.put("refused", refused.size());
        check.put("refused_members", refused.subList(0, Math.min(100, refused.size())));
        return check;
    }

    /**
     * The admission of what a pack's extraction left in {@code staging}: nothing but the {@code wanted} members as
     * regular files and the directories above them (no link, device or other file; links are not followed). As
     * {@link #admission} records it ({@code refused_members}: the first 100).
     */
    static Map<String, Object> extractedOnly(Path staging, List<FilestoreIndex.Entry> wanted) {
        java.util.Set<String> named = new java.util.HashSet<>();
        for (FilestoreIndex.Entry e : wanted) named.add(e.path());
        FilestoreInventory found = FilestoreInventory.of(staging); // links not followed: listed among the others
        List<String> refused = new ArrayList<>(found.others());
        found.unreadable().forEach(u -> refused.add(u + ": unreadable"));
        long bytes = 0;
        int seen = 0;
        for (Map.Entry<String, Long> f : found.files().entrySet()) {
            if (!named.contains(f.getKey())) {
                refused.add(f.getKey() + ": not a member the index names");
            } else {
                seen++;
                bytes += f.getValue();
            }
        }
        Map<String, Object> check = admissionCheck(refused, seen, bytes, -1);
        check.put("checked", "what the extraction of the index's members left on disk");
        return check;
    }

    /** The exception that refuses an archive whose {@link #admission} was not ok. */
    @SuppressWarnings("unchecked")
    public static IllegalStateException refused(String name, Map<String, Object> check) {
        List<String> refused = (List<String>) check.get("refused_members");
        return new IllegalStateException(name + " refused: " + check.get("refused") + " member(s) may not enter a "
                + "filestore (only regular files and directories, relative paths, within the recorded size), first: "
                + (refused.isEmpty() ? "?" : refused.get(0)));
    }

    /**
     * What {@link #fetch} fetched: each file's local path, each file's check as evidence records it
     * ({@code expected_sha256}, {@code actual_sha256}, {@code size}, {@code ok}), and the names whose SHA-256 is not
     * the catalog's (or that the catalog has no SHA-256 of).
     */
    public record Fetched(String artifactId, Map<String, Path> files, Map<String, Object> checks, List<String> damaged) {
        public boolean ok() {
            return damaged.isEmpty();
        }

        /** This, when every file is the catalog's; otherwise the failure naming the damaged files. */
        public Fetched verified() {
            if (!ok()) throw new IllegalStateException("artifact " + artifactId + " is damaged in the store: " + damaged);
            return this;
        }

        public Path file(String name) {
            return files.get(name);
        }
    }

    /**
     * The files {@code names} of {@code artifact}, from the store it was written to, into {@code dir}, each SHA-256
     * compared with the catalog's. Every one is fetched and judged (the caller records the checks, then calls
     * {@link Fetched#verified}).
     */
    public Fetched fetch(Artifact artifact, Collection<String> names, Path dir) throws IOException {
        StoreLocator.Location where = stores.locate(artifact.uri(), artifact.id());
        Map<String, Path> files = new LinkedHashMap<>();
        Map<String, Object> checks = new LinkedHashMap<>();
        List<String> damaged = new ArrayList<>();
        for (String name : names) {
            Path local = dir.resolve(name);
            String actual = where.store().fetch(where.artifactPath(), name, local);
            Object recorded = artifact.checksums().get(name);
            String expected = recorded == null ? null : recorded.toString();
            boolean ok = actual.equals(expected);
            if (!ok) damaged.add(name);
            else decrypted(artifact, name, local);
            files.put(name, local);
            Map<String, Object> check = new LinkedHashMap<>();
            check.put("expected_sha256", expected);
            check.put("actual_sha256", actual);
            check.put("size", Files.size(local));
            check.put("ok", ok);
            checks.put(name, check);
        }
        return new Fetched(artifact.id(), files, checks, damaged);
    }

    /** The project whose identity reads {@code artifact}'s files: its source environment's (the manifest's). */
    public static String projectOf(Artifact artifact) {
        if (artifact.manifest() != null && artifact.manifest().sourceEnv() != null && artifact.manifest().sourceEnv().project() != null) {
            return artifact.manifest().sourceEnv().project();
        }
        String env = artifact.environmentId();
        return env == null ? null : env.substring(0, env.indexOf('/') < 0 ? env.length() : env.indexOf('/'));
    }

    /**
     * {@code local} (the fetched file {@code name} of {@code artifact}, its stored SHA-256 already checked) decrypted in
     * place when it is an age file, with the identity of the artifact's project (store.ArtifactCipher); the
     * {@code *.sha256} lists and the manifest are plain text. A missing or non-matching identity throws
     * {@link dev.odooops.store.EncryptionKeyException} naming the file.
     */
    public void decrypted(Artifact artifact, String name, Path local) {
        if (name.equals(ArtifactManifest.FILE) || name.endsWith(".sha256")) return;
        stores.cipher().decryptInPlace(projectOf(artifact), local, name + " of artifact " + artifact.id());
    }

    /**
     * A filestore archive ({@code filestore.tar.zst}) admitted, then extracted into {@code into} (an existing,
     * empty directory) without owners, modes or a replaced directory. {@code admitted} receives the admission check
     * (for the evidence) before a refused archive fails; nothing of it is extracted then.
     */
    public void unpackArchive(Path archive, long maxBytes, Path into, Consumer<Map<String, Object>> admitted) {
        Map<String, Object> check = admission(tools, archive, maxBytes, timeout);
        admitted.accept(check);
        if (!Boolean.TRUE.equals(check.get("ok"))) throw refused("filestore.tar.zst", check);
        tools.run(List.of("tar", "--zstd", "--extract", "--file=" + archive, "--directory=" + into,
                "--no-same-owner", "--no-same-permissions", "--no-overwrite-dir"), Map.of(), timeout,
                ToolRunner.Progress.directory(into).of(((Number) check.get("member_bytes")).longValue()));
    }

    /**
     * Refuses a tree ({@code what}, for the message) holding anything but directories and regular files (whatever the
     * format): a loaded filestore never holds a link, a fifo or a device. Returns its regular files with their sizes.
     */
    public static Map<String, Long> regularFilesOnly(Path tree, String what) {
        var inventory = FilestoreInventory.of(tree, AppProfile.ODOO);
        if (!inventory.others().isEmpty()) {
            throw new IllegalStateException(what + " holds " + inventory.others().size()
                    + " entr(ies) neither a regular file nor a directory, first " + inventory.others().get(0));
        }
        return inventory.files();
    }

    /**
     * The tree digest (version 3) of a packed filestore assembled from {@code index}, from the directory's own walk
     * ({@code found}: its regular files and sizes): every regular file must be in the index with its size (each one's
     * SHA-1 was checked as it was linked or extracted) and nothing else may be there; otherwise "differs: ...".
     */
    public static String verifiedTree(Map<String, Long> found, FilestoreIndex index) {
        Map<String, Long> expected = new LinkedHashMap<>();
        index.entries().forEach(e -> expected.put(e.path(), e.size()));
        if (!found.equals(expected)) return "differs: " + found.size() + " file(s) found, " + expected.size() + " indexed";
        return index.treeDigest();
    }

    /** What {@link #extractFilestore} made: the tree digest of what is now there, its file count, and what it checked. */
    public record Extracted(String treeDigest, long files, boolean packed, Map<String, Object> detail) {
    }

    /**
     * The filestore of {@code artifact} (of {@code project}; its fetched {@code files}: the packed index or
     * filestore.tar.zst, and filestore.meta.json when there is one) extracted into the empty directory {@code dir},
     * nothing linked from anywhere else: from every pack ({@link #unpackPacks}, through {@code work}) or from the
     * archive ({@link #unpackArchive}, bounded by the recorded total bytes). The tree digest returned is computed from
     * what is in {@code dir} (for a packed one, "differs: ..." when anything but the indexed files is there) for the
     * caller to compare with the one recorded at backup time.
     */
    public Extracted extractFilestore(String project, Artifact artifact, Map<String, Path> files, Path work, Path dir,
                                      AppProfile app) throws IOException {
        Path metaFile = files.get("filestore.meta.json");
        Map<String, Object> meta = metaFile == null ? Map.of() : Json.readMap(metaFile);
        boolean packed = artifact.manifest().format() == ArtifactManifest.FORMAT_PACKED;
        Map<String, Object> detail = new LinkedHashMap<>();
        if (packed) {
            FilestoreIndex index = FilestoreIndex.parse(Files.readString(files.get(FilestoreIndex.FILE)));
            Unpacked unpacked = unpackPacks(project, artifact.manifest(), index.entries(), work,
                    pack -> work.resolve("pack-" + pack), (e, got) -> {
                        Path target = dir.resolve(e.path());
                        Files.createDirectories(target.getParent());
                        Files.move(got, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    });
            detail.put("packs_fetched", unpacked.packs());
            detail.put("bytes", unpacked.bytes());
            FilestoreInventory found = FilestoreInventory.of(dir, app);
            String actual = found.others().isEmpty() ? verifiedTree(found.files(), index)
                    : "differs: " + found.others().size() + " entr(ies) neither a regular file nor a directory";
            return new Extracted(actual, index.entries().size(), true, detail);
        }
        Path archive = files.get("filestore.tar.zst");
        if (archive == null) throw new IllegalStateException("artifact " + artifact.id() + " has no filestore archive");
        long maxBytes = meta.get("total_bytes") instanceof Number n ? n.longValue() : -1;
        unpackArchive(archive, maxBytes, dir, check -> detail.put("archive_check", check));
        int version = meta.get("tree_digest_version") instanceof Number n ? n.intValue() : dev.odooops.domain.TreeDigest.V1;
        dev.odooops.domain.TreeDigest.Result tree = dev.odooops.domain.TreeDigest.of(dir, version, app);
        return new Extracted(tree.digest(), tree.fileCount(), false, detail);
    }

    /** Where {@link #unpackPacks} puts what it checked. */
    public interface Members {
        /** The pack {@code pack}'s admission check (before a refused pack fails the load). */
        default void admitted(String pack, Map<String, Object> check) {
        }

        /**
         * {@code file} (in the pack's staging directory, removed after the pack) holds {@code entry}: its size and
         * SHA-1 are the index's. The caller moves, copies or streams it.
         */
        void take(FilestoreIndex.Entry entry, Path file) throws IOException;

        /** Every member {@code pack} was asked for has been taken. */
        default void packDone(String pack, int files) {
        }
    }

    /** What {@link #unpackPacks} took: packs fetched, files and their bytes. */
    public record Unpacked(int packs, long files, long bytes) {
    }

    /**
     * The {@code entries} of a packed filestore (of {@code project}, indexed by {@code manifest}), up to
     * {@link #packParallelism} packs at a time (each pack's fetch, decryption, admission, extraction and checks on a
     * thread of its own, so one pack downloads while another is extracted and a third hashed): the pack from the store
     * it was written to (a pack written again by a repack holds the same members under another id: the catalog says
     * which), its SHA-256 (computed as it is fetched) the manifest's, its listing admitted, the members extracted into
     * {@code stagingOf.apply(pack id)} (made empty first, removed after), each one a regular file of the indexed size
     * and SHA-1 (hashed right after tar wrote it, while it is in the page cache), handed to {@code members}. The pack
     * file itself goes through {@code work}. {@code members} is called by one thread at a time. The first failure
     * stops the packs not yet started, waits for the running ones (nothing keeps writing into a staging directory the
     * caller removes) and is rethrown as it was.
     */
    public Unpacked unpackPacks(String project, ArtifactManifest manifest, Collection<FilestoreIndex.Entry> entries, Path work,
                                Function<String, Path> stagingOf, Members members) throws IOException {
        Map<String, List<FilestoreIndex.Entry>> byPack = new TreeMap<>();
        for (FilestoreIndex.Entry e : entries) byPack.computeIfAbsent(e.pack(), k -> new ArrayList<>()).add(e);
        if (byPack.isEmpty()) return new Unpacked(0, 0, 0);
        Map<String, ArtifactManifest.PackRef> refs = new LinkedHashMap<>();
        manifest.filestore().packs().forEach(r -> refs.put(r.id(), r));
        catalog.packs().currentPacks(project, byPack.keySet()).forEach((id, ref) -> { if (!ref.id().equals(id)) refs.put(id, ref); });
        // each pack from the store it was written to (store.previous), as the catalog records it
        Map<String, NewPack> recorded = catalog.packs().packs(project, refs.values().stream().map(ArtifactManifest.PackRef::id).toList());
        // by the pack that holds them now: packs a repack merged are fetched once
        Map<String, List<FilestoreIndex.Entry>> byStored = new TreeMap<>();
        Map<String, ArtifactManifest.PackRef> stored = new LinkedHashMap<>();
        for (Map.Entry<String, List<FilestoreIndex.Entry>> p : byPack.entrySet()) {
            ArtifactManifest.PackRef ref = refs.get(p.getKey());
            if (ref == null) throw new IllegalStateException("the index names pack " + p.getKey() + ", the manifest does not");
            byStored.computeIfAbsent(ref.id(), k -> new ArrayList<>()).addAll(p.getValue());
            stored.put(ref.id(), ref);
        }
        Object serial = new Object(); // the caller's Members is called by one thread at a time
        AtomicLong files = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        // where each pack is (the store it was written to, as the catalog records it), found once
        Map<String, StoreLocator.PackLocation> where = new LinkedHashMap<>();
        for (String id : byStored.keySet()) {
            NewPack at = recorded.get(id);
            where.put(id, stores.pack(project, id, at == null ? null : at.uri()));
        }
        boolean remote = where.values().stream().anyMatch(l -> l.store().remote());
        int threads = Math.min(dev.odooops.config.Settings.Restore.packFetchThreads(packParallelism, remote, besideSafetyBackup), byStored.size());
        if (threads == 1) {
            for (Map.Entry<String, List<FilestoreIndex.Entry>> p : byStored.entrySet()) {
                unpackPack(project, p.getKey(), p.getValue(), stored.get(p.getKey()), where.get(p.getKey()), work, stagingOf, members, serial, files, bytes);
            }
            return new Unpacked(byStored.size(), files.get(), bytes.get());
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "unpack-packs");
            t.setDaemon(true);
            return t;
        });
        AtomicBoolean failed = new AtomicBoolean();
        List<Future<?>> running = new ArrayList<>();
        try {
            for (Map.Entry<String, List<FilestoreIndex.Entry>> p : byStored.entrySet()) {
                running.add(pool.submit(() -> {
                    if (failed.get()) return null; // an earlier pack failed: this one is not started
                    try {
                        unpackPack(project, p.getKey(), p.getValue(), stored.get(p.getKey()), where.get(p.getKey()), work, stagingOf, members,
                                serial, files, bytes);
                    } catch (Exception | Error e) {
                        failed.set(true);
                        throw e;
                    }
                    return null;
                }));
            }
            Throwable first = null;
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (first == null) first = e.getCause();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failed.set(true);
                    if (first == null) first = new IllegalStateException("interrupted while packs were being unpacked", e);
                }
            }
            if (first instanceof IOException x) throw x;
            if (first instanceof RuntimeException x) throw x;
            if (first instanceof Error x) throw x;
            if (first != null) throw new IllegalStateException(first);
        } finally {
            pool.shutdown();
            awaitQuietly(pool);
        }
        return new Unpacked(byStored.size(), files.get(), bytes.get());
    }

    /** A failed load waits for the packs still running (tar writing into staging) before the caller cleans up. */
    private static void awaitQuietly(ExecutorService pool) {
        boolean interrupted = false;
        while (true) {
            try {
                if (pool.awaitTermination(1, TimeUnit.MINUTES)) break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** One pack of {@link #unpackPacks}: fetched, checked, decrypted, admitted, extracted, each member checked and taken. */
    private void unpackPack(String project, String packId, List<FilestoreIndex.Entry> wanted, ArtifactManifest.PackRef ref,
                            StoreLocator.PackLocation from, Path work, Function<String, Path> stagingOf, Members members,
                            Object serial, AtomicLong files, AtomicLong bytes) throws IOException {
        Path pack = work.resolve(ref.id() + ".tar.zst");
        try {
            String sha = from.store().fetch(from.packsPath(), from.name(), pack);
            if (!sha.equals(ref.sha256())) {
                throw new IllegalStateException("pack " + ref.id() + " is damaged in the store: sha256 " + sha + ", recorded " + ref.sha256());
            }
            // a pack is encrypted whole: its plain text is a tar.zst again (the members' SHA-1 are checked as extracted)
            stores.cipher().decryptInPlace(project, pack, "pack " + ref.id() + " of project " + project);
            // one decompression: only the members the index names are extracted, each a regular file of the index's
            // size and SHA-1 (in process where zstd's library loads, nothing else written; else tar's exact names,
            // --no-recursion, tar keeping every name and link target inside the staging directory); then what is on
            // disk is judged: nothing but those regular files and their directories (the pack's digest, checked
            // above, is the manifest's)
            Path staging = stagingOf.apply(packId);
            WorkFiles.deleteTree(staging);
            Files.createDirectories(staging);
            PackMembers.extractChecked(tools, pack, packId, wanted, staging, timeout);
            Files.deleteIfExists(pack); // extracted: its disk is free before the checks
            Map<String, Object> check = extractedOnly(staging, wanted);
            synchronized (serial) {
                members.admitted(ref.id(), check);
            }
            if (!Boolean.TRUE.equals(check.get("ok"))) throw refused("pack " + ref.id(), check);
            for (FilestoreIndex.Entry e : wanted) { // each one a regular file of the index's size and SHA-1 (extractChecked)
                Path got = staging.resolve(e.path());
                synchronized (serial) {
                    members.take(e, got);
                }
                files.incrementAndGet();
                bytes.addAndGet(e.size());
            }
            WorkFiles.deleteTree(staging);
            synchronized (serial) {
                members.packDone(packId, wanted.size());
            }
        } finally {
            Files.deleteIfExists(pack);
        }
    }
}
