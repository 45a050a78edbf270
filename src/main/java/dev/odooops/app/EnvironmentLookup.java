package dev.odooops.app;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.OpsConfig;
import dev.odooops.model.EnvironmentRequest;
import dev.odooops.domain.RequestRejected;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The one reading of a request's project and environment, for every operation and every trigger (the entry
 * routes' first step, {@code resolve-environment}). The environment is required and is either {@code E} or
 * {@code P/E}; the project is optional, needed only when {@code E} alone exists in several projects, and
 * accepted beside {@code P/E} when it names the same project.
 */
public final class EnvironmentLookup {
    private final OpsConfig config;

    public EnvironmentLookup(OpsConfig config) {
        this.config = config;
    }

    /** The request aimed at the configured project and environment it names; rejected naming the field otherwise. */
    public EnvironmentRequest resolve(EnvironmentRequest request) {
        EnvironmentConfig env = resolve(config, request.project(), request.environment(),
                request instanceof dev.odooops.model.MakesEnvironment);
        return request.resolved(env.project(), env.name());
    }

    /** The configuration of a resolved request's environment. */
    public EnvironmentConfig environment(EnvironmentRequest request) {
        return resolve(config, request.project(), request.environment(), request instanceof dev.odooops.model.MakesEnvironment);
    }

    public static EnvironmentConfig resolve(OpsConfig config, String projectOption, String envOption) {
        return resolve(config, projectOption, envOption, false);
    }

    /**
     * As {@link #resolve(OpsConfig, String, String)}; {@code makes}: the request makes the environment (pr-env create),
     * so a template's environment is found whether it exists yet or not ({@link OpsConfig#creatableEnvironment}).
     */
    public static EnvironmentConfig resolve(OpsConfig config, String projectOption, String envOption, boolean makes) {
        if (envOption == null || envOption.isBlank()) throw new RequestRejected("env", "is required: E or P/E (project/environment)");
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
                throw new RequestRejected("project", "unknown project '" + p + "' (not in " + config.file() + ")",
                        RequestRejected.Reason.NOT_FOUND);
            }
            return (makes ? config.creatableEnvironment(p, e) : config.environment(p, e)).orElseThrow(() ->
                    new RequestRejected("env", "project '" + p + "' has no environment '" + e + "'", RequestRejected.Reason.NOT_FOUND));
        }
        String e = env;
        List<EnvironmentConfig> matches = config.environments().stream().filter(c -> c.name().equals(e)).toList();
        if (matches.isEmpty()) {
            throw new RequestRejected("env", "no project has an environment '" + e + "' (not in " + config.file() + ")",
                    RequestRejected.Reason.NOT_FOUND);
        }
        if (matches.size() > 1) {
            throw new RequestRejected("env", "'" + e + "' exists in several projects ("
                    + matches.stream().map(EnvironmentConfig::project).collect(Collectors.joining(", "))
                    + "): add --project P or write --env P/" + e);
        }
        return matches.get(0);
    }
}
