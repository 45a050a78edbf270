package dev.odooops.cli;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.OpsConfig;
import dev.odooops.model.RequestRejected;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The one reading of {@code --project} and {@code --env} that every command uses. {@code --env} is required and
 * is either {@code E} or {@code P/E}; {@code --project P} is optional, needed only when {@code E} alone exists
 * in several projects, and accepted beside {@code --env P/E} when it names the same project.
 */
public final class EnvironmentResolver {
    private EnvironmentResolver() {
    }

    public static EnvironmentConfig resolve(OpsConfig config, String projectOption, String envOption) {
        if (envOption == null || envOption.isBlank()) throw new RequestRejected("env", "--env is required (E or P/E)");
        if (projectOption != null && projectOption.isBlank()) throw new RequestRejected("project", "--project is empty");
        String project = projectOption;
        String env = envOption;
        int slash = envOption.indexOf('/');
        if (slash >= 0) {
            String p = envOption.substring(0, slash);
            env = envOption.substring(slash + 1);
            if (p.isEmpty() || env.isEmpty() || env.contains("/")) {
                throw new RequestRejected("env", "expected E or P/E (project/environment), got '" + envOption + "'");
            }
            if (projectOption != null && !projectOption.equals(p)) {
                throw new RequestRejected("project", "--project '" + projectOption + "' does not match the project of --env '"
                        + envOption + "'; give the same project in both, or only --env P/E");
            }
            project = p;
        }
        if (project != null) {
            String p = project;
            String e = env;
            if (!config.hasProject(p)) {
                throw new RequestRejected("project", "unknown project '" + p + "' (not in " + config.file() + ")");
            }
            return config.environment(p, e).orElseThrow(() ->
                    new RequestRejected("env", "project '" + p + "' has no environment '" + e + "'"));
        }
        String e = env;
        List<EnvironmentConfig> matches = config.environments().stream().filter(c -> c.name().equals(e)).toList();
        if (matches.isEmpty()) {
            throw new RequestRejected("env", "no project has an environment '" + e + "' (not in " + config.file() + ")");
        }
        if (matches.size() > 1) {
            throw new RequestRejected("env", "'" + e + "' exists in several projects ("
                    + matches.stream().map(EnvironmentConfig::project).collect(Collectors.joining(", "))
                    + "): add --project P or write --env P/" + e);
        }
        return matches.get(0);
    }
}
