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

    public Optional<EnvironmentConfig> environment(String project, String env) {
        return environments.stream().filter(e -> e.project().equals(project) && e.name().equals(env)).findFirst();
    }

    public boolean hasProject(String project) {
        return environments.stream().anyMatch(e -> e.project().equals(project));
    }
}
