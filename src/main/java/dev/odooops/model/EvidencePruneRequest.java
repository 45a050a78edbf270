package dev.odooops.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * evidence prune: one environment's evidence retention run (operation {@value #OPERATION}): evidence older than
 * {@code evidence.compress-after-days} compressed, uploaded, verified and removed locally, evidence older than
 * {@code evidence.delete-after-days} deleted, the evidence of live artifacts kept (staging.EvidenceRetention).
 * {@code dryRun}: the plan only, nothing changed. Needs {@code evidence} on the project. Queueable by every service
 * channel ({@code {"operation": "evidence_retention", "environment": ..., "dry_run": false}}) and by the schedule.
 */
public record EvidencePruneRequest(String project, String environment, boolean dryRun, String user, String trigger)
        implements QueuedRequest, ActionRequest {
    public static final String OPERATION = "evidence_retention";
    public static final String ROUTE = "direct:evidence-prune";

    public EvidencePruneRequest {
        Fields.environment(environment);
        Fields.required("user", user);
        if (trigger == null) trigger = "cli";
    }

    @Override
    public EvidencePruneRequest resolved(String project, String environment) {
        return new EvidencePruneRequest(project, environment, dryRun, user, trigger);
    }

    @Override
    public String operation() {
        return OPERATION;
    }

    @Override
    public String route() {
        return ROUTE;
    }

    @Override
    public Map<String, Object> fields() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dry_run", dryRun);
        return m;
    }

    @Override
    public String action() {
        return "evidence";
    }

    @Override
    public Set<String> projects() {
        return Set.of(project);
    }
}
