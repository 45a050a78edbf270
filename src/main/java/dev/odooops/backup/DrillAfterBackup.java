package dev.odooops.backup;

import dev.odooops.config.DrillSettings;
import dev.odooops.config.Settings;
import dev.odooops.domain.Json;
import dev.odooops.domain.RequestRejected;
import dev.odooops.model.ArtifactKind;
import dev.odooops.model.BackupJob;
import dev.odooops.model.BackupType;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.ops.OpsDatabase;
import dev.odooops.ops.RunLease;
import dev.odooops.run.Vars;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * "Drill every new full backup" (issue 16, {@code drills.after_backup}): after the commit of a new full backup of an
 * environment that asks for it, a drill of that artifact is recorded in the catalog's queue of accepted work, a
 * {@code queued} run carrying the request {@code {"operation": "drill", "project", "environment", "artifact_id",
 * "request_id"}} (created by the backup's user, channel {@code after-backup}), exactly as a service channel records
 * one, its lease released at once. This process never runs it: a {@code serve} instance that runs drills picks it up
 * ({@code RunQueue.pickUpPending}), so the backup ends as soon as it is committed and a drill host does the work.
 * The request id {@code drill-after-<artifact>} makes it once per artifact. Never fails the backup: what prevents
 * the drill (a drill of the environment already queued or running) is a warning of the result.
 */
public class DrillAfterBackup {
    private static final Logger LOG = LoggerFactory.getLogger(DrillAfterBackup.class);
    public static final String CHANNEL = "after-backup";
    private final OpsDatabase db;
    private final OpsCatalog catalog;
    private final DrillSettings drills;
    private final Settings.Ops ops;

    public DrillAfterBackup(OpsDatabase db, OpsCatalog catalog, DrillSettings drills, Settings.Ops ops) {
        this.db = db;
        this.catalog = catalog;
        this.drills = drills;
        this.ops = ops;
    }

    /** The request of the drill of {@code artifactId}, as a pick-up reads it back (RequestForms' drill line). */
    public static Map<String, Object> request(String project, String environment, String artifactId) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("operation", "drill");
        m.put("project", project);
        m.put("environment", environment);
        m.put("artifact_id", artifactId);
        m.put("request_id", requestId(artifactId));
        return m;
    }

    static String requestId(String artifactId) {
        return "drill-after-" + artifactId;
    }

    /** After the commit (and retention): queues the drill when the environment drills every new full backup. */
    public void queue(@Variable(Vars.BACKUP_JOB) BackupJob job) {
        if (!job.committed() || job.skippedUnchanged() || job.request().kind() != ArtifactKind.BACKUP
                || job.request().type() != BackupType.FULL || job.artifactId() == null) {
            return;
        }
        if (!drills.forEnvironment(job.environment()).afterBackup()) return;
        String user = job.request().user() == null ? "scheduler" : job.request().user();
        UUID drillRun = UUID.randomUUID();
        Map<String, Object> request = request(job.environment().project(), job.environment().name(), job.artifactId());
        try {
            RunLease lease = RunLease.begin(db, drillRun, job.environment().project(), job.environment().id(), "drill", user,
                    Json.compact(Map.of("trigger", CHANNEL, "backup_run_id", job.runId().toString())), ops.staleAfterSeconds(),
                    ops.heartbeatSeconds(), new RunLease.Request(Json.compact(request), requestId(job.artifactId()), CHANNEL));
            lease.close(); // queued with its request, no process holds it: a serve instance that runs drills picks it up
            catalog.runs().event(drillRun, "request_accepted", null, Map.of("channel", CHANNEL,
                    "request_id", requestId(job.artifactId()), "backup_run_id", job.runId().toString()));
            catalog.runs().event(job.runId(), "drill_queued", "queue-drill", Map.of("drill_run_id", drillRun.toString(),
                    "artifact_id", job.artifactId()));
            LOG.info("backup run {}: drill run {} of artifact {} queued (drills.after_backup; a serve instance that runs drills "
                    + "picks it up)", job.runId(), drillRun, job.artifactId());
        } catch (RunLease.DuplicateRequest d) {
            LOG.info("backup run {}: the drill of {} was queued already", job.runId(), job.artifactId());
        } catch (RequestRejected r) {
            job.warn("drill after backup: not queued: " + job.redactor().scrub(r.getMessage()));
        } catch (RuntimeException e) {
            String reason = job.redactor().scrub(String.valueOf(e.getMessage()));
            job.warn("drill after backup: not queued: " + reason);
            LOG.warn("backup run {}: could not queue the drill of {}: {}", job.runId(), job.artifactId(), reason);
        }
    }
}
