package dev.odooops.run;

import dev.odooops.model.RunStatus;
import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.model.RecoverJob;
import dev.odooops.ops.OpsCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code odoo-ops recover --env E}: after a crash, put the environment in order now rather than at its next
 * backup or restore. The run's start abandons the runs whose process died and sweeps what they left (work
 * directories, partial uploads, a half-done restore put back); the run then ends. Evidence goes to
 * {@code <root>/<YYYY-MM-DD>/recover/<run_id>/} (inputs.json, final_status.json). Refused, like any run,
 * while a live run holds the environment.
 */
public class RecoverEnvironment {
    private static final Logger LOG = LoggerFactory.getLogger(RecoverEnvironment.class);
    private final RunStarter starter;
    private final OpsCatalog catalog;
    private final Clock clock;

    public RecoverEnvironment(RunStarter starter, OpsCatalog catalog, Clock clock) {
        this.starter = starter;
        this.catalog = catalog;
        this.clock = clock;
    }

    public Map<String, Object> recover(EnvironmentConfig env, String user) {
        if (!catalog.userHasPermission(user, env.project(), "restore")) {
            throw new dev.odooops.model.PermissionDenied(user, "restore", env.project());
        }
        List<String> secrets = dev.odooops.config.EnvironmentSecrets.of(env);
        RecoverJob job = new RecoverJob(env, clock.instant(), new SecretRedactor(secrets));
        Path dir = starter.ops().evidenceRoot().resolve(job.createdAt().atOffset(ZoneOffset.UTC).toLocalDate().toString())
                .resolve("recover").resolve(job.runId().toString());
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("run_id", job.runId().toString());
        inputs.put("operation", "recover");
        inputs.put("environment_id", env.id());
        inputs.put("user", user);
        inputs.put("requested_at", job.createdAt().toString());
        starter.start(job, "recover", user, null, Map.of(), dir, inputs);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("run_id", job.runId().toString());
        result.put("status", "success");
        result.put("environment_id", env.id());
        result.put("recovered_runs", Map.copyOf(job.swept()));
        result.put("evidence_dir", dir.toString());
        result.put("finished_at", Instant.now().toString());
        job.evidence().json("final_status.json", result);
        catalog.event(job.runId(), "recover_completed", "recover", Map.of("recovered_runs", job.swept().keySet()));
        catalog.finishRun(job.runId(), RunStatus.SUCCESS, null, null, Map.of("recovered_runs", job.swept().size()));
        try {
            job.lease().close();
        } catch (Exception e) {
            LOG.warn("releasing the lease of run {} failed: {}", job.runId(), e.getMessage());
        }
        WorkFiles.deleteTree(job.workDir());
        LOG.info("recover run {} on {}: {} abandoned run(s) cleaned up", job.runId(), env.id(), job.swept().size());
        return result;
    }
}
