package dev.odooops.model;

import dev.odooops.domain.RequestRejected;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * pr-env create: pull-request environment {@code pr} of {@code project} ({@code P/pr-<N>}), made {@code from} the
 * newest sanitised snapshot of the project's production (snapshot, the default), staging, or an empty database.
 * Needs {@code pr-env} on the project. Queued (operation {@value #OPERATION}) on the PR environment's own id.
 */
public record PrEnvCreateRequest(String project, int pr, String from, String user, String trigger)
        implements QueuedRequest, ActionRequest, MakesEnvironment {
    public static final String OPERATION = "pr_env_create";
    public static final Set<String> SOURCES = Set.of("snapshot", "staging", "empty");

    public PrEnvCreateRequest {
        Fields.required("project", project);
        if (pr < 1 || pr > 999_999_999) throw new RequestRejected("pr", "expected a pull request number from 1 to 999999999, got " + pr);
        from = from == null ? "snapshot" : from;
        if (!SOURCES.contains(from)) throw new RequestRejected("from", "expected snapshot|staging|empty, got '" + from + "'");
        trigger = trigger == null ? "cli" : trigger;
    }

    /**
     * The PR number of a queued request: its {@code pr} field (a number, or {@code "12"}), or its {@code environment}
     * {@code pr-<N>}; both given must agree. Refused naming the field otherwise.
     */
    public static int number(Object value, String environment) {
        Integer fromEnv = null;
        if (environment != null) {
            String name = environment.substring(environment.indexOf('/') + 1);
            if (!name.matches("pr-[1-9][0-9]{0,8}")) {
                throw new RequestRejected("environment", "expected pr-<N> (a pull-request environment), got '" + environment + "'");
            }
            fromEnv = Integer.parseInt(name.substring(3));
        }
        Integer pr = null;
        if (value instanceof Number n && n.doubleValue() == n.intValue()) pr = n.intValue();
        else if (value instanceof String s && s.matches("[0-9]{1,9}")) pr = Integer.parseInt(s);
        else if (value != null) throw new RequestRejected("pr", "expected a pull request number, got '" + value + "'");
        if (pr == null && fromEnv == null) throw new RequestRejected("pr", "is required (the pull request's number)");
        if (pr != null && fromEnv != null && !pr.equals(fromEnv)) {
            throw new RequestRejected("environment", "'" + environment + "' is not pr-" + pr + " of field pr");
        }
        return pr != null ? pr : fromEnv;
    }

    @Override
    public String environment() {
        return "pr-" + pr;
    }

    @Override
    public PrEnvCreateRequest resolved(String project, String environment) {
        return new PrEnvCreateRequest(project, pr, from, user, trigger);
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
    public String operation() {
        return OPERATION;
    }

    @Override
    public String route() {
        return "direct:pr-env-create";
    }

    @Override
    public Map<String, Object> fields() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pr", pr);
        m.put("from", from);
        return m;
    }
}
