package dev.odooops.model;

import dev.odooops.domain.RequestRejected;

/**
 * retention plan: what retention would prune in an environment now, and why; nothing is changed. The overrides
 * (null: the environment's counts) preview a backup taken with the same {@code --keep-*} options.
 */
public record RetentionPlanRequest(String project, String environment, Integer keepDaily, Integer keepWeekly,
                                   Integer keepMonthly, Integer keepYearly, String user)
        implements EnvironmentRequest, AuthenticatedRequest {
    public RetentionPlanRequest {
        Fields.environment(environment);
        Fields.required("user", user);
        for (Integer v : new Integer[]{keepDaily, keepWeekly, keepMonthly, keepYearly}) {
            if (v != null && (v < 0 || v > 10000)) throw new RequestRejected("keep", "counts are 0 to 10000, got " + v);
        }
    }

    public RetentionPlanRequest(String project, String environment, String user) {
        this(project, environment, null, null, null, null, user);
    }

    @Override
    public RetentionPlanRequest resolved(String project, String environment) {
        return new RetentionPlanRequest(project, environment, keepDaily, keepWeekly, keepMonthly, keepYearly, user);
    }
}
