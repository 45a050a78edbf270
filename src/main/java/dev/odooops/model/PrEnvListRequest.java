package dev.odooops.model;

import java.util.Set;

/**
 * pr-env list: the pull-request environments of {@code project} (of every project the user may read when null),
 * with their age; not a run. Needs {@code pr-env} on each project listed (the others are left out).
 */
public record PrEnvListRequest(String project, String user) implements ActionRequest {
    @Override
    public String action() {
        return "pr-env";
    }

    /** The project named (checked by the authorizer); none when all are listed (each filtered by the list itself). */
    @Override
    public Set<String> projects() {
        return project == null ? Set.of() : Set.of(project);
    }
}
