package dev.odooops.step;

import dev.odooops.domain.Json;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.RestoreJob;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.store.ArtifactVerifier;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Variable;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Restore step 3 (mandatory): a backup of the environment as it is now, through the backup route as a child
 * run of the restore, of the parts the restore will replace; then verified from the store. Its artifact id
 * goes into the run's metadata (pre_restore_backup_id) and pre_restore_backup.json. If the current state
 * cannot be backed up, the restore does not go on.
 */
public class SafetyBackup {
    private final ProducerTemplate template;
    private final OpsCatalog catalog;
    private final ArtifactVerifier verifier;

    public SafetyBackup(ProducerTemplate template, OpsCatalog catalog, ArtifactVerifier verifier) {
        this.template = template;
        this.catalog = catalog;
        this.verifier = verifier;
    }

    public void take(@Variable(Vars.RESTORE_JOB) RestoreJob job) throws Exception {
        job.step("pre-restore-backup");
        var r = job.request();
        BackupRequest request = new BackupRequest(r.project(), r.environment(), r.type(), "pre-restore " + job.runId(),
                null, null, null, r.user(), "pre_restore", "restore", job.runId());
        Exchange ex = template.request("direct:backup", e -> e.getMessage().setBody(request));
        if (ex.getException() != null) {
            throw new IllegalStateException("the pre-restore safety backup was refused: " + ex.getException().getMessage(),
                    ex.getException());
        }
        BackupResult result = ex.getMessage().getBody(BackupResult.class);
        if (!result.succeeded()) {
            throw new IllegalStateException("the pre-restore safety backup failed in " + result.failedStep() + ": " + result.error());
        }
        OpsCatalog.Artifact artifact = catalog.artifact(result.artifactId()).orElseThrow();
        Map<String, Object> verification = verifier.verify(artifact, job.environment().project(), job.environment().name());
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("artifact_id", result.artifactId());
        evidence.put("backup_run_id", result.runId());
        evidence.put("backup_evidence_dir", result.evidenceDir());
        evidence.put("backup_type", r.type().wire());
        evidence.put("uri", artifact.uri());
        evidence.put("verified", verification.get("ok"));
        evidence.put("verification", verification);
        job.evidence().json("pre_restore_backup.json", evidence);
        if (!Boolean.TRUE.equals(verification.get("ok"))) {
            throw new IllegalStateException("the pre-restore safety backup " + result.artifactId() + " did not verify: "
                    + Json.compact(verification));
        }
        job.preRestoreBackupId(result.artifactId());
        catalog.mergeRunMetadata(job.runId(), Map.of("pre_restore_backup_id", result.artifactId()));
        catalog.event(job.runId(), "step_completed", job.step(), Map.of("pre_restore_backup_id", result.artifactId()));
    }
}
