package dev.odooops.restore;

import dev.odooops.odoo.OdooLifecycle;
import dev.odooops.postgres.PgAdmin;
import dev.odooops.exec.CrashPoints;
import dev.odooops.run.Vars;
import dev.odooops.exec.WorkFiles;

import dev.odooops.domain.Evidence;
import dev.odooops.model.RestoreJob;
import dev.odooops.model.RestoreRequest;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.store.StoreLocator;
import dev.odooops.model.Artifact;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rollback route's step: puts the environment back as it was before a failed restore, one level only.
 * <ul>
 *   <li>Nothing changed yet (a failure before swap-database: the new database and filestore loaded beside the live
 *       ones are removed): nothing to roll back; Odoo is started again only if quiesce had stopped it.</li>
 *   <li>{@code --no-rollback}: the environment is left as the failure left it (recorded).</li>
 *   <li>A part restored where nothing was live before (disaster recovery: no live database and/or no live files):
 *       the restored copy is never deleted; it is kept as it is, in maintenance with Odoo stopped, for the
 *       operator's {@code accept} or {@code discard} ({@link RestoreDecision}); outcome {@code kept}.</li>
 *   <li>A rollback already recorded for this run: not repeated (warning).</li>
 *   <li>Otherwise: maintenance on and Odoo stopped (it may be serving the restored data), then per part the
 *       fast path: the copy kept aside goes back by rename (see {@link SideCopies#putBack}); the slow path,
 *       only when the kept-aside copy has vanished: the pre-restore safety backup is restored (its evidence
 *       under {@code rollback/}). A kept-aside copy is never dropped here: one that cannot be put back is kept
 *       and reported ({@code rollback_failed}).</li>
 * </ul>
 * Then Odoo is started, its health decides whether maintenance is lifted and whether the run reports Odoo
 * down. rollback.json records every action. Never throws.
 */
public class RollbackRestore {
    private static final Logger LOG = LoggerFactory.getLogger(RollbackRestore.class);
    private final OpsCatalog catalog;
    private final StoreLocator stores;
    private final RestoreDatabase database;
    private final RestoreFilestore filestore;
    private final OdooLifecycle odoo;

    public RollbackRestore(OpsCatalog catalog, StoreLocator stores, RestoreDatabase database, RestoreFilestore filestore,
                           OdooLifecycle odoo) {
        this.catalog = catalog;
        this.stores = stores;
        this.database = database;
        this.filestore = filestore;
        this.odoo = odoo;
    }

    public void rollback(@Variable(Vars.RESTORE_JOB) RestoreJob job) {
        job.awaitFilestorePreparation(); // it may still be writing the new filestore's side copy
        job.awaitSafetyBackup(); // a load that failed before it ended: its run ends inside this one
        List<Object> actions = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        List<String> leftovers = new ArrayList<>();
        String outcome;
        Boolean healthy = null;
        try {
            if (!job.touchedData()) {
                outcome = "not_needed";
                actions.add("the failure came before any data was changed");
                if (job.newDatabase() != null) {
                    // the new database loaded beside the live one (before quiesce), never swapped in
                    dropNewDatabase(job, actions, leftovers);
                }
                if (job.newFilestore() != null && Files.exists(job.newFilestore())) {
                    // the filestore prepared in the background, never swapped in
                    SideCopies.removeDirectory(job.newFilestore(), job.sideTag(), actions, leftovers);
                }
                if (job.odooStopped()) healthy = bringBack(job, actions);
            } else if (!job.request().rollback()) {
                outcome = "disabled";
                actions.add("--no-rollback: the environment is left as the failure left it");
            } else if (!catalog.runs().hasEvent(job.runId(), "rollback_started") && !RestoreDecision.withoutPredecessor(job).isEmpty()) {
                // nothing was live before: a rollback would put back nothing and delete the only copy there is
                outcome = "kept";
                healthy = RestoreDecision.keep(job, catalog, odoo, actions);
            } else if (catalog.runs().hasEvent(job.runId(), "rollback_started")) {
                outcome = "already_done";
                LOG.warn("run {} already has a rollback recorded: not rolling back a second time", job.runId());
                actions.add("a rollback is already recorded for this run: not repeated");
            } else {
                catalog.runs().event(job.runId(), "rollback_started", job.failedStep(), Map.of("reason", String.valueOf(job.failureReason())));
                // Odoo may be running on the restored data (restart-odoo passed): never swap under it
                actions.add(odoo.maintenanceOn(job.environment(), job.redactor()));
                actions.add(odoo.stop(job.environment(), job.redactor()));
                job.odooStopped(true);
                CrashPoints.reached("rollback:odoo-stopped");
                boolean ok = rollbackPart(job, true, actions, kept, leftovers)
                        & rollbackPart(job, false, actions, kept, leftovers);
                outcome = ok ? "rolled_back" : "rollback_failed";
                CrashPoints.reached("rollback:data-put-back");
                healthy = bringBack(job, actions);
                Map<String, Object> payload = new LinkedHashMap<>();
                payload.put("actions", actions.stream().map(String::valueOf).toList());
                payload.put("odoo_healthy", healthy);
                payload.put("app_healthy", healthy);
                if (!kept.isEmpty()) payload.put("kept_for_operator", kept);
                if (!leftovers.isEmpty()) payload.put("leftovers", leftovers);
                catalog.runs().event(job.runId(), ok ? "rollback_completed" : "rollback_failed", job.failedStep(), payload);
            }
        } catch (Exception e) {
            outcome = "rollback_failed";
            actions.add("unexpected: " + job.redactor().scrub(String.valueOf(e.getMessage())));
        }
        job.rollbackOutcome(outcome);
        job.odooHealthy(healthy);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("outcome", outcome);
        record.put("failed_step", job.failedStep());
        record.put("reason", job.failureReason());
        record.put("pre_restore_backup_id", job.preRestoreBackupId());
        record.put("odoo_healthy", healthy); // the Odoo word, kept for one release
        record.put("app_healthy", healthy);
        record.put("actions", actions);
        record.put("kept_for_operator", kept);
        record.put("leftovers", leftovers);
        try {
            job.evidence().json("rollback.json", record);
        } catch (RuntimeException e) {
            LOG.error("could not write rollback.json of run {}: {}", job.runId(), e.getMessage());
        }
    }

    /** Drops the new database a failure before the swap left (never the live one: only its side name). */
    private static void dropNewDatabase(RestoreJob job, List<Object> actions, List<String> leftovers) {
        String fresh = SideCopies.database(job.environment().database().name(), SideCopies.Role.RESTORE, job.sideTag());
        try (PgAdmin admin = new PgAdmin(job.environment().database())) {
            if (admin.exists(fresh)) {
                admin.dropIfExists(fresh);
                actions.add("dropped " + fresh + " (loaded beside the live database, never swapped in)");
            }
        } catch (Exception e) {
            leftovers.add("database " + fresh + ": " + job.redactor().scrub(String.valueOf(e.getMessage())));
            actions.add("could not drop " + fresh + " (left over; recover removes it): " + job.redactor().scrub(String.valueOf(e.getMessage())));
        }
    }

    /**
     * Start Odoo, wait for health, and lift maintenance only once it is healthy (a maintenance page is better
     * than an error page). Returns whether Odoo came back.
     */
    private boolean bringBack(RestoreJob job, List<Object> actions) {
        List<Map<String, Object>> startAndHealth = odoo.startAndWaitHealthy(job.environment(), job.redactor());
        actions.addAll(startAndHealth);
        boolean healthy = startAndHealth.stream().allMatch(a -> Boolean.TRUE.equals(a.get("ok")));
        if (healthy) {
            actions.add(odoo.maintenanceOff(job.environment(), job.redactor()));
            job.odooStopped(false);
        } else {
            actions.add("Odoo did not come back: maintenance mode left on");
        }
        return healthy;
    }

    /**
     * Puts one part (database or filestore) back. Fast path: the copy kept aside goes back by rename, which
     * never depends on removing the restored copy (that is recorded as a leftover when it fails). Slow path,
     * only when the kept-aside copy has vanished: the pre-restore backup is restored. A kept-aside copy that
     * exists but cannot be put back is kept and reported, never replaced by the older safety backup.
     */
    private boolean rollbackPart(RestoreJob job, boolean database, List<Object> actions, List<String> kept,
                                 List<String> leftovers) {
        var type = job.request().type();
        if (database ? !type.includesDatabase() : !type.includesFilestore()) return true;
        String part = database ? "database" : "filestore";
        var env = job.environment();
        String tag = job.sideTag();
        boolean hadAside = database ? job.asideDatabase() != null : job.asideFilestore() != null;
        boolean swapped = database ? job.databaseSwapped() : job.filestoreSwapped();
        try {
            boolean asideExists = database ? databaseExists(job, SideCopies.database(env.database().name(), SideCopies.Role.PRE, tag))
                    : Files.exists(SideCopies.filestore(env.filestore().toAbsolutePath(), SideCopies.Role.PRE, tag));
            if (hadAside && !asideExists) {
                actions.add("the " + part + " kept aside is gone: slow path");
                slowPath(job, database, actions, leftovers);
                return true;
            }
            SideCopies.putBack(env, tag, database, !database, actions, leftovers);
            if (swapped && !hadAside) {
                // there was none before this restore: what stands under the live name now is the restored copy
                if (database) {
                    try (PgAdmin admin = new PgAdmin(env.database())) {
                        admin.dropIfExists(env.database().name());
                    }
                    actions.add("dropped " + env.database().name() + " (there was none before the restore)");
                } else {
                    SideCopies.removeDirectory(env.filestore().toAbsolutePath(), tag, actions, leftovers);
                }
            }
            if (database) job.asideDatabase(null);
            else job.asideFilestore(null);
            return true;
        } catch (Exception e) {
            String msg = job.redactor().scrub(String.valueOf(e.getMessage()));
            actions.add(part + ": could not be put back: " + msg);
            String aside = database ? SideCopies.database(env.database().name(), SideCopies.Role.PRE, tag)
                    : SideCopies.filestore(env.filestore().toAbsolutePath(), SideCopies.Role.PRE, tag).toString();
            if (hadAside) kept.add(part + " " + aside + " holds the state before the restore: it was kept (" + msg + ")");
            return false;
        }
    }

    private static boolean databaseExists(RestoreJob job, String name) throws Exception {
        try (PgAdmin admin = new PgAdmin(job.environment().database())) {
            return admin.exists(name);
        }
    }

    /** Restores one part of the safety backup over whatever the failed run left, with side copies of its own. */
    private void slowPath(RestoreJob job, boolean databasePart, List<Object> actions, List<String> leftovers) throws Exception {
        if (job.preRestoreBackupId() == null) throw new IllegalStateException("no pre-restore backup to restore");
        Artifact safety = catalog.artifacts().artifact(job.preRestoreBackupId()).orElseThrow();
        RestoreRequest r = job.request();
        var partType = databasePart ? dev.odooops.model.BackupType.DB_ONLY : dev.odooops.model.BackupType.FILESTORE_ONLY;
        RestoreJob back = new RestoreJob(job, new RestoreRequest(r.project(), r.environment(), safety.id(), partType, false,
                false, r.confirm(), r.user(), "rollback"), safety);
        back.workDir(job.workDir().resolve("rollback-" + (databasePart ? "db" : "filestore")));
        back.evidence(job.evidence().subdirectory("rollback"));
        StoreLocator.Location where = stores.locate(safety.uri(), safety.id()); // a reused safety backup may be in a previous store
        Files.createDirectories(back.workDir());
        for (String name : RestorePreflight.neededFiles(safety, partType)) {
            Path local = back.workDir().resolve(name);
            if (!where.store().fetch(where.artifactPath(), name, local).equals(safety.checksums().get(name))) {
                throw new IllegalStateException("pre-restore backup " + safety.id() + ": " + name + " differs from its recorded SHA-256");
            }
            // an encrypted safety backup is read with the same identity the restore was checked with
            if (!name.endsWith(".sha256")) {
                stores.cipher().decryptInPlace(ArtifactUnpacking.projectOf(safety), local, name + " of pre-restore backup " + safety.id());
            }
            back.files().put(name, local);
        }
        if (databasePart) database.restore(back);
        else filestore.restore(back);
        actions.add("slow path: " + (databasePart ? "database" : "filestore") + " of pre-restore backup " + safety.id() + " restored");
        // what the slow path moved aside is the failed restore's copy; this run's own failed copies go too
        SideCopies.putBack(job.environment(), job.sideTag(), databasePart, !databasePart, actions, leftovers);
        String backTag = back.sideTag();
        if (databasePart) {
            try (PgAdmin admin = new PgAdmin(job.environment().database())) {
                String aside = SideCopies.database(job.environment().database().name(), SideCopies.Role.PRE, backTag);
                if (admin.exists(aside)) SideCopies.dropDatabase(admin, job.environment().database().name(), aside, backTag, actions, leftovers);
            }
        } else {
            Path aside = SideCopies.filestore(job.environment().filestore().toAbsolutePath(), SideCopies.Role.PRE, backTag);
            if (Files.exists(aside)) SideCopies.removeDirectory(aside, backTag, actions, leftovers);
        }
        WorkFiles.deleteTree(back.workDir());
    }
}
