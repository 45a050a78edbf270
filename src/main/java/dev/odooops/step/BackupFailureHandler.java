package dev.odooops.step;

import dev.odooops.model.BackupJob;
import dev.odooops.model.BackupResult;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.store.ArtifactStore;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The backup dead-letter target: marks the run failed with the step and the (redacted) reason, removes what
 * the run uploaded and registered, deletes temporary files, writes final_status.json and releases the run.
 * Every action is best effort and this never throws back into the error handler.
 */
public class BackupFailureHandler {
    private static final Logger LOG = LoggerFactory.getLogger(BackupFailureHandler.class);
    private final ArtifactStore store;
    private final OpsCatalog catalog;
    private final QuiesceOdoo quiesce;

    public BackupFailureHandler(ArtifactStore store, OpsCatalog catalog, QuiesceOdoo quiesce) {
        this.store = store;
        this.catalog = catalog;
        this.quiesce = quiesce;
    }

    public BackupResult handle(@Variable(Vars.BACKUP_JOB) BackupJob job,
                               @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Throwable cause) {
        String step = job.step();
        String reason = job.redactor().scrub(describe(cause));
        LOG.error("backup run {} failed in step {}: {}", job.runId(), step, reason);
        Map<String, Object> cleanup = new LinkedHashMap<>();
        String path = dev.odooops.store.ArtifactStore.artifactPath(job.environment().project(), job.environment().name(),
                job.artifactId());
        for (String name : job.storedKeys()) {
            try {
                store.delete(path, name);
                cleanup.put(name, "removed from store");
            } catch (RuntimeException e) {
                cleanup.put(name, "could not be removed: " + job.redactor().scrub(e.getMessage()));
            }
        }
        if (job.registered()) {
            try {
                catalog.deleteArtifact(job.artifactId());
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
            catalog.event(job.runId(), "backup_failed", step, Map.of("reason", reason, "cleanup", cleanup));
            catalog.finishRun(job.runId(), "failed", step, reason, Map.of("artifact_id", job.artifactId()));
        } catch (RuntimeException e) {
            LOG.error("could not record the failure of run {} in the ops catalog: {}", job.runId(), e.getMessage());
        }
        FinalizeBackup.release(job, quiesce);
        return new BackupResult(job.runId().toString(), null, "failed",
                job.evidence() == null ? null : job.evidence().dir().toString(), step, reason);
    }

    static String describe(Throwable t) {
        if (t == null) return "unknown error";
        String msg = t.getMessage();
        if (msg == null || msg.isBlank()) msg = t.getClass().getSimpleName();
        return msg;
    }
}
