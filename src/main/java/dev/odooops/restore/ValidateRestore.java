package dev.odooops.restore;

import dev.odooops.odoo.EnvironmentValidator;
import dev.odooops.run.Vars;

import dev.odooops.model.RestoreJob;
import dev.odooops.ops.OpsCatalog;
import org.apache.camel.Variable;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Restore step 9: the seven validations of {@link EnvironmentValidator} against the restored environment
 * (validation_report.json). A failed validation fails the step, and the run is rolled back. With
 * {@code --no-verify} the report records that validation was skipped.
 */
public class ValidateRestore {
    private final EnvironmentValidator validator;
    private final OpsCatalog catalog;

    public ValidateRestore(EnvironmentValidator validator, OpsCatalog catalog) {
        this.validator = validator;
        this.catalog = catalog;
    }

    public void validate(@Variable(Vars.RESTORE_JOB) RestoreJob job) {
        if (!job.request().verify()) {
            job.evidence().json("validation_report.json", Map.of("ok", true, "skipped", true, "reason", "--no-verify"));
            return;
        }
        List<EnvironmentValidator.Check> checks = validator.validate(job.environment(), job.artifact().modulesInstalled(),
                job.odooLogOffset(),
                job.redactor());
        Map<String, Object> report = new LinkedHashMap<>(EnvironmentValidator.report(checks));
        report.put("artifact_id", job.artifact().id());
        report.put("validation_only", job.validationOnly());
        job.evidence().json("validation_report.json", report);
        List<String> failed = checks.stream().filter(EnvironmentValidator.Check::failed)
                .map(c -> c.name() + ": " + c.detail()).toList();
        job.stepDetail(Map.of("failed_checks", failed.size()));
        if (!failed.isEmpty()) throw new IllegalStateException("post-restore validation failed: " + String.join("; ", failed));
    }
}
