package dev.odooops.step;

import dev.odooops.config.Settings;
import dev.odooops.domain.Evidence;
import dev.odooops.model.BackupJob;
import dev.odooops.model.BackupRequest;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.ops.OpsDatabase;
import dev.odooops.ops.RunLease;
import dev.odooops.store.ArtifactStore;
import dev.odooops.domain.Json;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Step 1: create the run ({@code queued} then {@code running}) under the environment's run lease, its
 * evidence directory {@code <root>/<YYYY-MM-DD>/backup/<run_id>/} and work directory, and record inputs.json.
 * A failure here leaves no active run behind.
 */
public class CreateRun {
    private static final Logger LOG = LoggerFactory.getLogger(CreateRun.class);
    private final OpsDatabase db;
    private final OpsCatalog catalog;
    private final Settings settings;
    private final ArtifactStore store;

    public CreateRun(OpsDatabase db, OpsCatalog catalog, Settings settings, ArtifactStore store) {
        this.db = db;
        this.catalog = catalog;
        this.settings = settings;
        this.store = store;
    }

    public void create(@Variable(Vars.BACKUP_JOB) BackupJob job) {
        job.step("create-run");
        BackupRequest r = job.request();
        Map<String, Object> inputs = inputs(job);
        RunLease lease = RunLease.begin(db, job.runId(), r.project(), job.environment().id(), "backup", r.user(),
                Json.compact(Map.of("backup_type", r.type().wire(), "kind", r.kind(), "trigger", r.trigger(),
                        "artifact_id", job.artifactId())), settings.staleAfterSeconds(), settings.heartbeatSeconds());
        job.lease(lease);
        try {
            String day = job.createdAt().atOffset(ZoneOffset.UTC).toLocalDate().toString();
            Path dir = settings.evidenceRoot().resolve(day).resolve("backup").resolve(job.runId().toString());
            job.evidence(new Evidence(dir, job.redactor()));
            Path work = settings.workDir().resolve(job.runId().toString());
            Files.createDirectories(work);
            job.workDir(work);
            job.evidence().json("inputs.json", inputs);
            catalog.runStarted(job.runId(), dir.toString());
            sweepAbandoned(job);
            LOG.info("backup run {} started for {} ({}), evidence in {}", job.runId(), job.environment().id(),
                    r.type().wire(), dir);
        } catch (IOException | RuntimeException e) {
            catalog.finishRun(job.runId(), "failed", "create-run", job.redactor().scrub(e.getMessage()), Map.of());
            lease.close();
            throw e instanceof IOException io ? new UncheckedIOException("cannot create the run's directories", io)
                    : (RuntimeException) e;
        }
    }

    /**
     * Runs this start abandoned (their process died) leave a work directory and maybe a partial upload:
     * remove both (an artifact that was registered is complete and stays).
     */
    private void sweepAbandoned(BackupJob job) {
        for (OpsCatalog.AbandonedRun gone : catalog.abandonedBy(job.runId())) {
            Map<String, Object> swept = new LinkedHashMap<>();
            WorkFiles.deleteTree(settings.workDir().resolve(gone.runId().toString()));
            swept.put("work_dir", "removed");
            if (gone.unregisteredArtifactId() != null && gone.environmentId().equals(job.environment().id())) {
                String path = ArtifactStore.artifactPath(job.environment().project(), job.environment().name(),
                        gone.unregisteredArtifactId());
                try {
                    List<String> names = store.list(path);
                    for (String name : names) store.delete(path, name);
                    swept.put("partial_upload_objects_removed", names.size());
                } catch (RuntimeException e) {
                    swept.put("partial_upload", "could not be removed: " + job.redactor().scrub(e.getMessage()));
                }
            }
            LOG.warn("run {} had been abandoned (its process died); cleaned up: {}", gone.runId(), swept);
            catalog.event(gone.runId(), "abandoned_run_swept", "create-run", swept);
        }
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
        m.put("kind", r.kind());
        m.put("label", r.label());
        m.put("user", r.user());
        m.put("trigger", r.trigger());
        m.put("retention", Map.of("daily", job.retention().daily(), "weekly", job.retention().weekly(),
                "monthly", job.retention().monthly()));
        m.put("artifact_id", job.artifactId());
        m.put("requested_at", job.createdAt().toString());
        return m;
    }
}
