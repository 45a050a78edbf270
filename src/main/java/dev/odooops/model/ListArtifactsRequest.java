package dev.odooops.model;

/** The artifacts of an environment, newest first; pruned ones only with {@code includePruned}. */
public record ListArtifactsRequest(String project, String environment, boolean includePruned, String user)
        implements EnvironmentRequest, AuthenticatedRequest {
    public ListArtifactsRequest {
        Fields.environment(environment);
        Fields.required("user", user);
    }

    @Override
    public ListArtifactsRequest resolved(String project, String environment) {
        return new ListArtifactsRequest(project, environment, includePruned, user);
    }
}
