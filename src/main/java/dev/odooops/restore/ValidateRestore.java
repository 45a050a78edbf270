package dev.odooops.restore;

import dev.odooops.odoo.EnvironmentValidator;
import dev.odooops.run.Vars;

import dev.odooops.domain.BackupGaps;
import dev.odooops.domain.Json;
import dev.odooops.model.RestoreJob;
import dev.odooops.ops.OpsCatalog;
import org.apache.camel.Variable;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Restore step 9: the seven validations of {@link EnvironmentValidator} against the restored environment
 * (validation_report.json), judged against what the artifact holds: a referenced file its backup already found
 * missing or corrupt is reported, not a failure ({@link BackupGaps}). A failed validation fails the step, and the
 * run is rolled back (or, with nothing live before it, kept for the operator: {@link RollbackRestore}). With
 * {@code --no-verify} the report records that validation was skipped.
 */
public class ValidateRestore {
    private final EnvironmentValidator validator;
    private final OpsCatalog catalog;

    public ValidateRestore(EnvironmentValidator validator, OpsCatalog catalog) {
        this.validator = validator;
        this.catalog = catalog;
    }

    public void validate(@Variable(Vars.RESTORE_JOB) RestoreJob job) throws java.io.IOException {
        if (!job.request().verify()) {
            job.evidence().json("validation_report.json", Map.of("ok", true, "skipped", true, "reason", "--no-verify"));
            job.downtime().lap("validate_ms");
            return;
        }
        List<EnvironmentValidator.Check> checks = validator.validate(job.environment(), expected(job), atBackup(job),
                job.odooLogOffset(), null, job.redactor());
        Map<String, Object> report = new LinkedHashMap<>(EnvironmentValidator.report(checks));
        report.put("artifact_id", job.artifact().id());
        report.put("validation_only", job.validationOnly());
        job.evidence().json("validation_report.json", report);
        List<String> failed = checks.stream().filter(EnvironmentValidator.Check::failed)
                .map(c -> c.name() + ": " + c.detail()).toList();
        job.stepDetail(Map.of("failed_checks", failed.size()));
        job.downtime().lap("validate_ms");
        if (!failed.isEmpty()) throw new IllegalStateException("post-restore validation failed: " + String.join("; ", failed));
    }

    /** The referenced files the artifact already lacked, from its filestore.meta.json (none without one). */
    static BackupGaps atBackup(RestoreJob job) {
        java.nio.file.Path meta = job.files().get("filestore.meta.json");
        return meta == null || !java.nio.file.Files.exists(meta) ? BackupGaps.NONE : BackupGaps.of(Json.readMap(meta));
    }

    /**
     * What the artifact says the environment now holds: its modules and version, the dump's row counts when the
     * database was restored, the tree digest when the files were; the server's version as preflight knew it.
     */
    @SuppressWarnings("unchecked")
    static EnvironmentValidator.Expected expected(RestoreJob job) throws java.io.IOException {
        var manifest = job.artifact().manifest();
        Map<String, Long> rows = null;
        java.nio.file.Path dbMeta = job.files().get("db.dump.meta.json");
        if (job.request().type().includesDatabase() && dbMeta != null
                && Json.readMap(dbMeta).get("row_counts") instanceof Map<?, ?> counts) {
            rows = new java.util.TreeMap<>();
            for (Map.Entry<?, ?> e : counts.entrySet()) rows.put(String.valueOf(e.getKey()), ((Number) e.getValue()).longValue());
            // a copy: the rows its neutralisation changes by design are the neutralisation check's, not the dump's
            rows.keySet().removeAll(job.neutralizedTables());
        }
        String digest = null;
        Integer version = null;
        if (job.request().type().includesFilestore() && manifest.filestore() != null) {
            digest = manifest.filestore().treeDigest();
            version = manifest.filestore().treeDigestVersion();
        }
        return new EnvironmentValidator.Expected(job.artifact().modulesInstalled(),
                manifest.odoo() == null ? null : manifest.odoo().appVersion(), rows, digest, version, job.serverVersion());
    }
}
