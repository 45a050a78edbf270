package dev.odooops.step;

import dev.odooops.model.RestoreJob;
import dev.odooops.model.RestoreResult;
import dev.odooops.ops.OpsCatalog;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Restore step 10 (success): drop the database and remove the filestore kept aside, write final_status.json,
 * check that every evidence file is there (missing evidence fails the run, which is then rolled back),
 * record restore_completed and the final status, release the lease and the work directory.
 */
public class FinalizeRestore {
    private static final Logger LOG = LoggerFactory.getLogger(FinalizeRestore.class);
    private final OpsCatalog catalog;

    public FinalizeRestore(OpsCatalog catalog) {
        this.catalog = catalog;
    }

    public static List<String> requiredEvidence(RestoreJob job) {
        List<String> names = new ArrayList<>(List.of("inputs.json", "run_id.txt"));
        if (!job.validationOnly()) {
            names.addAll(List.of("artifact_verification.json", "pre_restore_backup.json", "quiesce_status.json"));
            if (job.request().type().includesDatabase()) {
                names.addAll(List.of("db_restore.log", "db_restore_duration.json", "db_restore_checksum_verification.json"));
            }
            if (job.request().type().includesFilestore()) {
                names.addAll(List.of("filestore_restore.log", "filestore_restore_duration.json",
                        "filestore_restore_checksum_verification.json"));
            }
            names.addAll(List.of("config_snapshot.json", "config_comparison.json", "odoo_restart.log", "restart_duration.json"));
        }
        names.addAll(List.of("validation_report.json", "final_status.json"));
        return names;
    }

    public RestoreResult finish(@Variable(Vars.RESTORE_JOB) RestoreJob job) {
        job.step("finalize");
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("run_id", job.runId().toString());
        status.put("status", "success");
        status.put("artifact_id", job.artifact().id());
        status.put("restore_type", job.request().type().wire());
        status.put("validation_only", job.validationOnly());
        status.put("pre_restore_backup_id", job.preRestoreBackupId());
        status.put("started_at", job.createdAt().toString());
        status.put("finished_at", Instant.now().toString());
        status.put("duration_ms", Duration.between(job.createdAt(), Instant.now()).toMillis());
        job.evidence().json("final_status.json", status);
        List<String> bad = job.evidence().missingOrMalformed(requiredEvidence(job));
        if (!bad.isEmpty()) throw new IllegalStateException("evidence incomplete: " + String.join(", ", bad));

        Map<String, Object> kept = RollbackRestore.dropKeptAside(job);
        catalog.event(job.runId(), "restore_completed", job.step(), Map.of("artifact_id", job.artifact().id(),
                "validation_only", job.validationOnly(), "kept_aside_removed", kept));
        catalog.finishRun(job.runId(), "success", null, null, Map.of());
        RollbackRestore.release(job);
        LOG.info("restore run {} succeeded: {} restored into {}{}", job.runId(), job.artifact().id(), job.environment().id(),
                job.validationOnly() ? " (validation only)" : "");
        return new RestoreResult(job.runId().toString(), "success", job.evidence().dir().toString(), job.preRestoreBackupId(),
                null, null, job.validationOnly());
    }
}
