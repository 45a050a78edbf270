package dev.odooops.staging;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.EnvironmentSecrets;
import dev.odooops.config.EvidenceSettings;
import dev.odooops.config.OpsConfig;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.EvidenceRetentionPlanner;
import dev.odooops.domain.EvidenceRetentionPlanner.Action;
import dev.odooops.domain.EvidenceRetentionPlanner.Candidate;
import dev.odooops.domain.EvidenceRetentionPlanner.Decision;
import dev.odooops.domain.RequestRejected;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.exec.ToolRunner;
import dev.odooops.exec.WorkFiles;
import dev.odooops.model.EvidencePruneRequest;
import dev.odooops.model.EvidenceRetentionJob;
import dev.odooops.model.QueuedRun;
import dev.odooops.model.Report;
import dev.odooops.model.RunStatus;
import dev.odooops.ops.EvidenceCatalog;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.run.RunEnd;
import dev.odooops.run.RunStarter;
import dev.odooops.run.Vars;
import dev.odooops.store.ArtifactStore;
import dev.odooops.store.StoreLocator;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * evidence prune / the evidence_retention schedule: one environment's evidence retention, as a run of its own
 * (operation {@value EvidencePruneRequest#OPERATION}). {@link EvidenceRetentionPlanner} decides over the catalog's runs
 * of the environment (this run's clock is "now"); then, run by run:
 * <ul>
 *   <li>COMPRESS: {@code tar --zstd} of the run's evidence directory into the run's work directory, its SHA-256
 *   computed, put into the current store at {@code <project>/_evidence/<env>/<run_id>.tar.zst} (beside a
 *   {@code <run_id>.json} manifest) and read back whole (size and SHA-256), the run's catalog row told where
 *   ({@code metadata.evidence_archive}), and only then the local directory removed;</li>
 *   <li>DELETE: the stored copy deleted in the store it was recorded in (a current or previous store), the record
 *   marked {@code deleted_at}, and any local copy removed.</li>
 * </ul>
 * A kill at any point loses nothing: the local copy goes only once the catalog records a verified upload; a rerun
 * uploads again what was uploaded and not yet recorded (a put replaces an object whole). A failure on one run is
 * recorded and the others go on; the retention run then ends failed naming them. Only directories under
 * {@code ops.evidence-root} are ever removed. Evidence: plan.json (each run's decision and why), done.json (what was
 * uploaded where, with the SHA-256 read back; what was deleted) and final_status.json.
 */
public final class EvidenceRetention {
    private static final Logger LOG = LoggerFactory.getLogger(EvidenceRetention.class);
    public static final String STEP = "apply-evidence-retention";
    /** The store folder of a project's evidence, beside its environments' artifact folders (no environment name starts with '_'). */
    public static final String FOLDER = "_evidence";

    private final OpsConfig config;
    private final OpsCatalog catalog;
    private final EvidenceCatalog evidence;
    private final StoreLocator stores;
    private final RunStarter starter;
    private final ToolRunner tools;
    private final EvidenceSettings settings;
    private final Clock clock;

    public EvidenceRetention(OpsConfig config, OpsCatalog catalog, EvidenceCatalog evidence, StoreLocator stores, RunStarter starter,
                             ToolRunner tools, EvidenceSettings settings, Clock clock) {
        this.config = config;
        this.catalog = catalog;
        this.evidence = evidence;
        this.stores = stores;
        this.starter = starter;
        this.tools = tools;
        this.settings = settings;
        this.clock = clock;
    }

    /** The store folder of one environment's evidence. */
    public static String storePath(String project, String environment) {
        return project + "/" + FOLDER + "/" + environment;
    }

    public Report prune(EvidencePruneRequest request, @Variable(Vars.QUEUED_RUN) QueuedRun queued) {
        EnvironmentConfig env = config.environment(request.project(), request.environment()).orElseThrow(() ->
                new RequestRejected("env", "no environment " + request.environment(), RequestRejected.Reason.NOT_FOUND));
        SecretRedactor redactor = new SecretRedactor(EnvironmentSecrets.of(env));
        Instant now = clock.instant();
        EvidenceRetentionPlanner.Policy policy = EvidenceRetentionPlanner.Policy.days(settings.compressAfterDays(),
                settings.deleteAfterDays());
        if (request.dryRun() && queued == null) { // a plan only: no run, nothing written
            UUID none = null;
            List<Decision> plan = plan(env, none, policy, now);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("environment_id", env.id());
            body.put("dry_run", true);
            body.put("now", now.toString());
            body.put("compress_after_days", settings.compressAfterDays());
            body.put("delete_after_days", settings.deleteAfterDays());
            body.put("plan", plan.stream().map(EvidenceRetention::line).toList());
            return new Report(true, body);
        }
        EvidenceRetentionJob job = queued == null ? new EvidenceRetentionJob(env, now, redactor)
                : new EvidenceRetentionJob(queued.runId(), env, now, redactor);
        if (queued != null) job.lease(queued.lease());
        Path dir = starter.evidenceDir(job, "evidence-retention");
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("run_id", job.runId().toString());
        inputs.put("operation", EvidencePruneRequest.OPERATION);
        inputs.put("environment_id", env.id());
        inputs.put("dry_run", request.dryRun());
        inputs.put("user", request.user());
        inputs.put("trigger", request.trigger());
        inputs.put("now", now.toString());
        inputs.put("compress_after_days", settings.compressAfterDays());
        inputs.put("delete_after_days", settings.deleteAfterDays());
        starter.start(job, EvidencePruneRequest.OPERATION, request.user(), null,
                Map.of("kind", EvidencePruneRequest.OPERATION, "trigger", request.trigger(), "dry_run", request.dryRun()), dir, inputs);
        job.step(STEP);
        String failure = null;
        List<Map<String, Object>> done = new ArrayList<>();
        Map<String, String> failed = new LinkedHashMap<>();
        int compressed = 0;
        int deleted = 0;
        int kept = 0;
        long bytes = 0;
        try {
            Map<UUID, EvidenceCatalog.EvidenceRun> rows = new LinkedHashMap<>();
            for (EvidenceCatalog.EvidenceRun r : evidence.runs(env.id(), job.runId())) rows.put(r.runId(), r);
            List<Decision> plan = plan(List.copyOf(rows.values()), policy, now);
            job.evidence().json("plan.json", Map.of("now", now.toString(), "runs", plan.stream().map(EvidenceRetention::line).toList()));
            for (Decision d : plan) {
                if (d.action() == Action.KEEP || request.dryRun()) {
                    kept++;
                    continue;
                }
                UUID runId = d.run().runId();
                try {
                    Map<String, Object> line = d.action() == Action.COMPRESS ? compress(job, env, rows.get(runId))
                            : delete(rows.get(runId), now);
                    done.add(line);
                    if (d.action() == Action.COMPRESS) {
                        compressed++;
                        bytes += ((Number) line.get("bytes")).longValue();
                    } else {
                        deleted++;
                    }
                } catch (RuntimeException e) {
                    String why = redactor.scrub(RunEnd.describe(e));
                    failed.put(runId.toString(), why);
                    LOG.warn("evidence of run {} not {} (the next run tries again): {}", runId,
                            d.action() == Action.COMPRESS ? "archived" : "deleted", why);
                }
                job.evidence().json("done.json", Map.of("done", done, "failed", failed));
            }
            if (!failed.isEmpty()) {
                failure = failed.size() + " run(s) whose evidence was not handled (the next run tries again): "
                        + String.join(", ", failed.keySet());
            }
        } catch (RuntimeException e) {
            failure = "evidence retention failed: " + redactor.scrub(RunEnd.describe(e));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("run_id", job.runId().toString());
        result.put("status", failure == null ? "success" : "failed");
        if (failure != null) {
            result.put("failed_step", STEP);
            result.put("error", failure);
        }
        result.put("environment_id", env.id());
        result.put("dry_run", request.dryRun());
        result.put("compressed", compressed);
        result.put("deleted", deleted);
        result.put("kept", kept);
        result.put("bytes_uploaded", bytes);
        result.put("failed", failed);
        result.put("evidence_dir", dir.toString());
        try {
            job.evidence().json("final_status.json", result);
        } catch (RuntimeException e) {
            failure = (failure == null ? "" : failure + "; ") + "evidence not written: " + e.getMessage();
            result.put("status", "failed");
            result.put("failed_step", STEP);
            result.put("error", failure);
        }
        try {
            catalog.runs().finishRun(job.runId(), failure == null ? RunStatus.SUCCESS : RunStatus.FAILED, failure == null ? null : STEP,
                    failure, Map.of("compressed", compressed, "deleted", deleted, "kept", kept));
        } finally {
            RunEnd.release(job);
        }
        return new Report(failure == null, result);
    }

    private List<Decision> plan(EnvironmentConfig env, UUID except, EvidenceRetentionPlanner.Policy policy, Instant now) {
        return plan(evidence.runs(env.id(), except), policy, now);
    }

    private List<Decision> plan(List<EvidenceCatalog.EvidenceRun> runs, EvidenceRetentionPlanner.Policy policy, Instant now) {
        List<Candidate> candidates = new ArrayList<>();
        for (EvidenceCatalog.EvidenceRun r : runs) {
            Map<String, Object> a = r.archive();
            boolean stored = a != null && a.get("object") != null && a.get("deleted_at") == null;
            Path local = inEvidenceRoot(r.evidenceDir());
            candidates.add(new Candidate(r.runId(), r.createdAt(), r.finishedAt(), Set.of("queued", "running").contains(r.status()),
                    local != null && Files.isDirectory(local), stored, r.artifactId(), r.artifactPrunedAt()));
        }
        return EvidenceRetentionPlanner.plan(candidates, policy, now);
    }

    /** The run's evidence directory when it is under ops.evidence-root (never anything else), else null. */
    private Path inEvidenceRoot(String dir) {
        if (dir == null) return null;
        Path root = starter.ops().evidenceRoot().toAbsolutePath().normalize();
        Path p = Path.of(dir).toAbsolutePath().normalize();
        return p.startsWith(root) && !p.equals(root) ? p : null;
    }

    private static Map<String, Object> line(Decision d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_id", d.run().runId().toString());
        m.put("action", d.action().name().toLowerCase());
        m.put("why", d.why());
        if (d.run().artifactId() != null) m.put("artifact_id", d.run().artifactId());
        return m;
    }

    /** Archive, upload, read back, record, then remove locally. */
    private Map<String, Object> compress(EvidenceRetentionJob job, EnvironmentConfig env, EvidenceCatalog.EvidenceRun run) {
        UUID runId = run.runId();
        Path dir = inEvidenceRoot(run.evidenceDir());
        if (dir == null || !Files.isDirectory(dir)) throw new IllegalStateException("evidence directory " + run.evidenceDir() + " is gone");
        String object = runId + ".tar.zst";
        Path archive = job.workDir().resolve(object);
        tools.run(List.of("tar", "--zstd", "-cf", archive.toString(), "-C", dir.getParent().toString(), dir.getFileName().toString()),
                Map.of(), Duration.ofHours(1));
        String sha = Checksums.sha256(archive);
        long size;
        try {
            size = Files.size(archive);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ArtifactStore store = stores.current();
        String path = storePath(env.project(), env.name());
        String readBack = store.putAndReadBack(path, object, archive, size, sha, true);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("run_id", runId.toString());
        manifest.put("environment_id", env.id());
        manifest.put("operation", run.operation());
        manifest.put("run_created_at", String.valueOf(run.createdAt()));
        manifest.put("evidence_dir", dir.toString());
        manifest.put("object", object);
        manifest.put("sha256", sha);
        manifest.put("bytes", size);
        manifest.put("format", "tar.zst of the evidence directory (tar --zstd -xf to read)");
        manifest.put("archived_at", clock.instant().toString());
        manifest.put("archived_by", job.runId().toString());
        Path manifestFile = job.workDir().resolve(runId + ".json");
        try {
            Files.writeString(manifestFile, dev.odooops.domain.Json.pretty(manifest));
            store.putAndReadBack(path, runId + ".json", manifestFile, Files.size(manifestFile), Checksums.sha256(manifestFile), true);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        dev.odooops.exec.CrashPoints.reached("evidence-retention:uploaded"); // in the store, not recorded: a rerun uploads again
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("store", stores.nameOf(store.uri(path)));
        record.put("uri", folder(store.uri(path)) + object);
        record.put("path", path);
        record.put("object", object);
        record.put("sha256", readBack);
        record.put("bytes", size);
        record.put("archived_at", manifest.get("archived_at"));
        record.put("archived_by", job.runId().toString());
        evidence.archived(runId, record); // recorded before the local copy goes: a kill here keeps both
        dev.odooops.exec.CrashPoints.reached("evidence-retention:recorded");
        WorkFiles.deleteTree(dir);
        if (Files.exists(dir)) throw new IllegalStateException("evidence directory " + dir + " could not be removed");
        removeEmptyParents(dir.getParent());
        try {
            Files.deleteIfExists(archive);
            Files.deleteIfExists(manifestFile);
        } catch (IOException ignored) {
            // in the run's work directory, removed when the run ends
        }
        Map<String, Object> line = new LinkedHashMap<>(record);
        line.put("run_id", runId.toString());
        line.put("action", "compress");
        line.put("local_removed", dir.toString());
        return line;
    }

    /** The stored copy (in the store it was recorded in) and any local copy. */
    private Map<String, Object> delete(EvidenceCatalog.EvidenceRun run, Instant now) {
        UUID runId = run.runId();
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("run_id", runId.toString());
        line.put("action", "delete");
        Map<String, Object> a = run.archive();
        if (a != null && a.get("object") != null && a.get("deleted_at") == null) {
            String storeName = (String) a.get("store");
            ArtifactStore store = storeName == null ? stores.current() : stores.named(storeName);
            if (store == null) throw new IllegalStateException("store " + storeName + " of the evidence is no longer configured");
            String path = (String) a.get("path");
            String object = (String) a.get("object");
            store.delete(path, object);
            store.delete(path, runId + ".json");
            if (store.size(path, object) >= 0) throw new IllegalStateException(a.get("uri") + " is still in the store after deleting it");
            line.put("stored_deleted", a.get("uri"));
        }
        Path dir = inEvidenceRoot(run.evidenceDir());
        if (dir != null && Files.isDirectory(dir)) {
            WorkFiles.deleteTree(dir);
            if (Files.exists(dir)) throw new IllegalStateException("evidence directory " + dir + " could not be removed");
            removeEmptyParents(dir.getParent());
            line.put("local_deleted", dir.toString());
        }
        evidence.deleted(runId, now);
        return line;
    }

    /** The operation and day folders a removal left empty, up to (not including) the evidence root. */
    private void removeEmptyParents(Path dir) {
        Path root = starter.ops().evidenceRoot().toAbsolutePath().normalize();
        for (Path p = dir; p != null && p.startsWith(root) && !p.equals(root); p = p.getParent()) {
            try (var entries = Files.list(p)) {
                if (entries.findAny().isPresent()) return;
                Files.delete(p);
            } catch (IOException e) {
                return;
            }
        }
    }

    private static String folder(String uri) {
        return uri.replaceAll("/+$", "") + "/";
    }

    /**
     * evidence get RUN: the run's evidence directory when it is still local; else its stored archive fetched into
     * {@code out} (SHA-256 compared with the catalog's record while it is written), unpacked there, the archive removed.
     */
    public Report get(dev.odooops.model.EvidenceGetRequest request) {
        Map<String, Object> archive = evidence.archiveOf(request.runId()).orElse(null);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("run_id", request.runId().toString());
        String localDir = evidence.evidenceDirOf(request.runId()).orElse(null);
        Path local = inEvidenceRoot(localDir);
        if (local != null && Files.isDirectory(local)) {
            body.put("where", "local");
            body.put("evidence_dir", local.toString());
            return new Report(true, body);
        }
        if (archive == null || archive.get("object") == null) {
            throw new RequestRejected("RUN", "run " + request.runId() + " has no evidence left: its directory "
                    + (localDir == null ? "was never written" : localDir + " is gone") + " and nothing was archived",
                    RequestRejected.Reason.NOT_FOUND);
        }
        if (archive.get("deleted_at") != null) {
            throw new RequestRejected("RUN", "the evidence of run " + request.runId() + " was deleted by evidence retention at "
                    + archive.get("deleted_at"), RequestRejected.Reason.NOT_FOUND);
        }
        Path out = request.out().toAbsolutePath().normalize();
        if (Files.exists(out, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new RequestRejected("out", out + " exists: name a new directory");
        }
        String storeName = (String) archive.get("store");
        ArtifactStore store = storeName == null ? stores.current() : stores.named(storeName);
        if (store == null) throw new IllegalStateException("store " + storeName + " of the evidence is no longer configured");
        String object = (String) archive.get("object");
        try {
            Files.createDirectories(out);
            Path file = out.resolve(object);
            String sha = store.fetch((String) archive.get("path"), object, file);
            if (!sha.equals(archive.get("sha256"))) {
                throw new IllegalStateException(archive.get("uri") + " is damaged: sha256 " + sha + ", the catalog records "
                        + archive.get("sha256"));
            }
            tools.run(List.of("tar", "--zstd", "-xf", file.toString(), "-C", out.toString(), "--no-same-owner"), Map.of(),
                    Duration.ofHours(1));
            Files.delete(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot unpack the evidence of run " + request.runId() + " into " + out, e);
        }
        body.put("where", "store");
        body.put("uri", archive.get("uri"));
        body.put("sha256", archive.get("sha256"));
        body.put("archived_at", archive.get("archived_at"));
        body.put("unpacked_to", out.toString());
        return new Report(true, body);
    }
}
