package dev.odooops.restore;

import dev.odooops.exec.CrashPoints;
import dev.odooops.run.Vars;
import dev.odooops.exec.WorkFiles;

import dev.odooops.config.Settings;
import dev.odooops.domain.ArtifactManifest;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.FilestoreIndex;
import dev.odooops.domain.FilestoreOwner;
import dev.odooops.domain.LiveFiles;
import dev.odooops.store.StoreLocator;
import dev.odooops.domain.Json;
import dev.odooops.domain.TarListing;
import dev.odooops.domain.TreeDigest;
import dev.odooops.exec.Durable;
import dev.odooops.exec.ToolRunner;
import dev.odooops.model.RestoreJob;
import dev.odooops.ops.OpsCatalog;
import org.apache.camel.Variable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Restore step 6: list the archive and refuse any member that may not enter a filestore (links, devices,
 * fifos, absolute or climbing paths, more bytes than the backup recorded), extract it beside the live filestore
 * ({@code <filestore>.restore-<run>}) without the archive's owners and modes, give it the environment's owner
 * and the filestore modes ({@link FilestoreOwner}), check the tree digest recorded at backup time (in the
 * version the backup used), then swap by rename: the live directory becomes
 * {@code <filestore>.pre-<run>} (kept until the run ends) and the extracted one takes its place.
 */
public class RestoreFilestore {
    private final ToolRunner tools;
    private final Duration timeout;
    private final ArtifactUnpacking unpacking;

    public RestoreFilestore(ToolRunner tools, OpsCatalog catalog, Settings.Backup settings, StoreLocator stores) {
        this(tools, catalog, settings, stores, ArtifactUnpacking.DEFAULT_PACK_PARALLELISM);
    }

    /** {@code packParallelism}: {@code restore.pack-fetch-parallelism}, packs fetched and extracted at the same time. */
    public RestoreFilestore(ToolRunner tools, OpsCatalog catalog, Settings.Backup settings, StoreLocator stores, int packParallelism) {
        this.tools = tools;
        this.timeout = Duration.ofSeconds(settings.archiveTimeoutSeconds());
        this.unpacking = new ArtifactUnpacking(tools, catalog, stores, timeout, packParallelism, true); // a restore: its safety backup beside
    }

    /**
     * Lists the archive with tar itself and refuses it (the step fails, the run rolls back) when any member may
     * not enter a filestore: see {@link TarListing#refusals}; the size bound is the total the backup recorded.
     * Writes filestore_archive_check.json either way.
     */
    /** The new tree, built and checked beside the live filestore, not yet in its place. */
    private record Prepared(Path live, Path fresh, Path aside, StringBuilder log, long t0, long t1, long t2,
                            long files, boolean packed, Map<String, Object> detail, String verifiedTreeDigest) {
    }

