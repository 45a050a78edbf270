package dev.odooops.model;

import dev.odooops.domain.RequestRejected;

/** The runs of an environment, newest first, at most {@code limit} (1 to 1000; null: 50). */
public record ListRunsRequest(String project, String environment, Integer limit, String user)
        implements EnvironmentRequest, AuthenticatedRequest {
    public static final int DEFAULT_LIMIT = 50;

    public ListRunsRequest {
        Fields.environment(environment);
        Fields.required("user", user);
        if (limit == null) limit = DEFAULT_LIMIT;
        if (limit < 1 || limit > 1000) throw new RequestRejected("limit", "must be a whole number from 1 to 1000, got " + limit);
    }

    @Override
    public ListRunsRequest resolved(String project, String environment) {
        return new ListRunsRequest(project, environment, limit, user);
    }
}
