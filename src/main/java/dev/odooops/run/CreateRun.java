package dev.odooops.run;

import dev.odooops.model.BackupJob;
import dev.odooops.model.BackupRequest;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Backup step 1: create the run ({@code queued} then {@code running}) with its evidence directory
 * {@code <root>/<YYYY-MM-DD>/backup/<run_id>/} and inputs.json. A safety backup of a restore starts as a
 * child run under the restore's lease.
 */
public class CreateRun {
    private static final Logger LOG = LoggerFactory.getLogger(CreateRun.class);
    private final RunStarter starter;

    public CreateRun(RunStarter starter) {
        this.starter = starter;
    }

    public void create(@Variable(Vars.BACKUP_JOB) BackupJob job) {
        BackupRequest r = job.request();
        Path dir = starter.evidenceDir(job, "backup");
        starter.start(job, "backup", r.user(), r.parentRunId(), Map.of("backup_type", r.type().wire(), "kind", r.kind().wire(),
                "trigger", r.trigger(), "artifact_id", job.artifactId()), dir, inputs(job));
        LOG.info("backup run {} started for {} ({}), evidence in {}", job.runId(), job.environment().id(),
                r.type().wire(), dir);
    }

    private static Map<String, Object> inputs(BackupJob job) {
        BackupRequest r = job.request();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_id", job.runId().toString());
        m.put("operation", "backup");
        m.put("project", r.project());
        m.put("environment", r.environment());
        m.put("environment_id", job.environment().id());
        m.put("environment_type", job.environment().type());
        m.put("backup_type", r.type().wire());
        m.put("kind", r.kind().wire());
        m.put("label", r.label());
        m.put("user", r.user());
        m.put("trigger", r.trigger());
        if (r.parentRunId() != null) m.put("parent_run_id", r.parentRunId().toString());
        m.put("retention", Map.of("daily", job.retention().daily(), "weekly", job.retention().weekly(), "yearly", job.retention().yearly(),
                "monthly", job.retention().monthly()));
        m.put("artifact_id", job.artifactId());
        m.put("requested_at", job.createdAt().toString());
        return m;
    }
}
