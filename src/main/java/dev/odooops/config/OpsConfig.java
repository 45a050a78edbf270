package dev.odooops.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The environments file: the artifact store, users with their permissions, projects and environments, and the
 * API tokens of the users that have one (service mode: a bearer token maps to its user).
 */
public record OpsConfig(String file, StoreConfig store, Map<String, List<Permission>> users,
                        List<EnvironmentConfig> environments, Map<String, Secret> apiTokens) {

    public OpsConfig(String file, StoreConfig store, Map<String, List<Permission>> users, List<EnvironmentConfig> environments) {
        this(file, store, users, environments, Map.of());
    }

    public record Permission(String project, String action) {
    }

    /**
     * The rule of {@code ops.user_has_permission} (a permission on the project or {@code *}, for the action or
     * {@code *}), over this configuration, which is what this process synchronised into the catalog at start: for
     * the front checks of a channel, without a catalog round trip. The steps of a run still ask the catalog.
     */
    public boolean allows(String user, String project, String action) {
        for (Permission p : users.getOrDefault(user, List.of())) {
            if ((p.project().equals(project) || p.project().equals("*")) && (p.action().equals(action) || p.action().equals("*"))) {
                return true;
            }
        }
        return false;
    }

    public Optional<EnvironmentConfig> environment(String project, String env) {
        return environments.stream().filter(e -> e.project().equals(project) && e.name().equals(env)).findFirst();
    }

    public boolean hasProject(String project) {
        return environments.stream().anyMatch(e -> e.project().equals(project));
    }
}
