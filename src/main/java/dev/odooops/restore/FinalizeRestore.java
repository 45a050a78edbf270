package dev.odooops.restore;

import dev.odooops.model.RunStatus;
import dev.odooops.odoo.OdooLifecycle;
import dev.odooops.postgres.PgAdmin;
import dev.odooops.exec.CrashPoints;
import dev.odooops.run.RunEnd;
import dev.odooops.run.Vars;

import dev.odooops.model.RestoreJob;
import dev.odooops.model.RestoreResult;
import dev.odooops.ops.OpsCatalog;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Restore step 10 (success): fingerprint what the run leaves, write final_status.json, check that every
 * evidence file is there (missing evidence fails the run, which is then rolled back), then commit: the run is
 * recorded successful. Only after the commit are the copies kept aside removed and maintenance lifted
 * (never before the validations passed); nothing after the commit fails the run. Then release the lease and
 * the work directory.
 */
public class FinalizeRestore {
    private static final Logger LOG = LoggerFactory.getLogger(FinalizeRestore.class);
    private final OpsCatalog catalog;
    private final OdooLifecycle odoo;

    public FinalizeRestore(OpsCatalog catalog, OdooLifecycle odoo) {
        this.catalog = catalog;
        this.odoo = odoo;
    }

    /**
     * Which path loaded the new copies: {@code standby} true when the warm standby's database or filestore was renamed
     * in (then {@code database}/{@code filestore} say which), false with the reason when the artifact was loaded.
     */
    static Map<String, Object> standbyPath(RestoreJob job) {
        Map<String, Object> d = job.standby();
        Map<String, Object> out = new LinkedHashMap<>();
        boolean db = job.standbyFor("database");
        boolean fs = job.standbyFor("filestore");
        out.put("standby", db || fs);
        out.put("database", db);
        out.put("filestore", fs);
        out.put("reason", d.containsKey("database_refused") || d.containsKey("filestore_refused")
                ? String.join("; ", java.util.stream.Stream.of(d.get("database_refused"), d.get("filestore_refused"))
                        .filter(java.util.Objects::nonNull).map(String::valueOf).toList())
                : d.get("reason"));
        return out;
    }

    public static List<String> requiredEvidence(RestoreJob job) {
        List<String> names = new ArrayList<>(List.of("inputs.json", "run_id.txt"));
        if (!job.validationOnly()) {
            names.addAll(List.of("artifact_verification.json", "pre_restore_backup.json", "quiesce_status.json"));
            if (job.request().type().includesDatabase()) {
                names.addAll(List.of("db_restore.log", "db_restore_duration.json", "db_restore_checksum_verification.json"));
            }
            if (job.request().type().includesFilestore()) {
                names.addAll(List.of("filestore_restore.log", "filestore_restore_duration.json",
                        "filestore_restore_checksum_verification.json"));
            }
            names.addAll(List.of("config_snapshot.json", "config_comparison.json", "odoo_restart.log", "restart_duration.json"));
        }
        names.addAll(List.of("validation_report.json", "final_status.json"));
        return names;
    }

