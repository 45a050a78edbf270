package dev.odooops.app;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.EnvironmentSecrets;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.exec.CrashPoints;
import dev.odooops.exec.WorkFiles;
import dev.odooops.model.RunStatus;
import dev.odooops.model.StoreCopyJob;
import dev.odooops.run.RunStarter;
import dev.odooops.config.OpsConfig;
import dev.odooops.config.StoreConfig;
import dev.odooops.domain.ArtifactManifest;
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
import java.time.Clock;
import java.time.Instant;
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
 * <p>
 * Each environment's copy is a run of its own (operation {@value #OPERATION}, metadata {@code kind: store_copy}, {@code to}):
 * runs are the environment's ({@code runs --env E} lists them, a kill is ended {@code abandoned} by the environment's next
 * run or {@code recover}, which removes its work directory). An environment gets a run when it has a live artifact to
 * copy, or when {@code --env} names it. Its evidence ({@code <root>/<YYYY-MM-DD>/store-copy/<run_id>/}): inputs.json,
 * copied.json (each pack and artifact object copied: source URI, target URI, the SHA-256 read back, bytes; rewritten
 * after each re-pointing, so a killed run's lists what it re-pointed) and final_status.json (its report).
 */
public final class StoreCopy {
    private static final Logger LOG = LoggerFactory.getLogger(StoreCopy.class);
    /** The run's {@code operation_type} (V17; {@code copy} is the neutralised copy's, a different operation). */
    public static final String OPERATION = "store_copy";
    public static final String STEP = "copy-to-store";
    private static final String METHOD = "each object fetched with its SHA-256 compared with the catalog's (where it records "
            + "one), put into the store and read back whole with its SHA-256 compared, before the catalog is re-pointed; the "
            + "source stores are left as they were";
    private final OpsConfig config;
    private final OpsCatalog catalog;
    private final StoreLocations locations;
    private final StoreLocator stores;
    private final RunStarter starter;
    private final Clock clock;

    public StoreCopy(OpsConfig config, OpsCatalog catalog, StoreLocations locations, StoreLocator stores, RunStarter starter,
                     Clock clock) {
        this.config = config;
        this.catalog = catalog;
        this.locations = locations;
        this.stores = stores;
        this.starter = starter;
        this.clock = clock;
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
        envs.forEach(e -> envIds.add(e.id()));
        Totals totals = new Totals();
        List<Map<String, Object>> runs = new ArrayList<>();
        boolean ok = true;
        for (EnvironmentConfig env : envs) {
            List<Artifact> live = catalog.artifacts().liveArtifacts(env.project()).stream()
                    .filter(a -> env.id().equals(a.environmentId())).toList();
            boolean toCopy = live.stream().anyMatch(a -> !request.to().equals(stores.nameOf(a.uri())));
            if (!toCopy && request.environment() == null) {
                totals.alreadyThere += live.size(); // nothing to do here: no run
                continue;
            }
            Map<String, Object> run = copyEnvironment(request, env, target, totals);
            runs.add(run);
            ok &= "success".equals(run.get("status"));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("to", request.to());
        body.put("store", target.uri(""));
        body.put("environments", envIds);
        body.put("user", request.user());
        body.put("copied", totals.copied);
        body.put("already_there", totals.alreadyThere);
        body.put("packs_copied", totals.packs);
        body.put("objects_copied", totals.objects);
        body.put("bytes_copied", totals.bytes);
        body.put("failed", totals.failures);
        body.put("left_elsewhere", totals.left);
        body.put("runs", runs);
        body.put("method", METHOD);
        return new Report(ok && totals.failures.isEmpty(), body);
    }

    /**
     * One environment's copy as a run: started as every run is ({@link RunStarter}), its artifacts copied oldest first,
     * ended {@code success} when each is in the target, {@code failed} (step {@value #STEP}) naming those that are not.
     * Returns the run's line of the report.
     */
    private Map<String, Object> copyEnvironment(StoreCopyRequest request, EnvironmentConfig env, ArtifactStore target, Totals totals) {
        StoreCopyJob job = new StoreCopyJob(env, clock.instant(), new SecretRedactor(EnvironmentSecrets.of(env)));
        Path dir = starter.evidenceDir(job, "store-copy");
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("run_id", job.runId().toString());
        inputs.put("operation", "store_copy");
        inputs.put("environment_id", env.id());
        inputs.put("to", request.to());
        inputs.put("store", target.uri(""));
        inputs.put("user", request.user());
        inputs.put("requested_at", job.createdAt().toString());
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("run_id", job.runId().toString());
        line.put("environment_id", env.id());
        try {
            starter.start(job, OPERATION, request.user(), null, Map.of("kind", "store_copy", "to", request.to()), dir, inputs);
        } catch (RuntimeException e) { // ended failed in create-run by the starter (or refused before it)
            String reason = job.redactor().scrub(String.valueOf(e.getMessage()));
            totals.failures.put(env.id(), reason);
            line.put("status", "failed");
            line.put("reason", reason);
            return line;
        }
        job.step(STEP);
        Ledger ledger = new Ledger(job, request.to(), target.uri(""));
        Map<String, String> failures = new LinkedHashMap<>();
        List<String> copied = new ArrayList<>();
        int alreadyThere = 0;
        String failure = null;
        Tally tally = new Tally();
        try {
            Path scratch = job.workDir(); // the run's own: the sweep of a killed run removes it with what it held
            for (Artifact a : catalog.artifacts().liveArtifacts(env.project())) {
                if (!env.id().equals(a.environmentId())) continue;
                if (request.to().equals(stores.nameOf(a.uri()))) {
                    alreadyThere++;
                    continue;
                }
                try {
                    if (copyOne(env.project(), a, request.to(), target, scratch, tally, ledger)) {
                        copied.add(a.id());
                        catalog.runs().event(job.runId(), "artifact_copied", STEP, Map.of("artifact_id", a.id(), "to", request.to()));
                    }
                } catch (RuntimeException e) {
                    String why = job.redactor().scrub(String.valueOf(e.getMessage()));
                    failures.put(a.id(), why);
                    ledger.failed(a.id(), why);
                    LOG.warn("artifact {} not copied to store {} (a rerun tries again): {}", a.id(), request.to(), why);
                }
            }
            if (!failures.isEmpty()) {
                failure = failures.size() + " artifact(s) not copied to store " + request.to() + " (run it again): "
                        + String.join(", ", failures.keySet());
            }
        } catch (RuntimeException e) {
            failure = "store copy failed: " + job.redactor().scrub(String.valueOf(e.getMessage()));
        }
        int left = 0;
        try {
            for (Artifact a : catalog.artifacts().liveArtifacts(env.project())) {
                if (env.id().equals(a.environmentId()) && !request.to().equals(stores.nameOf(a.uri()))) left++;
            }
        } catch (RuntimeException e) {
            left = -1;
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("run_id", job.runId().toString());
        result.put("status", failure == null ? "success" : "failed");
        if (failure != null) {
            result.put("failed_step", STEP);
            result.put("reason", failure);
        }
        result.put("environment_id", env.id());
        result.put("to", request.to());
        result.put("store", target.uri(""));
        result.put("copied", copied);
        result.put("already_there", alreadyThere);
        result.put("packs_copied", tally.packs);
        result.put("objects_copied", tally.objects);
        result.put("bytes_copied", tally.bytes);
        result.put("failed", failures);
        result.put("left_elsewhere", left);
        result.put("method", METHOD);
        result.put("evidence_dir", dir.toString());
        result.put("started_at", job.createdAt().toString());
        result.put("finished_at", Instant.now().toString());
        try {
            ledger.save();
            job.evidence().json("final_status.json", result);
        } catch (RuntimeException e) {
            failure = (failure == null ? "" : failure + "; ") + "evidence not written: " + e.getMessage();
            result.put("status", "failed");
            result.put("reason", failure);
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("copied", copied.size());
        figures.put("left_elsewhere", left);
        try {
            catalog.runs().finishRun(job.runId(), failure == null ? RunStatus.SUCCESS : RunStatus.FAILED,
                    failure == null ? null : STEP, failure, figures);
        } finally { // a run the catalog could not end: its lease goes, the next run of the environment ends it abandoned
            try {
                job.lease().close();
            } catch (Exception e) {
                LOG.warn("releasing the lease of run {} failed: {}", job.runId(), e.getMessage());
            }
            WorkFiles.deleteTree(job.workDir());
        }
        LOG.info("store copy run {} of {} to {}: {}", job.runId(), env.id(), request.to(), failure == null ? "done" : failure);
        totals.copied.addAll(copied);
        totals.alreadyThere += alreadyThere;
        totals.packs += tally.packs;
        totals.objects += tally.objects;
        totals.bytes += tally.bytes;
        totals.failures.putAll(failures);
        if (failure != null && failures.isEmpty()) totals.failures.put(env.id(), failure);
        totals.left += Math.max(left, 0);
        line.put("status", result.get("status"));
        if (failure != null) line.put("reason", failure);
        line.put("evidence_dir", dir.toString());
        return line;
    }

    /** One artifact and its packs; false when it changed meanwhile (pruned, being removed) and was left where it is. */
    private boolean copyOne(String project, Artifact a, String to, ArtifactStore target, Path scratch, Tally tally, Ledger ledger) {
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
                Map<String, Object> copy = copyObject(at.store(), at.packsPath(), at.name(), target, packsPath, row.sha256(),
                        row.size(), scratch, tally);
                CrashPoints.reached("store-copy:pack-copied"); // in both stores, the catalog names the source
                String uri = folder(target.uri(packsPath)) + at.name();
                if (!locations.movePack(project, id, row.uri(), uri)) {
                    NewPack again = catalog.packs().packs(project, List.of(id)).get(id);
                    if (again == null || !uri.equals(again.uri())) {
                        throw new IllegalStateException("pack " + id + " changed meanwhile (collected or repacked): not re-pointed");
                    }
                } else {
                    tally.packs++;
                    ledger.pack(id, a.id(), copy);
                    CrashPoints.reached("store-copy:pack-moved"); // the pack read from the target now
                }
            }
        }
        String path = from.artifactPath();
        List<Map<String, Object>> objects = new ArrayList<>();
        for (String name : from.store().list(path)) {
            Object sha = a.checksums().get(name);
            objects.add(copyObject(from.store(), path, name, target, path, sha == null ? null : sha.toString(), -1, scratch, tally));
        }
        CrashPoints.reached("store-copy:artifact-copied"); // a complete copy, the catalog names the source
        String uri = folder(target.uri(path));
        if (locations.moveArtifact(a.id(), a.uri(), uri)) {
            ledger.artifact(a.id(), a.uri(), uri, objects);
            return true;
        }
        String now = catalog.artifacts().artifact(a.id()).filter(x -> x.prunedAt() == null).map(Artifact::uri).orElse(null);
        if (uri.equals(now)) {
            ledger.artifact(a.id(), a.uri(), uri, objects);
            return true; // another copy re-pointed it first
        }
        target.removeAll(path); // pruned or being removed meanwhile: its copy is nobody's
        return false;
    }

    /** Fetches, checks, puts and reads back one object; returns its line of copied.json. */
    private static Map<String, Object> copyObject(ArtifactStore source, String sourcePath, String name, ArtifactStore target,
                                                  String targetPath, String sha256, long size, Path scratch, Tally tally) {
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
            String readBack = target.putAndReadBack(targetPath, name, tmp, got, read, true);
            tally.objects++;
            tally.bytes += got;
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("name", name);
            line.put("source_uri", folder(source.uri(sourcePath)) + name);
            line.put("target_uri", folder(target.uri(targetPath)) + name);
            line.put("sha256_read_back", readBack);
            line.put("catalog_sha256", sha256);
            line.put("bytes", got);
            return line;
        } catch (IOException e) {
            throw new UncheckedIOException("copying " + name + " failed", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // in the run's work directory, removed when the run ends
                }
            }
        }
    }

    /** A folder URI as the stores write them, ending in one '/'. */
    private static String folder(String uri) {
        return uri.replaceAll("/+$", "") + "/";
    }

    /** copied.json: what the run re-pointed so far, written whole after each re-pointing. */
    private static final class Ledger {
        private final StoreCopyJob job;
        private final Map<String, Object> doc = new LinkedHashMap<>();
        private final List<Map<String, Object>> packs = new ArrayList<>();
        private final List<Map<String, Object>> artifacts = new ArrayList<>();
        private final Map<String, String> failed = new LinkedHashMap<>();

        Ledger(StoreCopyJob job, String to, String store) {
            this.job = job;
            doc.put("run_id", job.runId().toString());
            doc.put("environment_id", job.environment().id());
            doc.put("to", to);
            doc.put("store", store);
            doc.put("packs", packs);
            doc.put("artifacts", artifacts);
            doc.put("failed", failed);
        }

        void pack(String packId, String forArtifact, Map<String, Object> object) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("pack_id", packId);
            line.put("for_artifact", forArtifact);
            line.putAll(object);
            line.put("repointed_at", Instant.now().toString());
            packs.add(line);
            save();
        }

        void artifact(String id, String fromUri, String toUri, List<Map<String, Object>> objects) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("artifact_id", id);
            line.put("source_uri", fromUri);
            line.put("target_uri", toUri);
            line.put("objects", objects);
            line.put("repointed_at", Instant.now().toString());
            artifacts.add(line);
            save();
        }

        void failed(String id, String reason) {
            failed.put(id, reason);
            save();
        }

        void save() {
            job.evidence().json("copied.json", doc);
        }
    }

    private static final class Tally {
        int packs;
        int objects;
        long bytes;
    }

    private static final class Totals {
        final List<String> copied = new ArrayList<>();
        final Map<String, String> failures = new LinkedHashMap<>();
        int alreadyThere;
        int packs;
        int objects;
        long bytes;
        int left;
    }
}
