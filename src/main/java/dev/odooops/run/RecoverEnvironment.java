package dev.odooops.run;

import dev.odooops.model.RunStatus;
import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.model.RecoverJob;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.exec.WorkFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code odoo-ops recover --env E}: after a crash, put the environment in order now rather than at its next
 * backup or restore. The run's start abandons the runs whose process died and sweeps what they left (work
 * directories, partial uploads, a half-done restore put back). When the environment's last restore ended
 * {@code rolled_back_odoo_down} (the data put back, Odoo not answering, maintenance left on), recover then brings
 * Odoo back: stop (it did not answer), start, wait for health, and once healthy lift maintenance; it says which ({@code odoo}), and an Odoo
 * still down is its result's {@code attention}. The run then ends. Evidence goes to
 * {@code <root>/<YYYY-MM-DD>/recover/<run_id>/} (inputs.json, final_status.json). Refused, like any run,
 * while a live run holds the environment.
 */
public class RecoverEnvironment {
    private static final Logger LOG = LoggerFactory.getLogger(RecoverEnvironment.class);
    private final RunStarter starter;
    private final OpsCatalog catalog;
    private final Clock clock;
    private final dev.odooops.odoo.OdooLifecycle odoo;

    public RecoverEnvironment(RunStarter starter, OpsCatalog catalog, Clock clock, dev.odooops.odoo.OdooLifecycle odoo) {
        this.odoo = odoo;
        this.starter = starter;
        this.catalog = catalog;
        this.clock = clock;
    }

    public Map<String, Object> recover(EnvironmentConfig env, String user) {
        List<String> secrets = dev.odooops.config.EnvironmentSecrets.of(env);
        RecoverJob job = new RecoverJob(env, clock.instant(), new SecretRedactor(secrets));
        Path dir = starter.evidenceDir(job, "recover");
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("run_id", job.runId().toString());
        inputs.put("operation", "recover");
        inputs.put("environment_id", env.id());
        inputs.put("user", user);
        inputs.put("requested_at", job.createdAt().toString());
        starter.start(job, "recover", user, null, Map.of(), dir, inputs);
        Map<String, Object> odooBack = bringOdooBack(job);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("run_id", job.runId().toString());
        result.put("status", "success");
        result.put("environment_id", env.id());
        result.put("recovered_runs", Map.copyOf(job.swept()));
        if (odooBack != null) {
            result.put("odoo", odooBack);
            result.put("odoo_healthy", odooBack.get("healthy"));
            if (!Boolean.TRUE.equals(odooBack.get("healthy"))) {
                result.put("attention", "Odoo still does not answer its health check (maintenance left on): see odoo.actions, "
                        + "repair the service, then run odoo-ops recover --env " + env.id() + " again");
            }
        }
        result.put("evidence_dir", dir.toString());
        result.put("finished_at", Instant.now().toString());
        job.evidence().json("final_status.json", result);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("recovered_runs", job.swept().keySet());
        if (odooBack != null) event.put("odoo_healthy", odooBack.get("healthy"));
        catalog.runs().event(job.runId(), "recover_completed", "recover", event);
        catalog.runs().finishRun(job.runId(), RunStatus.SUCCESS, null, null, Map.of("recovered_runs", job.swept().size()));
        try {
            job.lease().close();
        } catch (Exception e) {
            LOG.warn("releasing the lease of run {} failed: {}", job.runId(), e.getMessage());
        }
        WorkFiles.deleteTree(job.workDir());
        LOG.info("recover run {} on {}: {} abandoned run(s) cleaned up", job.runId(), env.id(), job.swept().size());
        return result;
    }

    /**
     * After a restore that ended {@code rolled_back_odoo_down}: stop and start Odoo, wait for health, lift maintenance once
     * healthy, and record on that restore that this run brought it back. Null when no restore left Odoo down.
     */
    private Map<String, Object> bringOdooBack(RecoverJob job) {
        java.util.UUID restore = catalog.runs().restoreLeftOdooDown(job.environment().id()).orElse(null);
        if (restore == null) return null;
        // it was started and did not answer: a start of a running service does nothing, so stop it first (it is
        // out of service behind the maintenance page anyway)
        Map<String, Object> stop = odoo.stop(job.environment(), job.redactor());
        Map<String, Object> back = new LinkedHashMap<>(odoo.bringBack(job.environment(), job.redactor()));
        back.put("after_restore", restore.toString());
        List<String> actions = new java.util.ArrayList<>(List.of(String.valueOf(stop)));
        ((List<?>) back.get("actions")).forEach(a -> actions.add(String.valueOf(a)));
        back.put("actions", actions);
        boolean healthy = Boolean.TRUE.equals(back.get("healthy"));
        if (healthy) catalog.runs().mergeRunMetadata(restore, Map.of("odoo_back_by", job.runId().toString()));
        LOG.info("recover run {}: Odoo of {} after restore {} {}", job.runId(), job.environment().id(), restore,
                healthy ? "started, healthy, maintenance lifted" : "still not healthy, maintenance left on");
        return back;
    }
}
