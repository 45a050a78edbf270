package dev.odooops.model;

import dev.odooops.domain.RequestRejected;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * snapshot --env P/E --sanitize [--artifact A]: the newest live backup of the environment (or {@code artifactId}, which
 * must be the environment's) restored into a scratch database and directory, anonymised there and stored as an
 * artifact of the same environment of kind {@code sanitized_snapshot} (issue 14, section 1). {@code sanitize} must be
 * given: odoo-ops makes no unsanitised copy of production this way. Needs {@code copy} on the project.
 */
public record SnapshotRequest(String project, String environment, boolean sanitize, String artifactId, String user,
                              String trigger) implements QueuedRequest, ActionRequest {
    public static final String OPERATION = "snapshot";

    public SnapshotRequest {
        if (project != null && project.isBlank()) throw new RequestRejected("project", "is empty");
        Fields.environment(environment);
        Fields.required("user", user);
        if (!sanitize) {
            throw new RequestRejected("sanitize", "is required: a snapshot is always anonymised (--sanitize); "
                    + "a plain copy of production is a backup");
        }
        if (artifactId != null && artifactId.isBlank()) artifactId = null;
        if (artifactId != null && !artifactId.matches("[\\p{Alnum}._:-]{1,200}")) {
            throw new RequestRejected("artifact", "is not an artifact id: '" + artifactId + "'");
        }
        if (trigger == null) trigger = "cli";
    }

    @Override
    public SnapshotRequest resolved(String project, String environment) {
        return new SnapshotRequest(project, environment, sanitize, artifactId, user, trigger);
    }

    @Override
    public String operation() {
        return OPERATION;
    }

    @Override
    public String route() {
        return "direct:snapshot";
    }

    @Override
    public Map<String, Object> fields() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sanitize", sanitize);
        if (artifactId != null) m.put("artifact_id", artifactId);
        return m;
    }

    @Override
    public String action() {
        return "copy";
    }

    @Override
    public Set<String> projects() {
        return project == null ? Set.of() : Set.of(project);
    }
}
