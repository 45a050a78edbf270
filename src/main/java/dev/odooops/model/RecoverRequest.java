package dev.odooops.model;

/** Clean up now after the runs on an environment whose process died (what the next run would do first). */
public record RecoverRequest(String project, String environment, String user, String trigger) implements EnvironmentRequest, AuthenticatedRequest {
    public RecoverRequest {
        Fields.environment(environment);
        Fields.required("user", user);
        if (trigger == null) trigger = "cli";
    }

    @Override
    public RecoverRequest resolved(String project, String environment) {
        return new RecoverRequest(project, environment, user, trigger);
    }
}