    private final java.util.concurrent.ExecutorService background = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "prepare-filestore");
        t.setDaemon(true);
        return t;
    });

    /**
     * prepare-filestore: starts building the new tree in the background, so that it is assembled while
     * pg_restore runs (it only reads the live filestore and writes the side directory); restore-filestore waits
     * for it. The swaps keep the mandated order: the database first, then the filestore.
     */
    public void start(@Variable(Vars.RESTORE_JOB) RestoreJob job) {
        if (!job.request().type().includesFilestore()) return;
        job.filestorePreparation(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                Prepared prepared = prepare(job);
                // fingerprint-new-copies's filestore part, taken here while pg_restore may still run rather than after
                // it (the tree is final: nothing writes to it until the swap renames it); a standby's was recorded
                if (StandbyCopies.restoreFingerprint(job).containsKey("filestore")) {
                    // the standby's, recorded by its drill
                } else if (prepared.verifiedTreeDigest() != null) {
                    // a packed artifact's tree: every file was checked against the index, whose digest it then has
                    job.newFilestoreFingerprint(Map.of("filestore",
                            EnvironmentFingerprint.indexedFilestore(prepared.verifiedTreeDigest(), prepared.files())));
                } else {
                    job.newFilestoreFingerprint(EnvironmentFingerprint.of(null, prepared.fresh(),
                            dev.odooops.model.BackupType.FILESTORE_ONLY));
                }
                return prepared;
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, background));
    }

    /**
     * await-new-filestore: waits for the new tree that {@link #start} builds, before quiesce, so that the downtime
     * holds only the swap; its failure (a pack damaged in the store, a hostile archive, a digest that differs) fails
     * this step, while nothing of the environment has changed.
     */
    public void await(@Variable(Vars.RESTORE_JOB) RestoreJob job) throws Exception {
        var started = job.filestorePreparation();
        if (!job.request().type().includesFilestore() || started == null) return;
        long t0 = System.nanoTime();
        Prepared prepared;
        try {
            prepared = (Prepared) started.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof Exception x) throw x;
            throw e;
        }
        job.stepDetail(Map.of("waited_ms", (System.nanoTime() - t0) / 1_000_000, "files", prepared.files()));
    }

    public void restore(@Variable(Vars.RESTORE_JOB) RestoreJob job) throws Exception {
        if (!job.request().type().includesFilestore()) return;
        Prepared prepared;
        var started = job.filestorePreparation();
        if (started == null) {
            prepared = prepare(job);
        } else {
            try {
                prepared = (Prepared) started.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof Exception x) throw x;
                throw e;
            }
        }
        swap(job, prepared);
    }

    /**
     * The new tree ({@link #build}), then on the disk ({@link Durable#fileSystemOf}) before anything may swap it in: a
     * power cut after the run commits must not leave empty files under the environment's filestore (the copy kept
     * aside is removed once the run commits). Before quiesce, so not in the downtime.
     */
    private Prepared prepare(RestoreJob job) throws Exception {
        Prepared p = build(job);
        long t0 = System.nanoTime();
        Durable.fileSystemOf(tools, p.fresh(), timeout);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        p.detail().put("sync_ms", ms);
        p.log().append("synced to disk in ").append(ms).append(" ms\n");
        return p;
    }

    private Prepared build(RestoreJob job) throws Exception {
        Path live = job.environment().filestore().toAbsolutePath();
        String tag = job.sideTag();
        Path fresh = SideCopies.filestore(live, SideCopies.Role.RESTORE, tag);
        Path aside = SideCopies.filestore(live, SideCopies.Role.PRE, tag);
        StringBuilder log = new StringBuilder();
        long t0 = System.nanoTime();
        WorkFiles.deleteTree(fresh); // a leftover of an earlier, killed run
        if (job.standbyFor("filestore")) {
            Prepared kept = fromStandby(job, live, fresh, aside, log, t0);
            if (kept != null) return kept;
            WorkFiles.deleteTree(fresh);
        }
        Files.createDirectories(fresh);
        job.newFilestore(fresh);
        boolean packed = job.artifact().manifest().format() == ArtifactManifest.FORMAT_PACKED;
        Map<String, Object> meta = Json.readMap(job.files().get("filestore.meta.json"));
        Map<String, Object> detail = new LinkedHashMap<>();
        FilestoreIndex index = null;
        int version;
        try {
            if (packed) {
                index = FilestoreIndex.parse(Files.readString(job.files().get(FilestoreIndex.FILE)));
                assemble(job, index, live, fresh, log, detail);
                version = TreeDigest.V3;
            } else {
                Path archive = job.files().get("filestore.tar.zst");
                long maxBytes = meta.get("total_bytes") instanceof Number n ? n.longValue() : -1;
                unpacking.unpackArchive(archive, maxBytes, fresh, check -> job.evidence().json("filestore_archive_check.json", check));
                log.append("extracted filestore.tar.zst into ").append(fresh).append('\n');
                FilestoreOwner owner = FilestoreOwner.resolve(job.environment().filestoreOwner(), live);
                owner.apply(fresh);
                log.append("owner ").append(owner).append(", directories ").append(owner.dirMode())
                        .append(", files ").append(owner.fileMode()).append('\n');
                version = meta.get("tree_digest_version") instanceof Number n ? n.intValue() : TreeDigest.V1;
            }
        } catch (RuntimeException | java.io.IOException e) {
            log.append("FAILED: ").append(e.getMessage()).append('\n');
            job.evidence().text("filestore_restore.log", log.toString());
            throw e;
        }
        long t1 = System.nanoTime();
        Map<String, Long> files = ArtifactUnpacking.regularFilesOnly(fresh, "the restored filestore");
        String actual;
        long actualFiles;
        if (packed) {
            actual = ArtifactUnpacking.verifiedTree(files, index);
            actualFiles = index.entries().size();
        } else {
            TreeDigest.Result tree = TreeDigest.of(fresh, version);
            actual = tree.digest();
            actualFiles = tree.fileCount();
        }
        boolean match = actual.equals(meta.get("tree_digest"));
        Map<String, Object> verification = new LinkedHashMap<>();
        verification.put("directory", fresh.toString());
        verification.put("tree_digest_version", version);
        verification.put("expected_tree_digest", meta.get("tree_digest"));
        verification.put("actual_tree_digest", actual);
        verification.put("expected_file_count", meta.get("file_count"));
        verification.put("actual_file_count", actualFiles);
        verification.put("ok", match);
        job.evidence().json("filestore_restore_checksum_verification.json", verification);
        if (!match) {
            job.evidence().text("filestore_restore.log", log.toString());
            throw new IllegalStateException("restored filestore does not match the tree digest recorded at backup time");
        }
        // the packed tree's digest is its index's, every file checked against it: the restore's fingerprint without a read
        return new Prepared(live, fresh, aside, log, t0, t1, System.nanoTime(), actualFiles, packed, detail, packed ? actual : null);
    }

    /**
     * The warm standby's kept filestore renamed in as the new tree (StandbyCopies.claimFilestore: its layout
     * checked unchanged since the drill that verified its tree digest), or null when refused (the reason in
     * standby.json and the warnings; the normal path then builds the tree).
     */
    private Prepared fromStandby(RestoreJob job, Path live, Path fresh, Path aside, StringBuilder log, long t0) {
        String refused = StandbyCopies.claimFilestore(job, fresh);
        Map<String, Object> recorded = job.standby().get("recorded_fingerprint") instanceof Map<?, ?> m
                && m.get("filestore") instanceof Map<?, ?> f ? castMap(f) : Map.of();
        Map<String, Object> meta = Json.readMap(job.files().get("filestore.meta.json"));
        if (refused == null && !java.util.Objects.equals(recorded.get("tree_digest"), meta.get("tree_digest"))) {
            refused = "the kept filestore's tree digest " + recorded.get("tree_digest") + " is not the artifact's";
        }
        if (refused != null) {
            job.standby().put("filestore_refused", refused);
            job.evidence().json("standby.json", new java.util.TreeMap<>(job.standby()));
            job.warn("warm standby filestore refused, the tree is built from the artifact: " + refused);
            log.append("warm standby filestore refused (").append(refused).append("): built from the artifact\n");
            return null;
        }
        long t1 = System.nanoTime();
        Map<String, Object> verification = new LinkedHashMap<>();
        verification.put("directory", fresh.toString());
        verification.put("expected_tree_digest", meta.get("tree_digest"));
        verification.put("actual_tree_digest", recorded.get("tree_digest"));
        verification.put("verified_by", "the drill that kept the warm standby computed it; the layout (paths, sizes, inodes, "
                + "modification times) is unchanged since");
        verification.put("expected_file_count", meta.get("file_count"));
        verification.put("actual_file_count", recorded.get("files"));
        verification.put("ok", true);
        job.evidence().json("filestore_restore_checksum_verification.json", verification);
        log.append("warm standby filestore renamed to ").append(fresh).append(", layout unchanged: nothing extracted\n");
        long files = recorded.get("files") instanceof Number n ? n.longValue() : 0;
        boolean packed = job.artifact().manifest().format() == ArtifactManifest.FORMAT_PACKED;
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("standby", true);
        return new Prepared(live, fresh, aside, log, t0, t1, System.nanoTime(), files, packed, detail, null);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    /** The application's logs stay live: from the tree moved aside into the restored one (never restored, never removed). */
    private static void carryLogs(RestoreJob job, Path from, Path to, StringBuilder log) {
        List<Object> actions = new java.util.ArrayList<>();
        try {
            SideCopies.carryLogs(job.environment(), from, to, actions);
        } catch (java.io.IOException | RuntimeException e) {
            actions.add("logs not carried over: " + e.getMessage());
        }
        actions.forEach(a -> log.append(a).append('\n'));
    }

    /** The live filestore aside, the new one in its place (both renames); the evidence of the whole step. */
    private void swap(RestoreJob job, Prepared p) throws java.io.IOException {
        long waited = System.nanoTime();
        StringBuilder log = p.log();
        job.swapStarted();
        if (Files.exists(p.live())) {
            Files.move(p.live(), p.aside(), StandardCopyOption.ATOMIC_MOVE);
            job.asideFilestore(p.aside());
            log.append("renamed ").append(p.live()).append(" -> ").append(p.aside()).append('\n');
        }
        CrashPoints.reached("restore-filestore:live-moved-aside");
        Files.move(p.fresh(), p.live(), StandardCopyOption.ATOMIC_MOVE);
        job.filestoreSwapped(true);
        log.append("renamed ").append(p.fresh()).append(" -> ").append(p.live()).append('\n');
        // both renames on the disk before the run can commit (the copy aside is removed after the commit)
        Durable.directory(p.live().getParent());
        if (job.asideFilestore() != null) carryLogs(job, p.aside(), p.live(), log);
        long t3 = System.nanoTime();
        job.evidence().text("filestore_restore.log", log.toString());
        Map<String, Object> durations = new LinkedHashMap<>();
        durations.put(p.packed() ? "assemble_ms" : "extract_ms", (p.t1() - p.t0()) / 1_000_000);
        durations.put("verify_ms", (p.t2() - p.t1()) / 1_000_000);
        durations.put("swap_ms", (t3 - waited) / 1_000_000);
        durations.put("total_ms", (t3 - p.t0()) / 1_000_000);
        durations.put("prepared_while_the_database_was_restored", job.filestorePreparation() != null);
        durations.putAll(p.detail());
        job.evidence().json("filestore_restore_duration.json", durations);
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("files", p.files());
        step.put(p.packed() ? "assemble_ms" : "extract_ms", (p.t1() - p.t0()) / 1_000_000);
        step.putAll(p.detail());
        job.stepDetail(step);
        job.downtime().lap("swap_filestore_ms");
    }

    /**
     * The packed filestore's new tree, built beside the live filestore on its file system (the packs are fetched into
     * the work directory, wherever that is, and extracted into a staging folder inside the new tree, so every move is
     * a rename within one file system). Every file the live filestore itself holds under the same path with the same
     * size and SHA-1 is reused: hard-linked into the new tree, so it is neither copied nor changed (its owner and mode
     * stay the live file's). Only the live filestore's own regular files are reused (see {@link LiveFiles}: the walk
     * never follows a link, and a file is reused only when its hard link is the file the walk found, on the live root's
     * device); a symbolic link met is reported (filestore_reuse.json and the run's warnings). Every other file is
     * extracted from its pack, fetched from the store with its digest checked, and its SHA-1 checked against the
     * index. Only the packs that hold a missing file are fetched. An application that rewrites files under the same
     * name (Dolibarr, see {@link dev.odooops.domain.AppProfile#namesByContent}) gets copies of the linked files
     * instead, each copy's SHA-1 checked, so a later rewrite of the restored file cannot reach the live tree kept aside
     * for the rollback.
     */
    private void assemble(RestoreJob job, FilestoreIndex index, Path live, Path fresh, StringBuilder log,
                          Map<String, Object> detail) throws java.io.IOException {
        java.util.concurrent.atomic.AtomicLong linked = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong linkedBytes = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong notTheFileFound = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.ConcurrentLinkedQueue<FilestoreIndex.Entry> fetch = new java.util.concurrent.ConcurrentLinkedQueue<>();
        boolean link = job.environment().app().namesByContent();
        FilestoreOwner owner = FilestoreOwner.resolve(job.environment().filestoreOwner(), live);
        LiveFiles liveFiles = LiveFiles.scan(live, job.environment().app());
        index.entries().parallelStream().forEach(e -> {
            try {
                switch (reuse(liveFiles, e, fresh, link, owner)) {
                    case REUSED -> {
                        linked.incrementAndGet();
                        linkedBytes.addAndGet(e.size());
                        return;
                    }
                    case NOT_THE_FILE_FOUND -> notTheFileFound.incrementAndGet();
                    case NOT_THERE -> { }
                }
            } catch (java.io.IOException | java.io.UncheckedIOException | UnsupportedOperationException x) {
                // not linkable (gone since the walk, a permission): fetched instead, nothing of it left in the new tree
                try {
                    Files.deleteIfExists(fresh.resolve(e.path()));
                } catch (java.io.IOException ignored) {
                    // the move of the fetched file replaces it, and the tree check catches what it would not
                }
            }
            fetch.add(e);
        });
        liveFiles.warnings().forEach(job::warn);
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put(link ? "linked_files" : "copied_files", linked.get());
        counts.put("fetched_files", fetch.size());
        counts.put("changed_while_linked", notTheFileFound.get());
        job.evidence().json("filestore_reuse.json", liveFiles.evidence(counts));
        if (!liveFiles.symlinks().isEmpty()) {
            log.append("not followed: ").append(liveFiles.symlinks().size()).append(" symbolic link(s) in the live filestore, first ")
                    .append(liveFiles.symlinks().get(0)).append('\n');
        }
        log.append(link ? "linked " : "copied ").append(linked.get())
                .append(" file(s) the live filestore holds with the same SHA-1\n");
        // inside the new tree, on the filestore's own file system: each file is then renamed into place. The packs
        // are the artifact's project's (a copy from another project restores them into this one) and are decrypted
        // with its identity
        ArtifactUnpacking.Unpacked fetched = unpacking.unpackPacks(ArtifactUnpacking.projectOf(job.artifact()),
                job.artifact().manifest(),
                fetch, job.workDir(), pack -> fresh.resolve(STAGING_PREFIX + pack), new ArtifactUnpacking.Members() {
                    @Override
                    public void admitted(String pack, Map<String, Object> check) {
                        job.evidence().json("filestore_archive_check.json", check);
                    }

                    @Override
                    public void take(FilestoreIndex.Entry e, Path got) throws java.io.IOException {
                        owner.apply(got);
                        Path target = fresh.resolve(e.path());
                        Files.createDirectories(target.getParent());
                        Files.move(got, target, StandardCopyOption.ATOMIC_MOVE);
                    }

                    @Override
                    public void packDone(String pack, int files) {
                        log.append("fetched ").append(files).append(" file(s) from pack ").append(pack).append('\n');
                    }
                });
        owner.applyToDirectories(fresh);
        detail.put(link ? "linked_files" : "copied_files", linked.get());
        detail.put(link ? "linked_bytes" : "copied_bytes", linkedBytes.get());
        detail.put("fetched_files", fetched.files());
        detail.put("fetched_bytes", fetched.bytes());
        detail.put("fetched_packs", fetched.packs());
    }

    private enum Reuse { REUSED, NOT_THERE, NOT_THE_FILE_FOUND }

    /** The folder (inside the new tree, removed before it is checked) where one pack's members are extracted. */
    private static final String STAGING_PREFIX = ".odoo-ops-pack-";

    /**
     * Reuses the live filestore's file for this entry when the walk found a regular file there of the indexed size: a
     * hard link into the new tree, kept only if it is the very file the walk found (not one a link swapped into the
     * path since) and its SHA-1 is the index's; for an application that rewrites files under their name the link is
     * then replaced by a copy of its own, whose SHA-1 is checked.
     */
    private static Reuse reuse(LiveFiles liveFiles, FilestoreIndex.Entry e, Path fresh, boolean link, FilestoreOwner owner)
            throws java.io.IOException {
        LiveFiles.Found found = liveFiles.file(e.path());
        if (found == null || found.size() != e.size()) return Reuse.NOT_THERE;
        Path target = fresh.resolve(e.path());
        Files.createDirectories(target.getParent());
        Files.createLink(target, liveFiles.resolve(e.path()));
        if (!liveFiles.isTheFileFound(e.path(), target)) {
            Files.delete(target);
            return Reuse.NOT_THE_FILE_FOUND;
        }
        if (!link) {
            Path copy = Files.createTempFile(target.getParent(), ".odoo-ops-copy-", "");
            try {
                Files.copy(target, copy, StandardCopyOption.REPLACE_EXISTING);
                Files.move(copy, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(copy);
            }
        }
        // the file in the new tree is what is checked: the live file may change
        if (!Checksums.sha1(target).equals(e.sha1())) {
            Files.delete(target);
            return Reuse.NOT_THERE;
        }
        if (!link) owner.apply(target);
        return Reuse.REUSED;
    }
}
