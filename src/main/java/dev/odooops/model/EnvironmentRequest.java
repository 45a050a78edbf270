package dev.odooops.model;

/**
 * A request aimed at one environment, as a trigger hands it over: {@code environment} is {@code E} or
 * {@code P/E}, {@code project} may be null when {@code E} names one environment of one project. The entry
 * route's first step (resolve-environment) replaces both by the configured names, so every later step sees
 * a known project and environment.
 */
public interface EnvironmentRequest {
    String project();

    String environment();

    /** This request aimed at the given, resolved project and environment. */
    EnvironmentRequest resolved(String project, String environment);

    /** {@code project/environment}, once resolved. */
    default String environmentId() {
        return project() + "/" + environment();
    }
}
