package dev.odooops.step;

import dev.odooops.domain.Evidence;
import dev.odooops.model.RestoreJob;
import dev.odooops.model.RestoreRequest;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.store.ArtifactStore;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rollback route's step: puts the environment back as it was before a failed restore, one level only.
 * <ul>
 *   <li>Nothing changed yet (failure in steps 2-4): nothing to roll back; Odoo is started again if it was stopped.</li>
 *   <li>{@code --no-rollback}: the environment is left as the failure left it (recorded).</li>
 *   <li>A rollback already recorded for this run: not repeated (warning).</li>
 *   <li>Fast path: the database and filestore kept aside are put back by rename (what the run created is
 *       removed); slow path, when that fails: the pre-restore safety backup is restored (rollback and
 *       validation off), its evidence under {@code rollback/}.</li>
 * </ul>
 * Then Odoo is started and its health checked. rollback.json records every action. Never throws.
 */
public class RollbackRestore {
    private static final Logger LOG = LoggerFactory.getLogger(RollbackRestore.class);
    private final OpsCatalog catalog;
    private final ArtifactStore store;
    private final RestoreDatabase database;
    private final RestoreFilestore filestore;
    private final OdooLifecycle odoo;

    public RollbackRestore(OpsCatalog catalog, ArtifactStore store, RestoreDatabase database, RestoreFilestore filestore,
                           OdooLifecycle odoo) {
        this.catalog = catalog;
        this.store = store;
        this.database = database;
        this.filestore = filestore;
        this.odoo = odoo;
    }

    public void rollback(@Variable(Vars.RESTORE_JOB) RestoreJob job) {
        List<Object> actions = new ArrayList<>();
        String outcome;
        try {
            if (!job.touchedData()) {
                outcome = "not_needed";
                actions.add("the failure came before any data was changed");
                if (job.odooStopped()) restart(job, actions);
            } else if (!job.request().rollback()) {
                outcome = "disabled";
                actions.add("--no-rollback: the environment is left as the failure left it");
            } else if (catalog.hasEvent(job.runId(), "rollback_started")) {
                outcome = "already_done";
                LOG.warn("run {} already has a rollback recorded: not rolling back a second time", job.runId());
                actions.add("a rollback is already recorded for this run: not repeated");
            } else {
                catalog.event(job.runId(), "rollback_started", job.failedStep(), Map.of("reason", String.valueOf(job.failureReason())));
                try {
                    fastPath(job, actions);
                    outcome = "rolled_back";
                    actions.add("fast path: kept-aside database/filestore put back");
                } catch (Exception fast) {
                    actions.add("fast path failed: " + job.redactor().scrub(fast.getMessage()));
                    try {
                        slowPath(job, actions);
                        outcome = "rolled_back";
                        actions.add("slow path: pre-restore backup " + job.preRestoreBackupId() + " restored");
                    } catch (Exception slow) {
                        outcome = "rollback_failed";
                        actions.add("slow path failed: " + job.redactor().scrub(String.valueOf(slow.getMessage())));
                    }
                }
                restart(job, actions);
                catalog.event(job.runId(), outcome.equals("rolled_back") ? "rollback_completed" : "rollback_failed",
                        job.failedStep(), Map.of("actions", actions.stream().map(String::valueOf).toList()));
            }
        } catch (Exception e) {
            outcome = "rollback_failed";
            actions.add("unexpected: " + job.redactor().scrub(String.valueOf(e.getMessage())));
        }
        job.rollbackOutcome(outcome);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("outcome", outcome);
        record.put("failed_step", job.failedStep());
        record.put("reason", job.failureReason());
        record.put("pre_restore_backup_id", job.preRestoreBackupId());
        record.put("actions", actions);
        try {
            job.evidence().json("rollback.json", record);
        } catch (RuntimeException e) {
            LOG.error("could not write rollback.json of run {}: {}", job.runId(), e.getMessage());
        }
    }

    private void restart(RestoreJob job, List<Object> actions) {
        actions.add(odoo.start(job.environment(), job.redactor()));
        actions.add(odoo.waitHealthy(job.environment()));
        actions.add(odoo.maintenanceOff(job.environment(), job.redactor()));
        job.odooStopped(false);
    }

    private void fastPath(RestoreJob job, List<Object> actions) throws Exception {
        var type = job.request().type();
        // the fast path needs the copies this run kept aside; without them only the slow path can help
        if (job.asideDatabase() != null) {
            try (PgAdmin admin = new PgAdmin(job.environment().database())) {
                if (!admin.exists(job.asideDatabase())) {
                    throw new IllegalStateException("the database kept aside, " + job.asideDatabase() + ", is gone");
                }
            }
        }
        if (job.asideFilestore() != null && !Files.isDirectory(job.asideFilestore())) {
            throw new IllegalStateException("the filestore kept aside, " + job.asideFilestore() + ", is gone");
        }
        putBack(job.environment(), job.sideTag(), type.includesDatabase(), type.includesFilestore(), actions);
        var db = job.environment().database();
        if (job.databaseSwapped() && job.asideDatabase() == null) {
            // there was no database before this restore: what stands under its name now is the restored one
            try (PgAdmin admin = new PgAdmin(db)) {
                admin.dropIfExists(db.name());
                actions.add("dropped " + db.name() + " (there was none before the restore)");
            }
        }
        if (job.filestoreSwapped() && job.asideFilestore() == null) {
            WorkFiles.deleteTree(job.environment().filestore().toAbsolutePath());
            actions.add("removed the filestore (there was none before the restore)");
        }
        job.asideDatabase(null);
        job.asideFilestore(null);
    }

