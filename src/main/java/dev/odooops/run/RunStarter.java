package dev.odooops.run;

import dev.odooops.model.RunStatus;
import dev.odooops.odoo.OdooLifecycle;

import dev.odooops.config.Settings;
import dev.odooops.domain.Evidence;
import dev.odooops.domain.Json;
import dev.odooops.model.RunStartFailed;
import dev.odooops.domain.PrivateFiles;
import dev.odooops.model.RunState;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.ops.OpsDatabase;
import dev.odooops.ops.RunLease;
import dev.odooops.store.ArtifactRemover;
import dev.odooops.store.ArtifactStore;
import dev.odooops.model.DeletionReason;
import dev.odooops.model.AbandonedRun;
import dev.odooops.exec.WorkFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
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
    private final Settings.Ops ops;
    private final dev.odooops.domain.PrivateFiles files;
    private final ArtifactStore store;
    private final ArtifactRemover remover;

    private final SideCopySweep recovery;
    private final OdooLifecycle odoo;

    public RunStarter(OpsDatabase db, OpsCatalog catalog, Settings.Ops ops, dev.odooops.domain.PrivateFiles files, ArtifactStore store, ArtifactRemover remover,
                      SideCopySweep recovery, OdooLifecycle odoo) {
        this.db = db;
        this.catalog = catalog;
        this.ops = ops;
        this.files = files;
        this.store = store;
        this.recovery = recovery;
        this.odoo = odoo;
        this.remover = remover;
    }

    public Settings.Ops ops() {
        return ops;
    }

    /** A run's evidence directory: {@code <ops.evidence-root>/<YYYY-MM-DD of its creation, UTC>/<folder>/<run_id>/}. */
    public Path evidenceDir(RunState run, String folder) {
        return ops.evidenceRoot().resolve(run.createdAt().atOffset(java.time.ZoneOffset.UTC).toLocalDate().toString())
                .resolve(folder).resolve(run.runId().toString());
    }

    public void start(RunState run, String operation, String user, UUID parent, Map<String, Object> metadata,
                      Path evidenceDir, Map<String, Object> inputs) {
        start(run, operation, user, parent, metadata, evidenceDir, inputs, Map.of());
    }

    /**
     * As {@link #start(RunState, String, String, UUID, Map, Path, Map)}, writing {@code texts} (name to content)
     * beside inputs.json. Once the run exists, a failure ends it {@code failed} in step create-run, removes the
     * work directory this start created and an evidence directory left empty, and throws {@link RunStartFailed}.
     */
    public void start(RunState run, String operation, String user, UUID parent, Map<String, Object> metadata,
                      Path evidenceDir, Map<String, Object> inputs, Map<String, String> texts) {
        run.step("create-run");
        AutoCloseable lease = null;
        if (parent == null && run.lease() != null) {
            lease = run.lease(); // a queued service request: its row exists, this process holds its lock
            catalog.runs().mergeRunMetadata(run.runId(), metadata);
        } else if (parent == null) {
            lease = RunLease.begin(db, run.runId(), run.environment().project(), run.environment().id(), operation, user,
                    Json.compact(metadata), ops.staleAfterSeconds(), ops.heartbeatSeconds());
            run.lease(lease);
        } else {
            catalog.runs().beginChildRun(run.runId(), parent, operation, user, metadata);
        }
        Path createdWork = null;
        try {
            run.evidence(new Evidence(evidenceDir, run.redactor(), files));
            Path work = run.workDir();
            if (work == null) {
                work = ops.workDir().resolve(run.runId().toString());
                createdWork = work;
                WorkFiles.createPrivate(work);
                run.workDir(work);
            }
            PrivateFiles.OWNER_ONLY.protect(work); // the run's own directory, even when a preflight made it
            run.evidence().json("inputs.json", inputs);
            for (Map.Entry<String, String> t : texts.entrySet()) run.evidence().text(t.getKey(), t.getValue());
            catalog.runs().runStarted(run.runId(), evidenceDir.toString());
            // not at a restore's start: it may be about to use an artifact whose prune is pending
            // a drill (beside the environment's active run, V23) changes nothing of the environment or its store: it
            // sweeps only what dead runs left (and its own drills, at its take-lease), never the environment's side copies
            boolean drill = "drill".equals(operation);
            if (parent == null && !drill && !"restore".equals(operation) && !"copy".equals(operation)) retryStoreDeletions(run);
            boolean restoreDied = sweepAbandoned(run);
            if (parent == null && !drill) sweepSideCopies(run, restoreDied);
            if (parent == null) sweepEndedWorkDirs(run);
        } catch (RuntimeException e) {
            throw failed(run, lease, createdWork, e);
        }
    }

    /** Ends a run that could not start: failed in create-run, nothing half-written left, the cause kept. */
    private RunStartFailed failed(RunState run, AutoCloseable lease, Path createdWork, Exception e) {
        String reason = run.redactor().scrub(RunEnd.describe(e));
        LOG.error("run {} could not start: {}", run.runId(), reason);
        if (createdWork != null) WorkFiles.deleteTree(createdWork);
        String evidenceDir = null;
        if (run.evidence() != null) {
            Path dir = run.evidence().dir();
            try {
                Map<String, Object> status = new LinkedHashMap<>();
                status.put("run_id", run.runId().toString());
                status.put("status", "failed");
                status.put("failed_step", RunStartFailed.STEP);
                status.put("reason", reason);
                status.put("finished_at", java.time.Instant.now().toString());
                run.evidence().json("final_status.json", status);
            } catch (RuntimeException w) {
                LOG.warn("could not write final_status.json of run {}: {}", run.runId(), w.getMessage());
            }
            try (var entries = Files.list(dir)) {
                if (entries.findAny().isEmpty()) Files.delete(dir);
            } catch (IOException ignored) {
                // it has files or is gone: reported below as it is
            }
            evidenceDir = Files.isDirectory(dir) ? dir.toString() : null;
        }
        try {
            catalog.runs().finishRun(run.runId(), RunStatus.FAILED, RunStartFailed.STEP, reason, Map.of());
        } catch (RuntimeException f) {
            LOG.error("could not record the failed start of run {}: {}", run.runId(), f.getMessage());
            e.addSuppressed(f);
        }
        if (lease != null) {
            try {
                lease.close();
            } catch (Exception c) {
                LOG.warn("releasing the lease of run {} failed: {}", run.runId(), c.getMessage());
            }
        }
        return new RunStartFailed(run.runId(), evidenceDir, reason, e);
    }


    /**
     * Side copies of earlier restores of this environment (see {@link SideCopySweep}): an environment left
     * half-restored by a dead run is put back, then brought back into service (start, health, maintenance
     * off), since the dead restore had stopped Odoo; garbage of committed runs is removed.
     */
    private void sweepSideCopies(RunState run, boolean restoreDied) {
        SideCopySweep.Outcome outcome = recovery.sweep(run.environment(), run.runId(), run.redactor());
        // a backup or restore that committed but died before lifting maintenance: Odoo must come back
        List<UUID> unfinished = catalog.runs().runsPendingAfterCommit(run.environment().id());
        restoreDied |= !unfinished.isEmpty();
        if (outcome.isEmpty() && !restoreDied) return;
        Map<String, Object> swept = new LinkedHashMap<>(outcome.toMap());
        if (outcome.putBack() || restoreDied) {
            Map<String, Object> back = odoo.bringBack(run.environment(), run.redactor());
            swept.put("odoo", ((List<?>) back.get("actions")).stream().map(String::valueOf).toList());
            swept.put("odoo_healthy", back.get("healthy"));
        }
        if (Boolean.TRUE.equals(swept.get("odoo_healthy"))) {
            for (UUID done : unfinished) catalog.runs().mergeRunMetadata(done, Map.of("after_commit_pending", false));
        }
        if (!unfinished.isEmpty()) swept.put("committed_runs_finished", unfinished.stream().map(UUID::toString).toList());
        run.swept().put("side_copies", swept);
        catalog.runs().event(run.runId(), "side_copies_swept", "create-run", swept);
    }

    /**
     * Removals of stored objects that an earlier run journaled and could not finish (a prune interrupted or
     * refused, the upload of a run that failed while the store was down) are retried first, at the start of
     * a backup or recover run. One that fails again stays pending; it never stops this run.
     */
    private void retryStoreDeletions(RunState run) {
        try {
            List<ArtifactRemover.Outcome> retried = remover.retryPending(run.environment().id(), run.runId(), run.redactor());
            if (retried.isEmpty()) return;
            LOG.info("run {} retried {} pending store deletion(s) of {}: {} done", run.runId(), retried.size(),
                    run.environment().id(), retried.stream().filter(ArtifactRemover.Outcome::done).count());
            catalog.runs().event(run.runId(), "store_deletions_retried", "create-run",
                    Map.of("outcomes", retried.stream().map(ArtifactRemover.Outcome::toMap).toList()));
        } catch (RuntimeException e) {
            LOG.warn("run {}: retrying the pending store deletions failed: {}", run.runId(), run.redactor().scrub(String.valueOf(e.getMessage())));
        }
    }

    /**
     * Work directories that ended runs left: a run killed after its commit is {@code success} in the catalog and
     * never removed its directory (a whole dump each). Removed here when the run has ended and no process holds
     * its lease; a directory the catalog does not know (a restore's preflight fetches its artifact before its run
     * exists) or of a live run is left alone. Never fails the run.
     */
    private void sweepEndedWorkDirs(RunState run) {
        try (var entries = Files.list(ops.workDir())) {
            List<UUID> candidates = entries.filter(Files::isDirectory).map(p -> runId(p.getFileName().toString()))
                    .filter(id -> id != null && !id.equals(run.runId())).toList();
            if (candidates.isEmpty()) return;
            List<String> removed = new java.util.ArrayList<>();
            for (UUID ended : catalog.runs().endedWithoutOwner(candidates)) {
                WorkFiles.deleteTree(ops.workDir().resolve(ended.toString()));
                removed.add(ended.toString());
            }
            if (removed.isEmpty()) return;
            LOG.info("run {}: removed the work directories ended runs left: {}", run.runId(), removed);
            run.swept().put("ended_runs_work_dirs_removed", removed);
            catalog.runs().event(run.runId(), "work_dirs_swept", "create-run", Map.of("runs", removed));
        } catch (IOException | RuntimeException e) {
            LOG.warn("run {}: sweeping the work directories of ended runs failed: {}", run.runId(), e.getMessage());
        }
    }

    private static UUID runId(String name) {
        try {
            return name.length() == 36 ? UUID.fromString(name) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Runs this start abandoned (their process died) leave a work directory and maybe a partial upload:
     * remove both, aborting the multipart uploads the killed process left (an artifact that was registered
     * is complete and stays). The removal is journaled: when the store is down it is retried by the next run.
     * An abandoned restore may also have left the environment half-restored: it is put back as it was before
     * that restore.
     */
    private boolean sweepAbandoned(RunState run) {
        run.swept().clear();
        boolean restoreDied = false;
        for (AbandonedRun gone : catalog.runs().abandonedBy(run.runId())) {
            Map<String, Object> swept = new LinkedHashMap<>();
            WorkFiles.deleteTree(ops.workDir().resolve(gone.runId().toString()));
            swept.put("work_dir", "removed");
            if (gone.unregisteredArtifactId() != null && gone.environmentId().equals(run.environment().id())) {
                String path = ArtifactStore.artifactPath(run.environment().project(), run.environment().name(),
                        gone.unregisteredArtifactId());
                try {
                    ArtifactRemover.Outcome o = remover.remove(gone.environmentId(), gone.unregisteredArtifactId(),
                            store.uri(path), DeletionReason.ABANDONED_RUN, run.runId(), run.redactor());
                    if (o.done()) {
                        swept.put("partial_upload_objects_removed", o.objects());
                        swept.put("incomplete_uploads_aborted", o.incompleteUploads());
                    } else {
                        swept.put("partial_upload", "could not be removed, retried by the next run: " + o.error());
                    }
                } catch (RuntimeException e) {
                    swept.put("partial_upload", "could not be removed: " + run.redactor().scrub(String.valueOf(e.getMessage())));
                }
            }
            if (gone.unregisteredArtifactId() != null && gone.environmentId().equals(run.environment().id())) {
                // a packed backup uploads its new packs before it registers them: those of a killed run are nobody's
                try {
                    List<String> packs = new dev.odooops.store.PackCollector(catalog, store)
                            .removeUnregistered(run.environment().project(), gone.unregisteredArtifactId());
                    if (!packs.isEmpty()) swept.put("unregistered_packs_removed", packs);
                } catch (RuntimeException e) {
                    swept.put("unregistered_packs", "could not be removed (check --project lists them): "
                            + run.redactor().scrub(String.valueOf(e.getMessage())));
                }
            }
            // a copy is a restore (of another environment's artifact): its side copies are swept the same way
            if (("restore".equals(gone.operation()) || "copy".equals(gone.operation())) && gone.environmentId().equals(run.environment().id())) restoreDied = true;
            if ("backup".equals(gone.operation()) && gone.environmentId().equals(run.environment().id())
                    && run.environment().control().quiesce() != null) {
                // a killed backup never resumed Odoo from its quiesce (maintenance page)
                swept.put("odoo", String.valueOf(odoo.maintenanceOff(run.environment(), run.redactor())));
            }
            LOG.warn("run {} had been abandoned (its process died); cleaned up: {}", gone.runId(), swept);
            run.swept().put(gone.runId().toString(), Map.of("operation", gone.operation(), "cleanup", swept));
            catalog.runs().event(gone.runId(), "abandoned_run_swept", "create-run", swept);
        }
        return restoreDied;
    }
}
