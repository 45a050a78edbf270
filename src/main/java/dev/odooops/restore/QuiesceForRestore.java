package dev.odooops.restore;

import dev.odooops.odoo.OdooLifecycle;
import dev.odooops.postgres.PgAdmin;
import dev.odooops.run.Vars;

import dev.odooops.config.Settings;
import dev.odooops.model.RestoreJob;
import dev.odooops.ops.OpsCatalog;
import org.apache.camel.Variable;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Restore step 4: maintenance mode, stop Odoo, then wait (bounded by restore.connections-close-seconds) for
 * the sessions on the database to close. Failures are recorded in quiesce_status.json and the restore goes
 * on: the database swap ends any session that is left.
 */
public class QuiesceForRestore {
    private final OdooLifecycle odoo;
    private final OpsCatalog catalog;
    private final int closeSeconds;

    public QuiesceForRestore(OdooLifecycle odoo, OpsCatalog catalog, Settings.Restore settings) {
        this.odoo = odoo;
        this.catalog = catalog;
        this.closeSeconds = settings.connectionsCloseSeconds();
    }

    public void quiesce(@Variable(Vars.RESTORE_JOB) RestoreJob job) throws Exception {
        job.downtime().begin(); // the environment's downtime: from here to maintenance lifted (finalize-restore)
        Map<String, Object> maintenance = odoo.maintenanceOn(job.environment(), job.redactor());
        Map<String, Object> stop = odoo.stop(job.environment(), job.redactor());
        job.odooStopped(true); // from here on, the run ends by starting Odoo and leaving maintenance mode
        Map<String, Object> sessions = new LinkedHashMap<>();
        String db = job.environment().database().name();
        int left = -1;
        try (PgAdmin admin = new PgAdmin(job.environment().database())) {
            Instant deadline = Instant.now().plusSeconds(closeSeconds);
            if (admin.exists(db)) {
                while ((left = admin.sessions(db)) > 0 && Instant.now().isBefore(deadline)) {
                    Thread.sleep(250); // polling pg_stat_activity within a bounded wait
                }
            } else {
                left = 0;
            }
        } catch (Exception e) {
            sessions.put("error", job.redactor().scrub(e.getMessage()));
        }
        sessions.put("database", db);
        sessions.put("sessions_left", left);
        sessions.put("waited_at_most_seconds", closeSeconds);
        boolean ok = Boolean.TRUE.equals(maintenance.get("ok")) && Boolean.TRUE.equals(stop.get("ok")) && left == 0;
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("actions", List.of(maintenance, stop));
        status.put("connections", sessions);
        status.put("quiesced", ok);
        status.put("note", ok ? "quiet" : "continuing: the database swap ends any session left");
        job.evidence().json("quiesce_status.json", status);
        job.stepDetail(Map.of("quiesced", ok, "sessions_left", left));
        job.downtime().lap("quiesce_ms");
    }
}
