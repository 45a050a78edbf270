package dev.odooops.step;

import dev.odooops.config.Settings;
import dev.odooops.domain.Evidence;
import dev.odooops.domain.Json;
import dev.odooops.model.RunState;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.ops.OpsDatabase;
import dev.odooops.ops.RunLease;
import dev.odooops.store.ArtifactStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Starts any run: takes the environment's run lease ({@code ops.begin_run}, or a child run under a parent's
 * lease), creates its evidence and work directories, records inputs.json and marks it running; then sweeps
 * the leftovers of runs this start found abandoned. A failure leaves no active run behind.
 */
public class RunStarter {
    private static final Logger LOG = LoggerFactory.getLogger(RunStarter.class);
    private final OpsDatabase db;
    private final OpsCatalog catalog;
    private final Settings settings;
    private final ArtifactStore store;

    public RunStarter(OpsDatabase db, OpsCatalog catalog, Settings settings, ArtifactStore store) {
        this.db = db;
        this.catalog = catalog;
        this.settings = settings;
        this.store = store;
    }

    public Settings settings() {
        return settings;
    }

    public void start(RunState run, String operation, String user, UUID parent, Map<String, Object> metadata,
                      Path evidenceDir, Map<String, Object> inputs) {
        run.step("create-run");
        RunLease lease = null;
        if (parent == null) {
            lease = RunLease.begin(db, run.runId(), run.environment().project(), run.environment().id(), operation, user,
                    Json.compact(metadata), settings.staleAfterSeconds(), settings.heartbeatSeconds());
            run.lease(lease);
        } else {
            catalog.beginChildRun(run.runId(), parent, operation, user, metadata);
        }
        try {
            run.evidence(new Evidence(evidenceDir, run.redactor()));
            Path work = run.workDir() != null ? run.workDir() : settings.workDir().resolve(run.runId().toString());
            Files.createDirectories(work);
            run.workDir(work);
            run.evidence().json("inputs.json", inputs);
            catalog.runStarted(run.runId(), evidenceDir.toString());
            sweepAbandoned(run);
        } catch (IOException | RuntimeException e) {
            catalog.finishRun(run.runId(), "failed", "create-run", run.redactor().scrub(e.getMessage()), Map.of());
            if (lease != null) lease.close();
            throw e instanceof IOException io ? new UncheckedIOException("cannot create the run's directories", io)
                    : (RuntimeException) e;
        }
    }

    /**
     * Runs this start abandoned (their process died) leave a work directory and maybe a partial upload:
     * remove both (an artifact that was registered is complete and stays). An abandoned restore may also
     * have left the environment half-restored: it is put back as it was before that restore.
     */
    private void sweepAbandoned(RunState run) {
        run.swept().clear();
        for (OpsCatalog.AbandonedRun gone : catalog.abandonedBy(run.runId())) {
            Map<String, Object> swept = new LinkedHashMap<>();
            WorkFiles.deleteTree(settings.workDir().resolve(gone.runId().toString()));
            swept.put("work_dir", "removed");
            if ("restore".equals(gone.operation()) && gone.environmentId().equals(run.environment().id())) {
                swept.putAll(RollbackRestore.recoverAbandoned(run.environment(), gone.runId()));
            }
            if (gone.unregisteredArtifactId() != null && gone.environmentId().equals(run.environment().id())) {
                String path = ArtifactStore.artifactPath(run.environment().project(), run.environment().name(),
                        gone.unregisteredArtifactId());
                try {
                    List<String> names = store.list(path);
                    for (String name : names) store.delete(path, name);
                    swept.put("partial_upload_objects_removed", names.size());
                } catch (RuntimeException e) {
                    swept.put("partial_upload", "could not be removed: " + run.redactor().scrub(e.getMessage()));
                }
            }
            LOG.warn("run {} had been abandoned (its process died); cleaned up: {}", gone.runId(), swept);
            run.swept().put(gone.runId().toString(), Map.of("operation", gone.operation(), "cleanup", swept));
            catalog.event(gone.runId(), "abandoned_run_swept", "create-run", swept);
        }
    }
}
