package dev.odooops.model;

import dev.odooops.domain.RequestRejected;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * copy: a neutralised copy of environment {@code from} ({@code E} or {@code P/E}) into {@code environment} (the
 * target, the "to" of the command line; the run's and the queue's environment), from the source's newest full backup,
 * the given {@code artifactId} of the source, or its sanitised snapshot {@code snapshotId} (at most one of the two).
 * Needs {@code copy} on both projects ({@code from} without a project: the target's).
 */
public record CopyRequest(String project, String environment, String from, String artifactId, String snapshotId,
                          String user, String trigger)
        implements QueuedRequest, ActionRequest {
    public static final String OPERATION = "copy";

    public CopyRequest {
        Fields.required("to", environment);
        Fields.required("from", from);
        Fields.required("user", user);
        if (artifactId != null && snapshotId != null) {
            throw new RequestRejected("snapshot", "give --artifact or --snapshot, not both");
        }
        if (trigger == null) trigger = "cli";
    }

    @Override
    public CopyRequest resolved(String project, String environment) {
        return new CopyRequest(project, environment, from, artifactId, snapshotId, user, trigger);
    }

    @Override
    public String operation() {
        return OPERATION;
    }

    @Override
    public String route() {
        return "direct:copy";
    }

    @Override
    public Map<String, Object> fields() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from", from);
        if (artifactId != null) m.put("artifact_id", artifactId);
        if (snapshotId != null) m.put("snapshot_id", snapshotId);
        return m;
    }

    @Override
    public String action() {
        return "copy";
    }

    /** The target's project and the source's (E alone: the target's project, as the planner reads it). */
    @Override
    public Set<String> projects() {
        String source = from.contains("/") ? from.substring(0, from.indexOf('/')) : project;
        return source == null || source.equals(project) ? Set.of(project) : Set.of(project, source);
    }
}
