package dev.odooops.model;

import java.util.Set;

/**
 * check-neutralization: whether environment {@code environment} ({@code E} or {@code P/E}) is neutralised, compared
 * with its project's production environment (issue 14, section 3). A read of the environment under the
 * {@code restore} action; not a run.
 */
public record CheckNeutralizationRequest(String project, String environment, String user)
        implements EnvironmentRequest, ActionRequest {
    public CheckNeutralizationRequest {
        Fields.environment(environment);
        Fields.required("user", user);
    }

    @Override
    public CheckNeutralizationRequest resolved(String project, String environment) {
        return new CheckNeutralizationRequest(project, environment, user);
    }

    @Override
    public String action() {
        return "restore";
    }

    @Override
    public Set<String> projects() {
        return Set.of(project);
    }
}
