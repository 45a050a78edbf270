package dev.odooops.store;

import dev.odooops.domain.ArtifactManifest;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.FilestoreIndex;
import dev.odooops.domain.RepackPlanner;
import dev.odooops.exec.ToolRunner;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.run.CrashPoints;
import dev.odooops.run.WorkFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
 * {@code <id>-r<n>} and uploaded with its read-back, (3) {@code <id>.moved} naming the new pack is stored beside it
 * (for a rebuild by hand), (4) the catalog records the move in one transaction ({@link OpsCatalog#recordRepack}).
 * The old pack, referred to by nothing live then, is removed by the pack collection that follows. A crash before
 * (4) leaves a new pack nobody refers to (the next repack writes it again under the same name; {@code check}
 * lists it meanwhile) and the old pack as it was; a crash after (4) leaves the old pack for the next collection.
 * Never throws: failures are returned.
 */
public final class PackRepacker {
    private static final Logger LOG = LoggerFactory.getLogger(PackRepacker.class);
    public static final String MOVED = ".moved";
    private final OpsCatalog catalog;
    private final ArtifactStore store;
    private final ToolRunner tools;
    private final Path workDir;
    private final int deadPercent;
    private final int zstdLevel;
    private final Duration timeout;

    public PackRepacker(OpsCatalog catalog, ArtifactStore store, ToolRunner tools, Path workDir, int deadPercent,
                        int zstdLevel, Duration timeout) {
        this.catalog = catalog;
        this.store = store;
        this.tools = tools;
        this.workDir = workDir;
        this.deadPercent = deadPercent;
        this.zstdLevel = zstdLevel;
        this.timeout = timeout;
    }

    /** What a repack did: old pack -> new pack with the bytes kept and freed; packs left as they were and why. */
    public record Outcome(Map<String, Object> repacked, Map<String, String> failures) {
    }

    public Outcome repack(String project, List<String> prunedArtifacts) {
        Map<String, Object> repacked = new LinkedHashMap<>();
        Map<String, String> failures = new LinkedHashMap<>();
        if (deadPercent <= 0) return new Outcome(repacked, failures);
        List<String> candidates;
        try {
            java.util.Set<String> all = new java.util.LinkedHashSet<>(prunedArtifacts.isEmpty() ? List.of()
                    : catalog.livePacksOf(project, prunedArtifacts));
            // a repack a crash interrupted after it stored <id>.moved: tried again (its new pack is written again)
            List<String> markers = store.list(ArtifactStore.packsPath(project)).stream().filter(n -> n.endsWith(MOVED))
                    .map(n -> n.substring(0, n.length() - MOVED.length())).toList();
            if (!markers.isEmpty()) all.addAll(catalog.packs(project, markers).keySet());
            candidates = List.copyOf(all);
        } catch (RuntimeException e) {
            failures.put("catalog", e.getMessage());
            return new Outcome(repacked, failures);
        }
        Map<String, FilestoreIndex> indexes = new HashMap<>();
        for (String pack : candidates) {
            try {
                List<OpsCatalog.PackUser> users = catalog.liveArtifactsOfPack(project, pack);
                if (users.isEmpty()) continue; // nobody's: the collection removes it whole
                List<FilestoreIndex> read = new ArrayList<>();
                for (OpsCatalog.PackUser u : users) read.add(indexes.computeIfAbsent(u.artifactId(), id -> index(project, u)));
                java.util.Set<String> named = new java.util.LinkedHashSet<>();
                read.forEach(i -> named.addAll(i.packs()));
                Map<String, ArtifactManifest.PackRef> current = catalog.currentPacks(project, named);
                List<FilestoreIndex.Entry> live = RepackPlanner.liveMembers(read,
                        id -> current.containsKey(id) ? current.get(id).id() : id, pack);
                OpsCatalog.NewPack old = catalog.packs(project, List.of(pack)).get(pack);
                long liveBytes = live.stream().mapToLong(FilestoreIndex.Entry::size).sum();
                if (old == null || !RepackPlanner.worthRepacking(old.bytes(), liveBytes, deadPercent)) continue;
                repacked.put(pack, repackOne(project, old, live));
            } catch (RuntimeException | IOException e) {
                failures.put(pack, e.getMessage());
                LOG.warn("pack {} of {} not repacked (tried again after the next prune): {}", pack, project, e.getMessage());
            }
        }
        return new Outcome(repacked, failures);
    }

    private FilestoreIndex index(String project, OpsCatalog.PackUser u) {
        try (InputStream in = store.open(ArtifactStore.artifactPath(project, u.environment(), u.artifactId()), FilestoreIndex.FILE)) {
            return FilestoreIndex.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read the index of " + u.artifactId(), e);
        }
    }

    private Map<String, Object> repackOne(String project, OpsCatalog.NewPack old, List<FilestoreIndex.Entry> live)
            throws IOException {
        String packs = ArtifactStore.packsPath(project);
        String id = RepackPlanner.nextId(old.packId());
        Path scratch = Files.createDirectories(workDir.resolve("repack-" + id));
        try {
            Path pack = scratch.resolve(old.packId() + ".tar.zst");
            String sha = store.fetch(packs, old.packId() + ".tar.zst", pack);
            if (!sha.equals(old.sha256())) {
                throw new IllegalStateException("pack " + old.packId() + " is damaged in the store: sha256 " + sha + ", recorded "
                        + old.sha256());
            }
            Path files = Files.createDirectories(scratch.resolve("files"));
            PackMembers.extract(tools, pack, live, files, timeout);
            for (FilestoreIndex.Entry e : live) {
                Path f = files.resolve(e.path());
                if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) || Files.size(f) != e.size()
                        || !Checksums.sha1(f).equals(e.sha1())) {
                    throw new IllegalStateException("pack " + old.packId() + " does not hold " + e.path() + " as the index says");
                }
            }
            Files.delete(pack);
            Path fresh = scratch.resolve(id + ".tar.zst");
            PackMembers.create(tools, files, live.stream().map(FilestoreIndex.Entry::path).toList(), fresh,
                    old.compressed() ? 1 : zstdLevel, timeout);
            String freshSha = Checksums.sha256(fresh);
            long size = Files.size(fresh);
            store.putAndReadBack(packs, id + ".tar.zst", fresh, size, freshSha, true);
            Path moved = scratch.resolve(old.packId() + MOVED);
            Files.writeString(moved, id + "\n", StandardCharsets.UTF_8);
            store.put(packs, old.packId() + MOVED, moved);
            CrashPoints.reached("repack:uploaded"); // the new pack stored, the catalog not told yet
            long bytes = live.stream().mapToLong(FilestoreIndex.Entry::size).sum();
            OpsCatalog.NewPack next = new OpsCatalog.NewPack(id, store.uri(packs) + id + ".tar.zst", freshSha, size,
                    live.size(), bytes, old.compressed());
            List<OpsCatalog.StoredObject> objects = live.stream()
                    .map(e -> new OpsCatalog.StoredObject(e.path(), e.sha1(), e.size(), id)).toList();
            if (!catalog.recordRepack(project, old.packId(), next, objects)) {
                store.delete(packs, id + ".tar.zst");
                store.delete(packs, old.packId() + MOVED);
                throw new IllegalStateException("pack " + old.packId() + " was collected meanwhile");
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