    /**
     * Step fingerprint-new-copies, before quiesce: what this run will leave, taken on the new database and filestore
     * beside the live ones (a full read of both), so that finalize-restore does not read them during the downtime.
     */
    public void fingerprintNewCopies(@Variable(Vars.RESTORE_JOB) RestoreJob job) throws Exception {
        var type = job.request().type();
        var db = job.environment().database();
        String tag = job.sideTag();
        var fresh = db.named(SideCopies.database(db.name(), SideCopies.Role.RESTORE, tag));
        java.nio.file.Path dir = SideCopies.filestore(job.environment().filestore().toAbsolutePath(), SideCopies.Role.RESTORE, tag);
        long t0 = System.nanoTime();
        // the parts renamed in from the warm standby were fingerprinted when the drill kept them, and proved untouched
        // since (StandbyFingerprint): their fingerprint is the recorded one, not read again beside the safety backup
        Map<String, Object> kept = StandbyCopies.restoreFingerprint(job);
        Map<String, Object> f = new LinkedHashMap<>();
        List<String> fromStandby = new ArrayList<>();
        boolean filestoreBeforehand = false;
        boolean databaseBeforehand = false;
        for (String part : List.of("database", "filestore")) {
            if (part.equals("database") ? !type.includesDatabase() : !type.includesFilestore()) continue;
            if (kept.get(part) != null) {
                f.put(part, kept.get(part));
                fromStandby.add(part);
            } else if (part.equals("database") && job.newDatabaseFingerprint() != null) {
                f.put("database", job.newDatabaseFingerprint()); // check-row-counts's scan, nothing written since
                databaseBeforehand = true;
            } else if (part.equals("filestore") && job.newFilestoreFingerprint() != null) {
                f.putAll(job.newFilestoreFingerprint()); // taken by prepare-filestore beside pg_restore
                filestoreBeforehand = true;
            } else {
                f.putAll(EnvironmentFingerprint.of(fresh, dir, part.equals("database") ? dev.odooops.model.BackupType.DB_ONLY
                        : dev.odooops.model.BackupType.FILESTORE_ONLY));
            }
        }
        // the server's count of the rows written, read last (after every session of the load ended): the next
        // restore of the artifact that finds it moved restores without reading the tables
        if (type.includesDatabase()) f.put(EnvironmentFingerprint.WRITES, EnvironmentFingerprint.writes(fresh));
        job.fingerprint(f);
        job.stepDetail(Map.of("fingerprint_ms", (System.nanoTime() - t0) / 1_000_000, "recorded_by_the_standby", fromStandby,
                "filestore_taken_by_prepare_filestore", filestoreBeforehand, "database_taken_by_check_row_counts", databaseBeforehand));
    }

