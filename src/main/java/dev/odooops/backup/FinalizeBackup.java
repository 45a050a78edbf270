package dev.odooops.backup;

import dev.odooops.model.RunStatus;
import dev.odooops.run.RunEnd;
import dev.odooops.run.Vars;

import dev.odooops.domain.Json;
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
 * Step 9, the commit: final_status.json, the evidence completeness check (missing or malformed evidence fails
 * the run), the backup_completed event and the run's status success. From then on the artifact is committed:
 * nothing that follows (retention) can fail the run or remove it. {@link #finish} ends the run after the
 * post-commit steps: warnings added to final_status.json, Odoo resumed, lease released, work directory removed;
 * it returns the {@link BackupResult} the trigger reports.
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
        if (job.request().type().includesFilestore()) {
            names.addAll(List.of("filestore.meta.json", "filestore.tar.zst.sha256", "filestore_check.json"));
        }
        names.addAll(List.of("config_snapshot.json", "artifact_registration.json", "retention_prune.json", "final_status.json"));
        return names;
    }

    public void commit(@Variable(Vars.BACKUP_JOB) BackupJob job) {
        long size = size(job);
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("run_id", job.runId().toString());
        status.put("status", "success");
        status.put("artifact_id", job.artifactId());
        status.put("artifact_uri", job.artifactUri());
        status.put("backup_type", job.request().type().wire());
        status.put("degraded_mode", job.degradedMode());
        status.put("size_bytes", size);
        status.put("retention_planned_prune", job.plannedPrunes());
        status.put("started_at", job.createdAt().toString());
        status.put("finished_at", Instant.now().toString());
        status.put("duration_ms", Duration.between(job.createdAt(), Instant.now()).toMillis());
        status.put("evidence_dir", job.evidence().dir().toString());
        status.put("warnings", job.warnings());
        filestoreNumbers(job).forEach(status::put);
        job.evidence().json("final_status.json", status);
        List<String> bad = job.evidence().missingOrMalformed(requiredEvidence(job));
        if (!bad.isEmpty()) throw new IllegalStateException("evidence incomplete: " + String.join(", ", bad));

        Map<String, Object> event = new LinkedHashMap<>();
        event.put("artifact_id", job.artifactId());
        event.put("status", "success");
        event.put("degraded_mode", job.degradedMode());
        event.put("backup_type", job.request().type().wire());
        event.put("size_bytes", size);
        event.put("retention_planned_prune", job.plannedPrunes());
        event.put("warnings", job.warnings().size());
        filestoreNumbers(job).forEach(event::put);
        catalog.runs().event(job.runId(), "backup_completed", job.step(), event);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("artifact_id", job.artifactId());
        metadata.put("degraded_mode", job.degradedMode());
        metadata.put("warnings", job.warnings().size());
        // Odoo is still quiesced: if this process dies before finish, the next run's start lifts it
        metadata.put("after_commit_pending", job.environment().control().quiesce() != null);
        filestoreNumbers(job).forEach(metadata::put);
        catalog.runs().finishRun(job.runId(), RunStatus.SUCCESS, null, null, metadata);
        job.committed(true);
        LOG.info("backup run {} committed: artifact {} ({} bytes)", job.runId(), job.artifactId(), size);
    }

    /** The metric-ready numbers of the filestore check ({@code missing_files}, {@code corrupt_files}); empty without one. */
    private static Map<String, Object> filestoreNumbers(BackupJob job) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (job.filestoreCheck() != null) {
            m.put("missing_files", job.filestoreCheck().missing());
            m.put("corrupt_files", job.filestoreCheck().corrupt());
            m.put("non_regular_entries", job.filestoreCheck().nonRegular().size());
        }
        return m;
    }

    /** After the post-commit steps; never throws. */
    public BackupResult finish(@Variable(Vars.BACKUP_JOB) BackupJob job) {
        List<String> warnings = List.copyOf(job.warnings());
        try {
            Map<String, Object> status = new LinkedHashMap<>(Json.readMap(job.evidence().dir().resolve("final_status.json")));
            status.put("pruned_ids", job.prunedIds());
            if (!warnings.isEmpty()) status.put("warnings", warnings);
            job.evidence().json("final_status.json", status);
        } catch (RuntimeException e) {
            LOG.warn("run {}: could not add the retention outcome to final_status.json: {}", job.runId(), e.getMessage());
        }
        release(job, quiesce);
        if (job.environment().control().quiesce() != null) {
            try {
                catalog.runs().mergeRunMetadata(job.runId(), Map.of("after_commit_pending", false));
            } catch (RuntimeException e) {
                LOG.warn("run {}: could not record that Odoo was resumed: {}", job.runId(), e.getMessage());
            }
        }
        if (!warnings.isEmpty()) LOG.warn("backup run {} succeeded with warnings: {}", job.runId(), warnings);
        LOG.info("backup run {} succeeded: artifact {} ({} bytes)", job.runId(), job.artifactId(), size(job));
        return new BackupResult(job.runId().toString(), job.artifactId(), "success", job.evidence().dir().toString(), null,
                null, warnings);
    }

    private static long size(BackupJob job) {
        return job.bundle().values().stream().mapToLong(BackupJob.BundleFile::size).sum();
    }

    /** End of a backup run, whatever its outcome: resume Odoo, then release the run. Never throws. */
    static void release(BackupJob job, QuiesceOdoo quiesce) {
        quiesce.resume(job);
        RunEnd.release(job);
    }
}
