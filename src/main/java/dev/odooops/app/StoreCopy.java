package dev.odooops.app;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.OpsConfig;
import dev.odooops.config.StoreConfig;
import dev.odooops.domain.ArtifactManifest;
import dev.odooops.domain.PrivateFiles;
import dev.odooops.model.Report;
import dev.odooops.domain.RequestRejected;
import dev.odooops.model.StoreCopyRequest;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.ops.StoreLocations;
import dev.odooops.store.ArtifactStore;
import dev.odooops.store.StoreLocator;
import dev.odooops.model.Artifact;
import dev.odooops.model.NewPack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * store copy --to STORE [--env E]: the live artifacts of a previous store (or of any store but STORE), each with the
 * packs it needs, copied to STORE and re-pointed there in the catalog, as {@code restic copy} does. Per artifact, oldest
 * first:
 * <ol>
 *   <li>each pack it needs that is elsewhere: fetched (its SHA-256 must be the catalog's), put into STORE and read
 *   back whole (SHA-256 again), then the pack's row re-pointed ({@link StoreLocations#movePack});</li>
 *   <li>each of the artifact's objects the same way (those the catalog has a digest of are checked against it), then
 *   the artifact's row re-pointed ({@link StoreLocations#moveArtifact}).</li>
 * </ol>
 * Every re-pointing names a store holding a complete, read-back copy, and the source is never changed: a kill at any
 * point leaves every artifact readable from the store its row names; a rerun skips what is already in STORE and
 * copies the rest (objects are put whole, so a repeated put is harmless). An artifact pruned or being removed
 * meanwhile is not re-pointed and its copy is removed again. Nothing is deleted from the source stores: once no
 * artifact is left there ({@code left_elsewhere} 0), the store can be dropped from {@code store.previous}.
 */
public final class StoreCopy {
    private static final Logger LOG = LoggerFactory.getLogger(StoreCopy.class);
    private final OpsConfig config;
    private final OpsCatalog catalog;
    private final StoreLocations locations;
    private final StoreLocator stores;
    private final Path workDir;

    public StoreCopy(OpsConfig config, OpsCatalog catalog, StoreLocations locations, StoreLocator stores, Path workDir) {
        this.config = config;
        this.catalog = catalog;
        this.locations = locations;
        this.stores = stores;
        this.workDir = workDir;
    }

    public Report copy(StoreCopyRequest request) {
        ArtifactStore target = stores.named(request.to());
        if (target == null) {
            List<String> names = config.store().all().stream().map(StoreConfig::name).toList();
            throw new RequestRejected("to", "no store named '" + request.to() + "' (configured: " + String.join(", ", names)
                    + "; see store.name and store.previous)", RequestRejected.Reason.NOT_FOUND);
        }
        List<EnvironmentConfig> envs = request.environment() == null ? config.environments()
                : List.of(EnvironmentLookup.resolve(config, request.project(), request.environment()));
        Set<String> envIds = new LinkedHashSet<>();
        Set<String> projects = new LinkedHashSet<>();
        envs.forEach(e -> {
            envIds.add(e.id());
            projects.add(e.project());
        });
        Path scratch = PrivateFiles.OWNER_ONLY.createDirectories(workDir.resolve("store-copy"));
        Tally tally = new Tally();
        Map<String, String> failures = new LinkedHashMap<>();
        List<String> copied = new ArrayList<>();
        int alreadyThere = 0;
        for (String project : projects) {
            for (Artifact a : catalog.artifacts().liveArtifacts(project)) {
                if (!envIds.contains(a.environmentId())) continue;
                if (request.to().equals(stores.nameOf(a.uri()))) {
                    alreadyThere++;
                    continue;
                }
                try {
                    if (copyOne(project, a, request.to(), target, scratch, tally)) copied.add(a.id());
                } catch (RuntimeException e) {
                    failures.put(a.id(), String.valueOf(e.getMessage()));
                    LOG.warn("artifact {} not copied to store {} (a rerun tries again): {}", a.id(), request.to(), e.getMessage());
                }
            }
        }
        int left = 0;
        for (String project : projects) {
            for (Artifact a : catalog.artifacts().liveArtifacts(project)) {
                if (envIds.contains(a.environmentId()) && !request.to().equals(stores.nameOf(a.uri()))) left++;
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("to", request.to());
        body.put("store", target.uri(""));
        body.put("environments", envIds);
        body.put("user", request.user());
        body.put("copied", copied);
        body.put("already_there", alreadyThere);
        body.put("packs_copied", tally.packs);
        body.put("objects_copied", tally.objects);
        body.put("bytes_copied", tally.bytes);
        body.put("failed", failures);
        body.put("left_elsewhere", left);
        body.put("method", "each object fetched with its SHA-256 compared with the catalog's (where it records one), put into "
                + "the store and read back whole with its SHA-256 compared, before the catalog is re-pointed; the source "
                + "stores are left as they were");
        return new Report(failures.isEmpty(), body);
    }

    /** One artifact and its packs; false when it changed meanwhile (pruned, being removed) and was left where it is. */
    private boolean copyOne(String project, Artifact a, String to, ArtifactStore target, Path scratch, Tally tally) {
        StoreLocator.Location from = stores.locate(a.uri(), a.id());
        var fs = a.manifest().filestore();
        if (fs != null && fs.packs() != null) {
            Map<String, ArtifactManifest.PackRef> now = catalog.packs().currentPacks(project,
                    fs.packs().stream().map(ArtifactManifest.PackRef::id).toList());
            Set<String> holders = new LinkedHashSet<>();
            for (ArtifactManifest.PackRef ref : fs.packs()) holders.add(now.getOrDefault(ref.id(), ref).id());
            Map<String, NewPack> rows = catalog.packs().packs(project, holders);
            String packsPath = ArtifactStore.packsPath(project);
            for (String id : holders) {
                NewPack row = rows.get(id);
                if (row == null) throw new IllegalStateException("pack " + id + " is not in the catalog: the artifact cannot be copied");
                if (to.equals(stores.nameOf(row.uri()))) continue;
                StoreLocator.PackLocation at = stores.locatePack(row.uri(), id);
                copyObject(at.store(), at.packsPath(), at.name(), target, packsPath, row.sha256(), row.size(), scratch, tally);
                dev.odooops.exec.CrashPoints.reached("store-copy:pack-copied"); // in both stores, the catalog names the source
                String uri = folder(target.uri(packsPath)) + at.name();
                if (!locations.movePack(project, id, row.uri(), uri)) {
                    NewPack again = catalog.packs().packs(project, List.of(id)).get(id);
                    if (again == null || !uri.equals(again.uri())) {
                        throw new IllegalStateException("pack " + id + " changed meanwhile (collected or repacked): not re-pointed");
                    }
                } else {
                    tally.packs++;
                    dev.odooops.exec.CrashPoints.reached("store-copy:pack-moved"); // the pack read from the target now
                }
            }
        }
        String path = from.artifactPath();
        for (String name : from.store().list(path)) {
            Object sha = a.checksums().get(name);
            copyObject(from.store(), path, name, target, path, sha == null ? null : sha.toString(), -1, scratch, tally);
        }
        dev.odooops.exec.CrashPoints.reached("store-copy:artifact-copied"); // a complete copy, the catalog names the source
        String uri = folder(target.uri(path));
        if (locations.moveArtifact(a.id(), a.uri(), uri)) return true;
        String now = catalog.artifacts().artifact(a.id()).filter(x -> x.prunedAt() == null).map(Artifact::uri).orElse(null);
        if (uri.equals(now)) return true; // another copy re-pointed it first
        target.removeAll(path); // pruned or being removed meanwhile: its copy is nobody's
        return false;
    }

    private static void copyObject(ArtifactStore source, String sourcePath, String name, ArtifactStore target, String targetPath,
                                   String sha256, long size, Path scratch, Tally tally) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile(scratch, "copy-", ".part");
            String read = source.fetch(sourcePath, name, tmp);
            if (sha256 != null && !read.equals(sha256)) {
                throw new IllegalStateException(name + " in " + source.uri(sourcePath) + " is damaged (sha256 " + read
                        + ", the catalog records " + sha256 + "): not copied");
            }
            long got = Files.size(tmp);
            if (size >= 0 && got != size) {
                throw new IllegalStateException(name + " in " + source.uri(sourcePath) + " is " + got + " bytes, the catalog records "
                        + size + ": not copied");
            }
            target.putAndReadBack(targetPath, name, tmp, got, read, true);
            tally.objects++;
            tally.bytes += got;
        } catch (IOException e) {
            throw new UncheckedIOException("copying " + name + " failed", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a work file: the next copy's directory sweep
                }
            }
        }
    }

    /** A folder URI as the stores write them, ending in one '/'. */
    private static String folder(String uri) {
        return uri.replaceAll("/+$", "") + "/";
    }

    private static final class Tally {
        int packs;
        int objects;
        long bytes;
    }
}
