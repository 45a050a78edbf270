package dev.odooops.restore;

import dev.odooops.model.RunStatus;
import dev.odooops.run.RunEnd;
import dev.odooops.run.Vars;

import dev.odooops.model.RestoreJob;
import dev.odooops.model.RestoreResult;
import dev.odooops.ops.OpsCatalog;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The restore dead-letter target, around the rollback route: {@link #recordFailure} keeps the failure's
 * evidence (failure.json, restore_failed event); the rollback route runs; {@link #finish} writes
 * final_status.json and ends the run {@code rolled_back} (the environment is as it was) or {@code failed}.
 * Never throws.
 */
public class RestoreFailureHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RestoreFailureHandler.class);
    private final OpsCatalog catalog;

    public RestoreFailureHandler(OpsCatalog catalog) {
        this.catalog = catalog;
    }

    public void recordFailure(@Variable(Vars.RESTORE_JOB) RestoreJob job,
                              @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Throwable cause) {
        String reason = job.redactor().scrub(RunEnd.describe(cause));
        job.failed(job.step(), reason);
        LOG.error("restore run {} failed in step {}: {}", job.runId(), job.step(), reason);
        try {
            job.evidence().json("failure.json", Map.of("failed_step", job.step(), "reason", reason,
                    "at", Instant.now().toString(), "data_touched", job.touchedData()));
            catalog.runs().event(job.runId(), "restore_failed", job.step(), Map.of("reason", reason));
        } catch (RuntimeException e) {
            LOG.error("could not record the failure of run {}: {}", job.runId(), e.getMessage());
        }
    }

    public RestoreResult finish(@Variable(Vars.RESTORE_JOB) RestoreJob job) {
        boolean rolledBack = "rolled_back".equals(job.rollbackOutcome());
        RunStatus runStatus = !rolledBack ? RunStatus.FAILED
                : Boolean.FALSE.equals(job.odooHealthy()) ? RunStatus.ROLLED_BACK_ODOO_DOWN : RunStatus.ROLLED_BACK;
        String status = runStatus.wire();
        Map<String, Object> fin = new LinkedHashMap<>();
        fin.put("run_id", job.runId().toString());
        fin.put("status", status);
        fin.put("app_status", runStatus.neutral());
        fin.put("failed_step", job.failedStep());
        fin.put("reason", job.failureReason());
        fin.put("rollback", job.rollbackOutcome());
        fin.put("pre_restore_backup_id", job.preRestoreBackupId());
        fin.put("odoo_healthy", job.odooHealthy()); // the Odoo word, kept for one release
        fin.put("app_healthy", job.odooHealthy());
        if ("kept".equals(job.rollbackOutcome())) {
            fin.put("kept_for_decision", true);
            fin.put("attention", RestoreDecision.attention(job.runId()));
        } else if (Boolean.FALSE.equals(job.odooHealthy())) {
            String app = job.environment().app().key().substring(0, 1).toUpperCase() + job.environment().app().key().substring(1);
            fin.put("attention", app + " did not answer its health check after the " + (rolledBack ? "rollback" : "failure")
                    + ": the data is as this status says, but the service is down (maintenance mode left on)"
                    + (rolledBack ? "; once the cause is fixed, run odoo-ops recover --env " + job.environment().id()
                    + ": it restarts " + app + ", waits for its health and lifts maintenance" : ""));
        }
        fin.put("finished_at", Instant.now().toString());
        try {
            job.evidence().json("final_status.json", fin);
            catalog.runs().finishRun(job.runId(), runStatus, job.failedStep(), job.failureReason(),
                    java.util.Collections.singletonMap("rollback", String.valueOf(job.rollbackOutcome())));
        } catch (RuntimeException e) {
            LOG.error("could not record the end of run {}: {}", job.runId(), e.getMessage());
        }
        RunEnd.release(job);
        return new RestoreResult(job.runId().toString(), status, job.evidence().dir().toString(), job.preRestoreBackupId(),
                job.failedStep(), job.failureReason(), job.mode(), job.modeReason(), job.odooHealthy());
    }
}