    public RestoreResult finish(@Variable(Vars.RESTORE_JOB) RestoreJob job) throws Exception {
        // what this run leaves, for the next restore of the same artifact to compare with
        Map<String, Object> fingerprint = job.fingerprint() != null ? job.fingerprint()
                : EnvironmentFingerprint.of(job.environment(), job.request().type());
        job.fingerprint(fingerprint);
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("run_id", job.runId().toString());
        status.put("status", "success");
        status.put("artifact_id", job.artifact().id());
        status.put("restore_type", job.request().type().wire());
        status.put("mode", job.mode());
        status.put("mode_reason", job.modeReason());
        status.put("validation_only", job.validationOnly());
        if (job.standby() != null) status.put("standby", standbyPath(job)); // which path loaded the new copies (drill.WarmStandby)
        status.put("pre_restore_backup_id", job.preRestoreBackupId());
        status.put("fingerprint", fingerprint);
        status.put("warnings", job.warnings());
        status.put("started_at", job.createdAt().toString());
        status.put("finished_at", Instant.now().toString());
        status.put("duration_ms", Duration.between(job.createdAt(), Instant.now()).toMillis());
        job.evidence().json("final_status.json", status);
        List<String> bad = job.evidence().missingOrMalformed(requiredEvidence(job));
        if (!bad.isEmpty()) throw new IllegalStateException("evidence incomplete: " + String.join(", ", bad));

        CrashPoints.reached("finalize-restore:before-commit");
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("fingerprint", fingerprint);
        metadata.put("mode", job.mode());
        if (job.standby() != null) metadata.put("standby", standbyPath(job));
        metadata.put("warnings", job.warnings().size());
        if (job.restartedAt() != null) metadata.put("odoo_restarted_at", job.restartedAt().toString());
        metadata.put("after_commit_pending", !job.validationOnly()); // maintenance still to lift: done by the next run if we die
        catalog.runs().finishRun(job.runId(), RunStatus.SUCCESS, null, null, metadata);
        // committed: from here on nothing may fail the run or put anything back; the copies kept aside are
        // garbage now (renamed to trash first, so a crash never leaves a half-deleted copy under a name that
        // could be put back; the next run's start finishes the deletion)
        List<Object> done = new ArrayList<>();
        List<String> leftovers = new ArrayList<>();
        try {
            CrashPoints.reached("finalize-restore:committed");
            // maintenance is lifted first: the copies kept aside are garbage now, removing them needs no downtime
            if (!job.validationOnly()) {
                Map<String, Object> off = odoo.maintenanceOff(job.environment(), job.redactor());
                done.add(off);
                if (Boolean.TRUE.equals(off.get("ok"))) job.downtime().end("finalize_ms");
                else leftovers.add("maintenance mode could not be lifted: " + off.get("detail"));
            }
            removeKeptAside(job, done, leftovers);
            // a maintenance page that could not be lifted stays pending: the next run's start retries it
            Map<String, Object> after = new LinkedHashMap<>();
            if (leftovers.stream().noneMatch(w -> w.startsWith("maintenance"))) after.put("after_commit_pending", false);
            if (job.downtime().millis() != null) {
                // the environment's downtime (quiesce to maintenance lifted): odoo_ops_restore_downtime_seconds reads it
                after.put("downtime_ms", job.downtime().millis());
                after.put("downtime_parts", job.downtime().parts());
                status.put("downtime_ms", job.downtime().millis());
                status.put("downtime", job.downtime().parts());
                job.evidence().json("downtime.json", downtimeEvidence(job));
            }
            if (!after.isEmpty()) catalog.runs().mergeRunMetadata(job.runId(), after);
            status.put("after_commit", Map.of("actions", done.stream().map(String::valueOf).toList(), "warnings", leftovers));
            job.evidence().json("final_status.json", status);
            catalog.runs().event(job.runId(), "restore_completed", job.step(), Map.of("artifact_id", job.artifact().id(),
                    "mode", job.mode(), "after_commit", done.stream().map(String::valueOf).toList(), "warnings", leftovers));
        } catch (RuntimeException e) {
            LOG.error("restore run {} committed, but its clean-up failed: {}", job.runId(), job.redactor().scrub(e.getMessage()));
        }
        RunEnd.release(job);
        LOG.info("restore run {} succeeded: {} restored into {} ({}){}{}", job.runId(), job.artifact().id(), job.environment().id(),
                job.mode(), job.warnings().isEmpty() ? "" : ", warnings: " + job.warnings(),
                leftovers.isEmpty() ? "" : ", after the commit: " + leftovers);
        return new RestoreResult(job.runId().toString(), "success", job.evidence().dir().toString(), job.preRestoreBackupId(),
                null, null, job.mode(), job.modeReason(), true, job.warnings(), job.downtime().millis(), job.downtime().parts());
    }

    /** downtime.json: the environment's downtime, its parts, and what ran before quiesce while it still served. */
    static Map<String, Object> downtimeEvidence(RestoreJob job) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("downtime_ms", job.downtime().millis());
        m.put("from", "quiesce (maintenance on, the application stopped)");
        m.put("to", "maintenance lifted, after the validations and the commit");
        m.put("parts", job.downtime().parts());
        m.put("run_duration_ms", Duration.between(job.createdAt(), Instant.now()).toMillis());
        m.put("before_quiesce", List.of("pre-restore-backup (in the background)", "prepare-filestore (in the background)",
                "create-restore-database", "restore-database", "check-row-counts", "neutralize", "verify-neutralization",
                "await-new-filestore", "await-pre-restore-backup", "verify-pre-restore-backup"));
        return m;
    }

    private static void removeKeptAside(RestoreJob job, List<Object> done, List<String> leftovers) {
        String tag = job.sideTag();
        String live = job.environment().database().name();
        if (job.asideDatabase() != null) {
            try (PgAdmin admin = new PgAdmin(job.environment().database())) {
                SideCopies.dropDatabase(admin, live, job.asideDatabase(), tag, done, leftovers);
            } catch (Exception e) {
                leftovers.add("database " + job.asideDatabase() + ": " + job.redactor().scrub(e.getMessage()));
            }
            CrashPoints.reached("finalize-restore:database-aside-dropped");
        }
        if (job.asideFilestore() != null) {
            SideCopies.removeDirectory(job.asideFilestore(), tag, done, leftovers);
        }
    }
}
