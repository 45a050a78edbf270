package dev.odooops.model;

/**
 * The seven post-restore validations, now. {@code artifactId} (optional) is the artifact whose modules are the
 * reference (default: the last one restored here); {@code since} (optional) an ISO time with offset or an age
 * like {@code 2h}: only Odoo log lines from then on are judged (default: the last restart known).
 */
public record ValidateEnvRequest(String project, String environment, String artifactId, String since, String user)
        implements EnvironmentRequest, AuthenticatedRequest {
    public ValidateEnvRequest {
        Fields.environment(environment);
        Fields.required("user", user);
    }

    @Override
    public ValidateEnvRequest resolved(String project, String environment) {
        return new ValidateEnvRequest(project, environment, artifactId, since, user);
    }
}
