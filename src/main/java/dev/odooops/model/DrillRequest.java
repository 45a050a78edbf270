package dev.odooops.model;

import dev.odooops.domain.RequestRejected;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * drill --env P/E [--artifact A]: a restore drill (issue 16, section 1). The environment's newest live full backup (or
 * {@code artifactId}, which must be the environment's) restored into scratch copies of their own, validated, its RTO
 * recorded, the copies dropped; the environment itself is never touched. Needs {@code drill} on the project.
 */
public record DrillRequest(String project, String environment, String artifactId, String user, String trigger)
        implements QueuedRequest, ActionRequest {
    public static final String OPERATION = "drill";

    public DrillRequest {
        if (project != null && project.isBlank()) throw new RequestRejected("project", "is empty");
        Fields.environment(environment);
        Fields.required("user", user);
        if (artifactId != null && artifactId.isBlank()) artifactId = null;
        if (artifactId != null && !artifactId.matches("[\\p{Alnum}._:-]{1,200}")) {
            throw new RequestRejected("artifact", "is not an artifact id: '" + artifactId + "'");
        }
        if (trigger == null) trigger = "cli";
    }

    @Override
    public DrillRequest resolved(String project, String environment) {
        return new DrillRequest(project, environment, artifactId, user, trigger);
    }

    @Override
    public String operation() {
        return OPERATION;
    }

    @Override
    public String route() {
        return "direct:drill";
    }

    @Override
    public Map<String, Object> fields() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (artifactId != null) m.put("artifact_id", artifactId);
        return m;
    }

    @Override
    public String action() {
        return "drill";
    }

    @Override
    public Set<String> projects() {
        return project == null ? Set.of() : Set.of(project);
    }
}
