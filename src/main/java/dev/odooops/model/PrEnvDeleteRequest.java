package dev.odooops.model;

import dev.odooops.domain.RequestRejected;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * pr-env delete: pull-request environment {@code pr} of {@code project} removed (database, filestore, .env file,
 * catalog rows); nothing to do when it does not exist. {@code operation} is {@value #OPERATION}, or
 * {@value #EXPIRE} when the expiry schedule removes a stale one. Needs {@code pr-env} on the project.
 */
public record PrEnvDeleteRequest(String project, int pr, String operation, String user, String trigger)
        implements QueuedRequest, ActionRequest, MakesEnvironment {
    public static final String OPERATION = "pr_env_delete";
    public static final String EXPIRE = "pr_env_expire";

    public PrEnvDeleteRequest {
        Fields.required("project", project);
        if (pr < 1 || pr > 999_999_999) throw new RequestRejected("pr", "expected a pull request number from 1 to 999999999, got " + pr);
        operation = operation == null ? OPERATION : operation;
        if (!operation.equals(OPERATION) && !operation.equals(EXPIRE)) throw new IllegalArgumentException("operation " + operation);
        trigger = trigger == null ? "cli" : trigger;
    }

    @Override
    public String environment() {
        return "pr-" + pr;
    }

    @Override
    public PrEnvDeleteRequest resolved(String project, String environment) {
        return new PrEnvDeleteRequest(project, pr, operation, user, trigger);
    }

    @Override
    public String action() {
        return "pr-env";
    }

    @Override
    public Set<String> projects() {
        return Set.of(project);
    }

    @Override
    public String route() {
        return "direct:pr-env-delete";
    }

    @Override
    public Map<String, Object> fields() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pr", pr);
        return m;
    }
}