    /**
     * Puts an environment back from the side copies a restore run left, judging from what exists under the
     * run's names: the half-restored new copy is removed; a copy kept aside goes back under the live name,
     * and what stands there now (the restored copy) is removed. Throws when a step of that fails.
     */
    static void putBack(dev.odooops.config.EnvironmentConfig env, String tag, boolean database, boolean filestore,
                        List<Object> actions) throws Exception {
        String live = env.database().name();
        if (database) {
            try (PgAdmin admin = new PgAdmin(env.database())) {
                String fresh = RestoreDatabase.sideName(live, "restore", tag);
                String aside = RestoreDatabase.sideName(live, "pre", tag);
                if (admin.exists(fresh)) {
                    admin.dropIfExists(fresh);
                    actions.add("dropped " + fresh + " (never swapped in)");
                }
                if (admin.exists(aside)) {
                    if (admin.exists(live)) {
                        String failed = RestoreDatabase.sideName(live, "failed", tag);
                        admin.renameWithoutSessions(live, failed);
                        actions.add("database " + live + " (restored) -> " + failed);
                        admin.rename(aside, live);
                        admin.dropIfExists(failed);
                        actions.add("dropped " + failed);
                    } else {
                        admin.rename(aside, live);
                    }
                    actions.add("database " + aside + " -> " + live);
                }
            }
        }
        if (filestore) {
            Path fs = env.filestore().toAbsolutePath();
            Path fresh = RestoreFilestore.sidePath(fs, "restore", tag);
            Path aside = RestoreFilestore.sidePath(fs, "pre", tag);
            if (Files.exists(fresh)) {
                WorkFiles.deleteTree(fresh);
                actions.add("removed " + fresh + " (never swapped in)");
            }
            if (Files.exists(aside)) {
                Path failed = RestoreFilestore.sidePath(fs, "failed", tag);
                if (Files.exists(fs)) Files.move(fs, failed, StandardCopyOption.ATOMIC_MOVE);
                Files.move(aside, fs, StandardCopyOption.ATOMIC_MOVE);
                WorkFiles.deleteTree(failed);
                actions.add("filestore " + aside + " -> " + fs);
            }
        }
    }

    /** Restores the safety backup over whatever state the failed run and fast path left. */
    private void slowPath(RestoreJob job, List<Object> actions) throws Exception {
        if (job.preRestoreBackupId() == null) throw new IllegalStateException("no pre-restore backup to restore");
        OpsCatalog.Artifact safety = catalog.artifact(job.preRestoreBackupId()).orElseThrow();
        RestoreRequest r = job.request();
        RestoreJob back = new RestoreJob(job, new RestoreRequest(r.project(), r.environment(), safety.id(), r.type(), false,
                false, r.confirm(), r.user(), "rollback"), safety);
        back.workDir(job.workDir().resolve("rollback"));
        back.evidence(new Evidence(job.evidence().dir().resolve("rollback"), job.redactor()));
        String path = ArtifactStore.artifactPath(job.environment().project(), job.environment().name(), safety.id());
        Files.createDirectories(back.workDir());
        for (String name : RestorePreflight.neededFiles(safety, r.type())) {
            Path local = back.workDir().resolve(name);
            if (!store.fetch(path, name, local).equals(safety.checksums().get(name))) {
                throw new IllegalStateException("pre-restore backup " + safety.id() + ": " + name + " differs from its recorded SHA-256");
            }
            back.files().put(name, local);
        }
        database.restore(back);
        filestore.restore(back);
        actions.add(dropKeptAside(back));
        // what this run kept aside, and what a fast path that failed half-way left under the run's names
        actions.add(dropKeptAside(job));
        try (PgAdmin admin = new PgAdmin(job.environment().database())) {
            admin.dropIfExists(RestoreDatabase.sideName(job.environment().database().name(), "failed", job.sideTag()));
        }
        WorkFiles.deleteTree(RestoreFilestore.sidePath(job.environment().filestore().toAbsolutePath(), "failed", job.sideTag()));
    }

    /**
     * A restore whose process died may have left its side copies, or a swapped-in database that was never
     * validated. Its names follow from its run id: if the live copy was moved aside, the environment goes back
     * to it (what stands in its place is removed); a half-restored new copy is removed. Returns what was done.
     */
    static Map<String, Object> recoverAbandoned(dev.odooops.config.EnvironmentConfig env, java.util.UUID runId) {
        List<Object> actions = new ArrayList<>();
        try {
            putBack(env, runId.toString().substring(0, 8), true, true, actions);
        } catch (Exception e) {
            actions.add("could not put the environment back: " + e.getMessage());
        }
        return actions.isEmpty() ? Map.of() : Map.of("restore_put_back", actions.stream().map(String::valueOf).toList());
    }

    /** Drops the database and removes the filestore a run kept aside (after success, or after a slow path). */
    static Map<String, Object> dropKeptAside(RestoreJob job) {
        Map<String, Object> done = new LinkedHashMap<>();
        if (job.asideDatabase() != null) {
            try (PgAdmin admin = new PgAdmin(job.environment().database())) {
                admin.dropIfExists(job.asideDatabase());
                done.put("database", "dropped " + job.asideDatabase());
            } catch (Exception e) {
                done.put("database", "could not drop " + job.asideDatabase() + ": " + job.redactor().scrub(e.getMessage()));
            }
        }
        if (job.asideFilestore() != null) {
            WorkFiles.deleteTree(job.asideFilestore());
            done.put("filestore", "removed " + job.asideFilestore());
        }
        return done;
    }

    /** End of a restore run, whatever its outcome: release the lease, remove the work directory. */
    static void release(RestoreJob job) {
        try {
            if (job.lease() != null) job.lease().close();
        } catch (Exception e) {
            LOG.warn("releasing the lease of run {} failed: {}", job.runId(), e.getMessage());
        }
        WorkFiles.deleteTree(job.workDir());
    }
}
