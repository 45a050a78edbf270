package dev.odooops.service;

import dev.odooops.config.PrEnvironmentsSettings;
import dev.odooops.domain.RequestRejected;
import dev.odooops.model.PrEnvDeleteRequest;
import dev.odooops.staging.PrEnvironmentOperations;
import org.apache.camel.CamelContext;
import org.apache.camel.Header;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The expiry schedule of the pull-request environments (serve only, routes/service/staging-pr-env-expiry.camel.yaml):
 * one Quartz trigger per project with {@code pr_environments} ({@code expire_cron}, UTC); a firing queues a
 * {@code pr_env_expire} run (a delete) for each PR environment older than the project's {@code max_age}, as the
 * project's {@code expire_user} (default {@code scheduler}, who needs {@code pr-env} on the project). A PR environment
 * with a run at work is refused by its lease and tried again at the next firing.
 */
public final class PrEnvironmentExpiry {
    private static final Logger LOG = LoggerFactory.getLogger(PrEnvironmentExpiry.class);
    private final PrEnvironmentsSettings settings;
    private final PrEnvironmentOperations operations;
    private final RunQueue queue;

    public PrEnvironmentExpiry(PrEnvironmentsSettings settings, PrEnvironmentOperations operations, RunQueue queue) {
        this.settings = settings;
        this.operations = operations;
        this.queue = queue;
    }

    /** One trigger route {@code pr-env-expiry-<project>} per project, from the template; called once the routes are loaded. */
    public void addTriggers(CamelContext context) throws Exception {
        for (PrEnvironmentsSettings.Template t : settings.templates().values()) {
            TemplatedRouteBuilder.builder(context, "pr-env-expiry-trigger").routeId("pr-env-expiry-" + t.project())
                    .parameter("project", t.project()).parameter("cron", t.expireCron()).add();
        }
    }

    /** A firing: a pr_env_expire run queued for each stale PR environment of the project. Returns what it queued. */
    public Map<String, Object> fired(@Header("odooOpsProject") String project) {
        PrEnvironmentsSettings.Template t = settings.template(project).orElse(null);
        Map<String, Object> out = new LinkedHashMap<>();
        if (t == null) return out;
        List<String> queued = new ArrayList<>();
        Map<String, String> refused = new LinkedHashMap<>();
        for (int pr : operations.stale(project)) {
            PrEnvDeleteRequest r = new PrEnvDeleteRequest(project, pr, PrEnvDeleteRequest.EXPIRE, t.expireUser(), "schedule");
            try {
                RunQueue.Accepted a = queue.submit(new Submission(PrEnvDeleteRequest.EXPIRE, r, null));
                queued.add(a.runId().toString());
            } catch (RequestRejected e) {
                refused.put(PrEnvironmentsSettings.name(pr), e.getMessage());
                LOG.warn("expiry of {}/pr-{} not queued: {}", project, pr, e.getMessage());
            }
        }
        out.put("project", project);
        out.put("queued", queued);
        out.put("refused", refused);
        if (!queued.isEmpty()) LOG.info("pr-env expiry of {}: {} run(s) queued", project, queued.size());
        return out;
    }
}
