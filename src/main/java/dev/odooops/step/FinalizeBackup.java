package dev.odooops.step;

import dev.odooops.model.BackupJob;
import dev.odooops.model.BackupResult;
import dev.odooops.ops.OpsCatalog;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Step 9: final_status.json, the evidence completeness check (missing or malformed evidence fails the run),
 * the backup_completed event and the run's final status; then resume Odoo, release the lease and remove
 * the work directory. Returns the {@link BackupResult} the trigger reports.
 */
public class FinalizeBackup {
    private static final Logger LOG = LoggerFactory.getLogger(FinalizeBackup.class);
    private final OpsCatalog catalog;
    private final QuiesceOdoo quiesce;

    public FinalizeBackup(OpsCatalog catalog, QuiesceOdoo quiesce) {
        this.catalog = catalog;
        this.quiesce = quiesce;
    }

    public static List<String> requiredEvidence(BackupJob job) {
        List<String> names = new java.util.ArrayList<>(List.of("inputs.json", "runtime_bindings_redacted.json",
                "quiesce_status.json"));
        if (job.request().type().includesDatabase()) names.addAll(List.of("db.dump.meta.json", "db.dump.sha256"));
        if (job.request().type().includesFilestore()) names.addAll(List.of("filestore.meta.json", "filestore.tar.zst.sha256"));
        names.addAll(List.of("config_snapshot.json", "artifact_registration.json", "retention_prune.json", "final_status.json"));
        return names;
    }

    public BackupResult finish(@Variable(Vars.BACKUP_JOB) BackupJob job) {
        job.step("finalize");
        long size = job.bundle().values().stream().mapToLong(BackupJob.BundleFile::size).sum();
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("run_id", job.runId().toString());
        status.put("status", "success");
        status.put("artifact_id", job.artifactId());
        status.put("artifact_uri", job.artifactUri());
        status.put("backup_type", job.request().type().wire());
        status.put("degraded_mode", job.degradedMode());
        status.put("size_bytes", size);
        status.put("pruned_ids", job.prunedIds());
        status.put("started_at", job.createdAt().toString());
        status.put("finished_at", Instant.now().toString());
        status.put("duration_ms", Duration.between(job.createdAt(), Instant.now()).toMillis());
        status.put("evidence_dir", job.evidence().dir().toString());
        job.evidence().json("final_status.json", status);
        List<String> bad = job.evidence().missingOrMalformed(requiredEvidence(job));
        if (!bad.isEmpty()) throw new IllegalStateException("evidence incomplete: " + String.join(", ", bad));

        Map<String, Object> event = new LinkedHashMap<>();
        event.put("artifact_id", job.artifactId());
        event.put("status", "success");
        event.put("degraded_mode", job.degradedMode());
        event.put("backup_type", job.request().type().wire());
        event.put("size_bytes", size);
        event.put("pruned_ids", job.prunedIds());
        catalog.event(job.runId(), "backup_completed", job.step(), event);
        catalog.finishRun(job.runId(), "success", null, null, Map.of("artifact_id", job.artifactId(),
                "degraded_mode", job.degradedMode()));
        release(job, quiesce);
        LOG.info("backup run {} succeeded: artifact {} ({} bytes)", job.runId(), job.artifactId(), size);
        return new BackupResult(job.runId().toString(), job.artifactId(), "success", job.evidence().dir().toString(), null, null);
    }

    /** End of a run, whatever its outcome: resume Odoo, drop the lease, remove temporary files. Never throws. */
    static void release(BackupJob job, QuiesceOdoo quiesce) {
        quiesce.resume(job);
        try {
            if (job.lease() != null) job.lease().close();
        } catch (Exception e) {
            LOG.warn("releasing the lease of run {} failed: {}", job.runId(), e.getMessage());
        }
        WorkFiles.deleteTree(job.workDir());
    }
}
