package dev.odooops.restore;

import dev.odooops.run.RunStarter;
import dev.odooops.run.Vars;
import dev.odooops.exec.WorkFiles;

import dev.odooops.model.RestoreJob;
import dev.odooops.model.RestoreRequest;
import dev.odooops.ops.OpsCatalog;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Restore step 1: create the run under the environment's lease, its evidence directory
 * {@code <root>/<YYYYMMDD-HHMM>/restore/<run_id>/} with inputs.json and run_id.txt. When the environment's
 * last successful restore was of this same artifact and covered the requested parts, the run is
 * validation-only: steps 2 to 8 are skipped.
 */
public class CreateRestoreRun {
    private static final Logger LOG = LoggerFactory.getLogger(CreateRestoreRun.class);
    private static final DateTimeFormatter DIR = DateTimeFormatter.ofPattern("yyyyMMdd-HHmm");
    private final RunStarter starter;
    private final OpsCatalog catalog;

    public CreateRestoreRun(RunStarter starter, OpsCatalog catalog) {
        this.starter = starter;
        this.catalog = catalog;
    }

    public void create(@Variable(Vars.RESTORE_JOB) RestoreJob job) {
        RestoreRequest r = job.request();
        Path dir = starter.ops().evidenceRoot().resolve(DIR.format(job.createdAt().atOffset(ZoneOffset.UTC)))
                .resolve(operation(r)).resolve(job.runId().toString());
        decideMode(job);
        boolean sameAsLast = job.validationOnly();
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("artifact_id", r.artifactId());
        metadata.put("restore_type", r.type().wire());
        metadata.put("verify", r.verify());
        metadata.put("rollback", r.rollback());
        metadata.put("validation_only", sameAsLast);
        metadata.put("mode", job.mode());
        metadata.put("mode_reason", job.modeReason());
        if (r.isCopy()) metadata.put("copied_from", r.copyFrom());
        try {
            starter.start(job, operation(r), r.user(), null, metadata, dir, inputs(job), Map.of("run_id.txt", job.runId() + "\n"));
        } catch (RuntimeException e) {
            WorkFiles.deleteTree(job.workDir()); // the artifact files the preflight fetched
            throw e;
        }
        LOG.info("restore run {} started: artifact {} into {} ({}, {}: {}), evidence in {}", job.runId(), r.artifactId(),
                job.environment().id(), r.type().wire(), job.mode(), job.modeReason(), dir);
    }

    /** The run's operation: {@code restore}, or {@code copy} for a neutralised copy (the same steps). */
    static String operation(RestoreRequest r) {
        return r.isCopy() ? "copy" : "restore";
    }

    /**
     * Restore or only validate. The shortcut applies only when the environment provably still holds what the
     * last restore of this artifact left: its fingerprint then (database and filestore) equals the one now.
     */
    private void decideMode(RestoreJob job) {
        RestoreRequest r = job.request();
        switch (r.mode()) {
            case FORCE -> job.mode("restore", "--force: always restore");
            case VALIDATE_ONLY -> job.mode("validate_only", "--validate-only: nothing is changed");
            case AUTO -> {
                var last = catalog.runs().lastSuccessfulRestore(job.environment().id()).orElse(null);
                if (last == null || !last.artifactId().equals(r.artifactId()) || !covers(last.restoreType(), r.type())) {
                    job.mode("restore", last == null ? "no earlier restore into this environment"
                            : "the last restore here (run " + last.runId() + ") was of " + last.artifactId() + " (" + last.restoreType() + ")");
                    return;
                }
                Map<String, Object> now = new java.util.LinkedHashMap<>();
                java.util.Optional<String> diff;
                try {
                    diff = EnvironmentFingerprint.compare(last.fingerprint(), job.environment(), r.type(), now);
                } catch (Exception e) {
                    job.mode("restore", "artifact already restored by run " + last.runId()
                            + ", but the environment could not be fingerprinted: " + job.redactor().scrub(e.getMessage()));
                    return;
                }
                if (diff.isEmpty()) {
                    job.fingerprint(now);
                    job.mode("validate_only", "the environment is unchanged since run " + last.runId()
                            + " restored this artifact (database and filestore fingerprints equal)");
                } else {
                    job.mode("restore", "artifact already restored by run " + last.runId() + ", but " + diff.get());
                }
            }
        }
    }

    /** A full restore covers every type; a partial one only its own. */
    static boolean covers(String done, dev.odooops.model.BackupType wanted) {
        return "full".equals(done) || wanted.wire().equals(done);
    }

    /** Route predicate: skip steps 2-8. */
    public boolean validationOnly(@Variable(Vars.RESTORE_JOB) RestoreJob job) {
        return job.validationOnly();
    }

    private static Map<String, Object> inputs(RestoreJob job) {
        RestoreRequest r = job.request();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_id", job.runId().toString());
        m.put("operation", "restore");
        m.put("project", r.project());
        m.put("environment", r.environment());
        m.put("environment_id", job.environment().id());
        m.put("environment_type", job.environment().type());
        m.put("artifact_id", r.artifactId());
        m.put("artifact_created_at", job.artifact().createdAt().toString());
        m.put("restore_type", r.type().wire());
        m.put("verify", r.verify());
        m.put("rollback", r.rollback());
        m.put("confirmed", r.confirm() != null);
        m.put("user", r.user());
        m.put("trigger", r.trigger());
        m.put("validation_only", job.validationOnly());
        m.put("mode", job.mode());
        m.put("mode_reason", job.modeReason());
        m.put("requested_at", job.createdAt().toString());
        return m;
    }
}
