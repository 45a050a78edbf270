package dev.odooops.restore;

import dev.odooops.domain.Json;
import dev.odooops.odoo.OdooLifecycle;
import dev.odooops.postgres.EnvironmentDatabase;
import dev.odooops.run.Vars;

import dev.odooops.model.RestoreJob;
import dev.odooops.ops.OpsCatalog;
import org.apache.camel.Variable;

import java.nio.file.Files;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Restore step 8: start Odoo, wait for its health URL (odoo.timeout_seconds, default 120 s), check the
 * database connection. Maintenance mode stays on: it is lifted by finalize-restore once the validations have
 * passed and the run is committed, so no user writes into data that may still be rolled back. A start that fails, a health URL that stays unhealthy or a
 * database that cannot be reached fails the step (and the run is rolled back). The Odoo log's size before
 * the start is kept, so validation reads only what was logged since.
 */
public class RestartOdoo {
    private final OdooLifecycle odoo;
    private final OpsCatalog catalog;

    public RestartOdoo(OdooLifecycle odoo, OpsCatalog catalog) {
        this.odoo = odoo;
        this.catalog = catalog;
    }

    public void restart(@Variable(Vars.RESTORE_JOB) RestoreJob job) throws Exception {
        var log = job.environment().control().logFile();
        job.odooLogOffset(log != null && Files.exists(log) ? Files.size(log) : 0);
        job.restartedAt(Instant.now());
        long t0 = System.nanoTime();
        List<Map<String, Object>> actions = new ArrayList<>();
        String problem = null;
        List<Map<String, Object>> startAndHealth = odoo.startAndWaitHealthy(job.environment(), job.redactor());
        actions.addAll(startAndHealth);
        if (!Boolean.TRUE.equals(startAndHealth.get(0).get("ok"))) problem = "start failed: " + startAndHealth.get(0).get("detail");
        else if (!Boolean.TRUE.equals(startAndHealth.get(1).get("ok"))) problem = "health check failed: " + startAndHealth.get(1).get("detail");
        if (problem == null) {
            Map<String, Object> db = new LinkedHashMap<>();
            db.put("action", "database_connection");
            try (Connection c = EnvironmentDatabase.connect(job.environment().database())) {
                db.put("ok", c.isValid(10));
            } catch (Exception e) {
                db.put("ok", false);
                db.put("detail", job.redactor().scrub(e.getMessage()));
            }
            actions.add(db);
            if (!Boolean.TRUE.equals(db.get("ok"))) problem = "database connection failed: " + db.get("detail");
        }
        if (problem == null) {
            job.odooStopped(false);
            // maintenance stays on until the validations passed and the run committed (finalize-restore)
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        StringBuilder text = new StringBuilder();
        for (Map<String, Object> a : actions) text.append(Json.compact(a)).append('\n'); // JSON Lines: one action each
        job.evidence().text("odoo_restart.log", text.toString());
        job.evidence().json("restart_duration.json", Map.of("duration_ms", ms, "healthy", problem == null,
                "actions", actions));
        if (problem != null) throw new IllegalStateException(problem);
        job.stepDetail(Map.of("duration_ms", ms));
        job.downtime().lap("restart_ms");
    }
}
