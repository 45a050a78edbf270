package dev.odooops.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The environments file: the artifact store, users with their permissions, projects and environments, and the
 * API tokens of the users that have one (service mode: a bearer token maps to its user).
 */
public record OpsConfig(String file, StoreConfig store, Map<String, List<Permission>> users,
                        List<EnvironmentConfig> environments, Map<String, Secret> apiTokens, Map<String, Secret> jmsPasswords,
                        Map<String, ConfigNode> sections, ExtraEnvironments extra) {
    /**
     * The built-in principal schedules run as unless they name a {@code user}: {@code backup} and {@code evidence} (the evidence retention schedule) on every project and
     * nothing else (an environments file may define a user of this name to change that).
     */
    public static final String SCHEDULER = "scheduler";

    public OpsConfig {
        sections = sections == null ? Map.of() : Map.copyOf(sections);
        extra = extra == null ? new ExtraEnvironments() : extra;
    }

    public OpsConfig(String file, StoreConfig store, Map<String, List<Permission>> users, List<EnvironmentConfig> environments,
                     Map<String, Secret> apiTokens, Map<String, Secret> jmsPasswords, Map<String, ConfigNode> sections) {
        this(file, store, users, environments, apiTokens, jmsPasswords, sections, null);
    }

    public OpsConfig(String file, StoreConfig store, Map<String, List<Permission>> users, List<EnvironmentConfig> environments,
                     Map<String, Secret> apiTokens, Map<String, Secret> jmsPasswords) {
        this(file, store, users, environments, apiTokens, jmsPasswords, Map.of());
    }

    /**
     * Keys a project may carry besides name and environments, each read by the operation that owns it ({@code encryption}:
     * {@link EncryptionSettings}, which also reads the top-level block, owner {@code ""}).
     */
    public static final List<String> PROJECT_SECTIONS = List.of("anonymization", "pr_environments", "staging", "encryption");
    /** Keys an environment may carry for the staging operations and the drills ({@link DrillSettings}). */
    public static final List<String> ENVIRONMENT_SECTIONS = List.of("neutralization", "staging", DrillSettings.KEY);

    /**
     * The raw {@code key} block of a project ({@code owner} = P) or of an environment ({@code owner} = P/E), as the
     * environments file wrote it (secret references still resolvable through the node), for the operation that owns
     * the key to read and validate when its bean is made at start; empty when absent.
     */
    public Optional<ConfigNode> section(String owner, String key) {
        return Optional.ofNullable(sections.get(owner + "#" + key));
    }

    public OpsConfig(String file, StoreConfig store, Map<String, List<Permission>> users, List<EnvironmentConfig> environments) {
        this(file, store, users, environments, Map.of(), Map.of());
    }

    public OpsConfig(String file, StoreConfig store, Map<String, List<Permission>> users, List<EnvironmentConfig> environments,
                     Map<String, Secret> apiTokens) {
        this(file, store, users, environments, apiTokens, Map.of());
    }

    /**
     * The password each user signs in to the embedded JMS broker with: its {@code jms_password}, else its
     * {@code api_token}; a user with neither cannot use JMS.
     */
    public Map<String, Secret> jmsCredentials() {
        Map<String, Secret> out = new java.util.LinkedHashMap<>(apiTokens);
        out.putAll(jmsPasswords);
        return out;
    }

    public record Permission(String project, String action) {
    }

    /**
     * The permission rule (a permission on the project or {@code *}, for the action or {@code *}; the rule of
     * {@code ops.user_has_permission} too), over this configuration, which is what this process synchronised into the
     * catalog at start. Requests are judged once, by app.Authorizer (the entry routes' authorize node), through
     * {@link #require}; the loader uses it to check that a schedule's user may back up.
     */
    public boolean allows(String user, String project, String action) {
        for (Permission p : users.getOrDefault(user, List.of())) {
            if ((p.project().equals(project) || p.project().equals("*")) && (p.action().equals(action) || p.action().equals("*"))) {
                return true;
            }
        }
        return false;
    }

    /** The one permission check of every request (called by app.Authorizer): throws {@link dev.odooops.domain.PermissionDenied}. */
    public void require(String user, String project, String action) {
        if (!allows(user, project, action)) throw new dev.odooops.domain.PermissionDenied(user, action, project);
    }

    /**
     * The environment {@code env} of {@code project}: one of the file's, else one made from a template of it that exists
     * now ({@link ExtraEnvironments}: a pull-request environment {@code pr-<N>}).
     */
    public Optional<EnvironmentConfig> environment(String project, String env) {
        Optional<EnvironmentConfig> written = environments.stream()
                .filter(e -> e.project().equals(project) && e.name().equals(env)).findFirst();
        return written.isPresent() ? written : extra.existing(project, env);
    }

    /**
     * As {@link #environment}, for a request that makes the environment (pr-env create): a template's environment
     * whether it exists yet or not.
     */
    public Optional<EnvironmentConfig> creatableEnvironment(String project, String env) {
        Optional<EnvironmentConfig> written = environments.stream()
                .filter(e -> e.project().equals(project) && e.name().equals(env)).findFirst();
        return written.isPresent() ? written : extra.creatable(project, env);
    }

    public boolean hasProject(String project) {
        return environments.stream().anyMatch(e -> e.project().equals(project));
    }
}
