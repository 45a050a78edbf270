package dev.odooops.backup;

import dev.odooops.model.RunStatus;
import dev.odooops.run.RunEnd;
import dev.odooops.run.Vars;

import dev.odooops.model.BackupJob;
import dev.odooops.model.BackupResult;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.store.ArtifactRemover;
import dev.odooops.store.ArtifactStore;
import dev.odooops.model.DeletionReason;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The backup dead-letter target: marks the run failed with the step and the (redacted) reason, removes what
 * the run uploaded and registered, deletes temporary files, writes final_status.json and releases the run.
 * The removal of the uploaded objects is journaled ({@link ArtifactRemover}): when the store is down it stays
 * pending and the next run on the environment retries it. A failure after the commit (the run is already
 * success) removes nothing: it is recorded and reported as a warning of the successful result.
 * Every action is best effort and this never throws back into the error handler.
 */
public class BackupFailureHandler {
    private static final Logger LOG = LoggerFactory.getLogger(BackupFailureHandler.class);
    private final ArtifactStore store;
    private final OpsCatalog catalog;
    private final QuiesceOdoo quiesce;
    private final ArtifactRemover remover;
    private final FinalizeBackup finalizer;

    public BackupFailureHandler(ArtifactStore store, OpsCatalog catalog, QuiesceOdoo quiesce, ArtifactRemover remover) {
        this.store = store;
        this.catalog = catalog;
        this.quiesce = quiesce;
        this.remover = remover;
        this.finalizer = new FinalizeBackup(catalog, quiesce);
    }

    public BackupResult handle(@Variable(Vars.BACKUP_JOB) BackupJob job,
                               @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Throwable cause) {
        String step = job.step();
        String reason = job.redactor().scrub(RunEnd.describe(cause));
        if (job.committed()) return afterCommit(job, step, reason);
        LOG.error("backup run {} failed in step {}: {}", job.runId(), step, reason);
        Map<String, Object> cleanup = new LinkedHashMap<>();
        String path = ArtifactStore.artifactPath(job.environment().project(), job.environment().name(), job.artifactId());
        if (!job.storedKeys().isEmpty()) {
            try {
                ArtifactRemover.Outcome o = remover.remove(job.environment().id(), job.artifactId(), store.uri(path),
                        DeletionReason.FAILED_RUN, job.runId(), job.redactor());
                cleanup.put("store", o.done() ? "removed: " + o.objects() + " object(s), " + o.incompleteUploads()
                        + " incomplete upload(s) aborted" : "could not be removed, retried by the next run: " + o.error());
            } catch (RuntimeException e) {
                cleanup.put("store", "could not be removed: " + job.redactor().scrub(String.valueOf(e.getMessage())));
            }
        }
        job.packUploads().stop(); // the uploads the filestore half started have ended: what they stored is listed
        if (!job.uploadedPacks().isEmpty() && (job.packed() == null || !job.registered())) {
            // packs nobody registered: no artifact or backup can count on them
            String packs = ArtifactStore.packsPath(job.environment().project());
            List<String> left = new java.util.ArrayList<>();
            for (String name : List.copyOf(job.uploadedPacks())) {
                try {
                    store.delete(packs, name);
                } catch (RuntimeException e) {
                    left.add(name);
                }
            }
            cleanup.put("packs", left.isEmpty() ? "removed: " + job.uploadedPacks().size() + " unregistered pack(s)"
                    : "could not remove " + left + " (unregistered: `check` finds them)");
        }
        if (job.registered()) {
            try {
                catalog.artifacts().deleteArtifact(job.artifactId());
                cleanup.put("ops.artifacts", "row removed");
            } catch (RuntimeException e) {
                cleanup.put("ops.artifacts", "row could not be removed: " + e.getMessage());
            }
        }
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("run_id", job.runId().toString());
        status.put("status", "failed");
        status.put("failed_step", step);
        status.put("reason", reason);
        status.put("degraded_mode", job.degradedMode());
        status.put("cleanup", cleanup);
        status.put("finished_at", Instant.now().toString());
        try {
            if (job.evidence() != null) job.evidence().json("final_status.json", status);
        } catch (RuntimeException e) {
            LOG.error("could not write final_status.json of run {}: {}", job.runId(), e.getMessage());
        }
        try {
            catalog.runs().event(job.runId(), "backup_failed", step, Map.of("reason", reason, "cleanup", cleanup));
            catalog.runs().finishRun(job.runId(), RunStatus.FAILED, step, reason, Map.of("artifact_id", job.artifactId()));
        } catch (RuntimeException e) {
            LOG.error("could not record the failure of run {} in the ops catalog: {}", job.runId(), e.getMessage());
        }
        quiesce.resume(job);
        RunEnd.release(job);
        return new BackupResult(job.runId().toString(), null, "failed",
                job.evidence() == null ? null : job.evidence().dir().toString(), step, reason);
    }

    /** The run is committed (success): keep the artifact, record the failure, report it as a warning. */
    private BackupResult afterCommit(BackupJob job, String step, String reason) {
        LOG.error("backup run {} is committed; a later step ({}) failed: {}", job.runId(), step, reason);
        job.warn("after the commit, " + step + " failed: " + reason);
        try {
            catalog.runs().event(job.runId(), "post_commit_failure", step, Map.of("reason", reason, "artifact_id", job.artifactId()));
        } catch (RuntimeException e) {
            LOG.error("could not record the post-commit failure of run {}: {}", job.runId(), e.getMessage());
        }
        return finalizer.finish(job);
    }

}
