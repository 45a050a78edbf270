package dev.odooops.restore;

import dev.odooops.postgres.PgAdmin;
import dev.odooops.run.Vars;

import dev.odooops.domain.Json;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.RestoreJob;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.store.ArtifactVerifier;
import dev.odooops.model.Artifact;
import org.apache.camel.Variable;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Restore step 3 (mandatory), two nodes of routes/restore.camel.yaml:
 * <ol>
 *   <li>{@link #take} (pre-restore-backup): a backup of the environment as it is now, of the parts the restore will
 *   replace, through the same application call as every other backup (the {@code direct:backup} entry route, by
 *   {@link dev.odooops.app.Operations#backup}), as a child run of the restore (kind {@code pre_restore}). Only what
 *   exists is backed up; when the database to be restored does not exist (disaster recovery) there is nothing to
 *   save and the step records why it took no backup. If the current state exists but cannot be backed up, the
 *   restore does not go on.</li>
 *   <li>{@link #verify} (verify-pre-restore-backup): verified from the store (the backup run's read-back of every
 *   object, or a full re-read when that was off); its artifact id goes into the run's metadata
 *   (pre_restore_backup_id) and pre_restore_backup.json.</li>
 * </ol>
 * When the environment is unchanged since a verified artifact (the backup run ends skipped_unchanged, see
 * {@link dev.odooops.backup.CheckUnchanged}), that artifact is the safety backup: it was verified when it was
 * made, and every object it needs must still be in the store with its size. Retention keeps it as long as a
 * safety backup of its own would be kept.
 */
public class SafetyBackup {
    /** The application's backup call ({@code Operations::backup}): a typed request in, the run's typed result out. */
    @FunctionalInterface
    public interface Backups {
        BackupResult backup(BackupRequest request);
    }

    /** The safety backup that {@link #take} took (or reused) and {@link #verify} verifies, of the parts that exist. */
    public record Taken(BackupResult result, BackupType type) {
    }

    private final Backups backups;
    private final OpsCatalog catalog;
    private final ArtifactVerifier verifier;

    /**
     * The parts of the restore that exist now and can be backed up, or null when there is nothing: a restore
     * that brings back a lost database (disaster recovery) has no current database to save, and the backup
     * route needs the database for its snapshot, so then no safety backup is taken (recorded).
     */
    /**
     * The backup route has already read every stored object back and compared its SHA-256 (and ran
     * pg_restore --list on the same bytes before upload): when its evidence says so for every file, that is
     * the verification. Null when read-back was off (store.verify-after-upload=false): verify from the store.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> readBack(BackupResult result) {
        var registration = java.nio.file.Path.of(result.evidenceDir(), "artifact_registration.json");
        Map<String, Object> readBack = (Map<String, Object>) Json.readMap(registration).get("store_read_back");
        if (readBack == null || readBack.isEmpty()) return null;
        for (Object f : readBack.values()) {
            if (!Boolean.TRUE.equals(((Map<String, Object>) f).get("verified"))) return null;
        }
        return Map.of("ok", true, "method", "store read-back of every object by the backup run (sha256 compared)",
                "files", readBack);
    }

    /** Why the copy was reused or taken, from the backup run's unchanged_check.json (its decision and settle plan). */
    @SuppressWarnings("unchecked")
    static String whyThisPath(BackupResult result, boolean reused) {
        var check = java.nio.file.Path.of(result.evidenceDir(), "unchanged_check.json");
        if (!java.nio.file.Files.exists(check)) return reused ? "unchanged" : "a copy was taken";
        Map<String, Object> m = Json.readMap(check);
        String why = String.valueOf(m.get("reason"));
        if (m.get("settle") instanceof Map<?, ?> settle && !why.contains(String.valueOf(settle.get("why")))) {
            why += "; " + settle.get("why");
        }
        return why;
    }

    /** Which settle case the backup run's unchanged check applied (SettleDecision.Case's word), or null: none. */
    static String settleCase(BackupResult result) {
        var check = java.nio.file.Path.of(result.evidenceDir(), "unchanged_check.json");
        if (!java.nio.file.Files.exists(check)) return null;
        return Json.readMap(check).get("settle") instanceof Map<?, ?> settle && settle.get("case") != null
                ? String.valueOf(settle.get("case")) : null;
    }

    static BackupType whatExists(RestoreJob job) throws Exception {
        BackupType wanted = job.request().type();
        boolean db = false;
        if (wanted.includesDatabase()) {
            try (PgAdmin admin = new PgAdmin(job.environment().database())) {
                db = admin.exists(job.environment().database().name());
            }
            if (!db) return null;
        }
        boolean fs = wanted.includesFilestore() && java.nio.file.Files.isDirectory(job.environment().filestore());
        if (db && fs) return BackupType.FULL;
        if (db) return BackupType.DB_ONLY;
        return fs ? BackupType.FILESTORE_ONLY : null;
    }

    public SafetyBackup(Backups backups, OpsCatalog catalog, ArtifactVerifier verifier) {
        this.backups = backups;
        this.catalog = catalog;
        this.verifier = verifier;
    }

    private final java.util.concurrent.ExecutorService background = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "safety-backup");
        t.setDaemon(true);
        return t;
    });

    /**
     * Step pre-restore-backup: starts {@link #take} in the background, so that the new database and filestore load
     * beside the live ones meanwhile (they change nothing of the environment; the safety backup's pg_dump takes its
     * snapshot at its start, so the copy is consistent); {@link #await} (await-pre-restore-backup) joins it before
     * anything of the environment changes.
     */
    public void start(@Variable(Vars.RESTORE_JOB) RestoreJob job) {
        job.safetyBackup(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return take(job);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, background));
    }

    /** Step await-pre-restore-backup: the safety backup {@link #start} started (its failure is this step's), or null. */
    public Taken await(@Variable(Vars.RESTORE_JOB) RestoreJob job) throws Exception {
        var started = job.safetyBackup();
        if (started == null) return take(job);
        long t0 = System.nanoTime();
        Taken taken;
        try {
            taken = (Taken) started.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof Exception cause) throw cause;
            throw e;
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("waited_ms", (System.nanoTime() - t0) / 1_000_000);
        if (taken == null) {
            detail.put("skipped", "nothing to back up (disaster recovery)");
        } else {
            detail.put("backup_run_id", taken.result().runId());
            detail.put("artifact_id", taken.result().artifactId());
            detail.put("reused", taken.result().skippedUnchanged());
        }
        job.stepDetail(detail);
        return taken;
    }

    /** The backup run, or null (recorded) when nothing exists to back up. */
    public Taken take(@Variable(Vars.RESTORE_JOB) RestoreJob job) throws Exception {
        var r = job.request();
        BackupType type = whatExists(job);
        if (type == null) {
            String reason = "nothing to back up: the environment's " + (r.type().includesDatabase() ? "database "
                    + job.environment().database().name() + " does not exist" : "filestore does not exist")
                    + " (disaster recovery)";
            job.evidence().json("pre_restore_backup.json", Map.of("skipped", true, "reason", reason));
            return null;
        }
        BackupRequest request = new BackupRequest(r.project(), r.environment(), type, "pre-restore " + job.runId(),
                null, null, null, r.user(), dev.odooops.model.ArtifactKind.PRE_RESTORE, "restore", job.runId());
        BackupResult result;
        try {
            result = backups.backup(request);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the pre-restore safety backup was refused: " + e.getMessage(), e);
        }
        if (!result.succeeded()) {
            throw new IllegalStateException("the pre-restore safety backup failed in " + result.failedStep() + ": " + result.error());
        }
        return new Taken(result, type);
    }

    /** Step verify-pre-restore-backup: the safety backup verified from the store, then recorded as the run's. */
    public void verify(@Variable(Vars.RESTORE_JOB) RestoreJob job, @Variable(Vars.SAFETY_BACKUP_TAKEN) Taken taken)
            throws Exception {
        if (taken == null) return; // nothing existed to back up (recorded by take)
        var r = job.request();
        BackupResult result = taken.result();
        BackupType type = taken.type();
        Artifact artifact = catalog.artifacts().artifact(result.artifactId()).orElseThrow();
        boolean reused = result.skippedUnchanged();
        Map<String, Object> verification = reused
                ? verifier.stillStored(artifact, job.environment().project(), job.environment().name()) : readBack(result);
        if (verification == null) {
            verification = verifier.verify(artifact, job.environment().project(), job.environment().name());
        }
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("artifact_id", result.artifactId());
        evidence.put("reused", reused);
        if (reused) {
            evidence.put("reason", "the environment is unchanged since " + result.artifactId() + " (its fingerprint matched"
                    + ("app_stopped".equals(settleCase(result)) ? " with nothing connected to the database"
                    : " twice") + ", see the backup run's unchanged_check.json): that verified artifact is the safety backup");
        }
        evidence.put("path", reused ? "reused" : "taken");
        evidence.put("why", whyThisPath(result, reused));
        if (settleCase(result) != null) evidence.put("settle_case", settleCase(result));
        evidence.put("backup_run_id", result.runId());
        evidence.put("backup_evidence_dir", result.evidenceDir());
        evidence.put("backup_type", type.wire());
        evidence.put("uri", artifact.uri());
        evidence.put("verified", verification.get("ok"));
        evidence.put("verification", verification);
        if (type != r.type()) evidence.put("note", "only the " + type.wire() + " part exists now and was backed up");
        job.evidence().json("pre_restore_backup.json", evidence);
        if (!Boolean.TRUE.equals(verification.get("ok"))) {
            throw new IllegalStateException("the pre-restore safety backup " + result.artifactId() + " did not verify: "
                    + Json.compact(verification));
        }
        job.preRestoreBackupId(result.artifactId());
        catalog.runs().mergeRunMetadata(job.runId(), Map.of("pre_restore_backup_id", result.artifactId()));
        job.stepDetail(Map.of("pre_restore_backup_id", result.artifactId()));
    }
}
