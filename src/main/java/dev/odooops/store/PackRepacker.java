package dev.odooops.store;

import dev.odooops.domain.ArtifactManifest;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.FilestoreIndex;
import dev.odooops.domain.RepackPlanner;
import dev.odooops.exec.ToolRunner;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.exec.CrashPoints;
import dev.odooops.exec.WorkFiles;
import dev.odooops.model.Artifact;
import dev.odooops.model.StoredObject;
import dev.odooops.model.NewPack;
import dev.odooops.model.PackUser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes again, with only their live members, the packs of a project that retention left mostly dead: after
 * pruning, each pack a pruned artifact referred to and a live one still does is measured against the indexes of
 * the live artifacts that refer to it; when at least {@code backup.repack-dead-percent} of its bytes are nobody's,
 * (1) its live members are extracted (the pack's SHA-256 and each member's SHA-1 checked), (2) written as a new pack
 * named after the pruning run's artifact ({@code <artifact>-r<n>}) and uploaded with its read-back, (3) the catalog
 * records the move in one transaction ({@link dev.odooops.ops.PackCatalog#recordRepack}), refused when anything changed since the
 * plan (the artifacts that refer to the pack, a collection, another run's repack), which also marks the old pack
 * deleted. The pack collection that follows writes {@code <old>.moved} beside the packs (for a rebuild by hand)
 * and removes the old pack. The new pack is reserved in the catalog before anything is uploaded: a crash before
 * (3) leaves that reservation and maybe its object, which a collection removes once a day has passed (never
 * sooner: its writer may still be at work), and the old pack as it was; a crash after (3) leaves the old pack for
 * the next collection. Never throws: failures are returned.
 * <p>
 * Encryption at rest: an encrypted pack (and index) is read with the project's identity through
 * {@link StoreLocator#cipher()}; where no identity is configured, an encrypted pack is left as it is and the outcome
 * says so. The new pack is written for the project's current recipients (plain text without {@code encryption}) and
 * registered under their generation.
 */
public final class PackRepacker {
    private static final Logger LOG = LoggerFactory.getLogger(PackRepacker.class);
    public static final String MOVED = ".moved";
    /** Why a pack is left as it is while an active drill leases an artifact that refers to it. */
    public static final String KEPT_FOR_DRILL = "kept for a drill: an active drill holds a lease on an artifact that refers to it";
    private final OpsCatalog catalog;
    private final ArtifactStore store;
    private final StoreLocator stores;
    private final ToolRunner tools;
    private final Path workDir;
    private final int deadPercent;
    private final int zstdLevel;
    private final Duration timeout;

    /**
     * @param stores an old pack and the indexes are read from the stores they were written to; the new pack goes to
     *               the current store
     */
    public PackRepacker(OpsCatalog catalog, StoreLocator stores, ToolRunner tools, Path workDir, int deadPercent,
                        int zstdLevel, Duration timeout) {
        this.catalog = catalog;
        this.store = stores.current();
        this.stores = stores;
        this.tools = tools;
        this.workDir = workDir;
        this.deadPercent = deadPercent;
        this.zstdLevel = zstdLevel;
        this.timeout = timeout;
    }

    /** What a repack did: old pack -> new pack with the bytes kept and freed; packs left as they were and why. */
    public record Outcome(Map<String, Object> repacked, Map<String, String> failures) {
    }

    /**
     * @param runArtifact the artifact of the run that prunes: new packs are named after it ({@code <artifact>-r<n>}),
     *                    so two runs never write the same name and a killed run's packs are swept with its others
     */
    public Outcome repack(String project, List<String> prunedArtifacts, String runArtifact) {
        Map<String, Object> repacked = new LinkedHashMap<>();
        Map<String, String> failures = new LinkedHashMap<>();
        if (deadPercent <= 0 || prunedArtifacts.isEmpty()) return new Outcome(repacked, failures);
        List<String> candidates;
        try {
            candidates = catalog.packs().livePacksOf(project, prunedArtifacts);
        } catch (RuntimeException e) {
            failures.put("catalog", e.getMessage());
            return new Outcome(repacked, failures);
        }
        Map<String, FilestoreIndex> indexes = new HashMap<>();
        Map<String, String> generations = candidates.isEmpty() ? Map.of() : catalog.packs().generations(project, candidates);
        int n = 0;
        for (String pack : candidates) {
            try {
                String generation = generations.get(pack);
                if (generation != null && !stores.cipher().canRead(project)) {
                    failures.put(pack, "encrypted (generation " + generation + ") and no encryption.identity is configured for "
                            + "project " + project + " here: left as it is (repacking runs where the identity is)");
                    continue;
                }
                List<PackUser> users = catalog.packs().liveArtifactsOfPack(project, pack);
                if (users.isEmpty()) continue; // nobody's: the collection removes it whole
                List<String> drilled = catalog.packs().drillLeasesOnPack(project, pack);
                if (!drilled.isEmpty()) {
                    failures.put(pack, KEPT_FOR_DRILL + " (" + String.join(", ", drilled) + "): left as it is");
                    continue;
                }
                List<FilestoreIndex> read = new ArrayList<>();
                for (PackUser u : users) read.add(indexes.computeIfAbsent(u.artifactId(), id -> index(project, u)));
                java.util.Set<String> named = new java.util.LinkedHashSet<>();
                read.forEach(i -> named.addAll(i.packs()));
                Map<String, ArtifactManifest.PackRef> current = catalog.packs().currentPacks(project, named);
                List<FilestoreIndex.Entry> live = RepackPlanner.liveMembers(read,
                        id -> current.containsKey(id) ? current.get(id).id() : id, pack);
                NewPack old = catalog.packs().packs(project, List.of(pack)).get(pack);
                long liveBytes = live.stream().mapToLong(FilestoreIndex.Entry::size).sum();
                if (old == null || !RepackPlanner.worthRepacking(old.bytes(), liveBytes, deadPercent)) continue;
                String id = runArtifact.toLowerCase(java.util.Locale.ROOT) + String.format("-r%04d", ++n);
                java.util.Set<String> planned = new java.util.TreeSet<>();
                users.forEach(u -> planned.add(u.artifactId()));
                repacked.put(pack, repackOne(project, old, live, id, planned));
            } catch (RuntimeException | IOException e) {
                failures.put(pack, e.getMessage());
                LOG.warn("pack {} of {} not repacked (tried again after the next prune): {}", pack, project, e.getMessage());
            }
        }
        return new Outcome(repacked, failures);
    }

    private FilestoreIndex index(String project, PackUser u) {
        String uri = catalog.artifacts().artifact(u.artifactId()).map(Artifact::uri).orElse(null);
        StoreLocator.Location where = uri == null
                ? new StoreLocator.Location(store, ArtifactStore.artifactPath(project, u.environment(), u.artifactId()))
                : stores.locate(uri, u.artifactId());
        Path dir = null;
        try {
            Files.createDirectories(workDir);
            dir = Files.createTempDirectory(workDir, "repack-index-");
            Path file = dir.resolve(FilestoreIndex.FILE);
            where.store().fetch(where.artifactPath(), FilestoreIndex.FILE, file);
            stores.cipher().decryptInPlace(project, file, FilestoreIndex.FILE + " of artifact " + u.artifactId());
            return FilestoreIndex.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read the index of " + u.artifactId(), e);
        } finally {
            WorkFiles.deleteTree(dir);
        }
    }

    private Map<String, Object> repackOne(String project, NewPack old, List<FilestoreIndex.Entry> live, String id,
                                          java.util.Set<String> planned) throws IOException {
        String packs = ArtifactStore.packsPath(project);
        Files.createDirectories(workDir);
        Path scratch = Files.createTempDirectory(workDir, "repack-");
        try {
            Path pack = scratch.resolve(old.packId() + ".tar.zst");
            StoreLocator.PackLocation at = stores.pack(project, old.packId(), old.uri());
            String sha = at.store().fetch(at.packsPath(), at.name(), pack);
            if (!sha.equals(old.sha256())) {
                throw new IllegalStateException("pack " + old.packId() + " is damaged in the store: sha256 " + sha + ", recorded "
                        + old.sha256());
            }
            stores.cipher().decryptInPlace(project, pack, "pack " + old.packId() + " of project " + project);
            Path files = Files.createDirectories(scratch.resolve("files"));
            PackMembers.extractChecked(tools, pack, old.packId(), live, files, timeout);
            Files.delete(pack);
            var encryption = stores.cipher().encryption(project);
            if (!catalog.packs().reservePack(project, id, store.uri(packs) + id + ".tar.zst", old.compressed(),
                    stores.cipher().generation(project))) {
                throw new IllegalStateException("pack id " + id + " is taken");
            }
            Path fresh = scratch.resolve(id + ".tar.zst");
            PackMembers.create(tools, files, live.stream().map(FilestoreIndex.Entry::path).toList(), fresh,
                    old.compressed() ? 1 : zstdLevel, timeout);
            if (encryption.isPresent()) stores.cipher().encryptInPlace(encryption.get(), fresh);
            String freshSha = Checksums.sha256(fresh);
            long size = Files.size(fresh);
            store.putAndReadBack(packs, id + ".tar.zst", fresh, size, freshSha, true);
            CrashPoints.reached("repack:uploaded"); // the new pack stored, the catalog not told yet
            long bytes = live.stream().mapToLong(FilestoreIndex.Entry::size).sum();
            NewPack next = new NewPack(id, store.uri(packs) + id + ".tar.zst", freshSha, size,
                    live.size(), bytes, old.compressed());
            List<StoredObject> objects = live.stream()
                    .map(e -> new StoredObject(e.path(), e.sha1(), e.size(), id)).toList();
            if (!catalog.packs().recordRepack(project, old.packId(), next, objects, planned)) {
                store.delete(packs, id + ".tar.zst"); // this run's own name: nobody else's pack
                catalog.packs().dropReservation(project, id);
                throw new IllegalStateException("pack " + old.packId() + " changed meanwhile (collected, repacked by another "
                        + "run, or referred to by a new backup): left as it is");
            }
            CrashPoints.reached("repack:recorded");
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("into", id);
            out.put("files", live.size());
            out.put("bytes_kept", bytes);
            out.put("bytes_freed", old.bytes() - bytes);
            out.put("size_before", old.size());
            out.put("size_after", size);
            LOG.info("pack {} of {} repacked into {}: {} live file(s), {} of {} bytes kept", old.packId(), project, id,
                    live.size(), bytes, old.bytes());
            return out;
        } finally {
            WorkFiles.deleteTree(scratch);
        }
    }
}
