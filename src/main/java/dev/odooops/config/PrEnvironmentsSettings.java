package dev.odooops.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code pr_environments:} block of each project of the environments file (docs/staging.md, "Pull-request
 * environments"): the keys of an environment ({@code database}, {@code filestore}, {@code odoo_conf},
 * {@code addons_paths}, {@code odoo}, ...) in which {@code {pr}} stands for the pull request's number, plus the keys of
 * the PR environments themselves:
 * <ul>
 *   <li>{@code env_dir} (required): the directory the {@code .env.pr-<N>} connection files are written to;</li>
 *   <li>{@code max_age} (default {@code 7d}): a PR environment older than this is removed by the expiry schedule;</li>
 *   <li>{@code expire_cron} (default {@code 0 0 * * * ?}, hourly): when the expiry schedule runs (serve only);</li>
 *   <li>{@code expire_user} (default {@code scheduler}): the principal the expiry runs as (it needs {@code pr-env});</li>
 *   <li>{@code empty_command}: the argument list that initialises an empty database ({@code {database}} substituted),
 *   e.g. {@code [odoo-bin, -c, /etc/odoo/pr.conf, -d, "{database}", -i, base, --stop-after-init]}; without it,
 *   {@code --from empty} is refused;</li>
 *   <li>{@code url}: the PR environment's URL ({@code {pr}} substituted), written to its .env file.</li>
 * </ul>
 * {@code database.name} defaults to {@code <project>_pr_{pr}} (with '-' of the project name as '_'), {@code type} is
 * always {@code development}, {@code name} is {@code pr-<N>}. Validated at start (with {@code {pr}} = 1), each error
 * naming the key's path under {@code projects[i].pr_environments}.
 */
public final class PrEnvironmentsSettings {
    /** The keys of the block that are not an environment's. */
    private static final List<String> OWN_KEYS = List.of("env_dir", "max_age", "expire_cron", "expire_user", "empty_command", "url");
    public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(7);
    public static final String DEFAULT_EXPIRE_CRON = "0 0 * * * ?";

    /** One project's PR environments. */
    public record Template(String project, Path envDir, Duration maxAge, String expireCron, String expireUser,
                           List<String> emptyCommand, String url, ConfigNode node, Path base,
                           Map<String, List<OpsConfig.Permission>> users) {
        /** The configuration of PR environment {@code pr} (its {@code {pr}} substituted), named {@code pr-<pr>}. */
        public EnvironmentConfig environment(int pr) {
            ObjectNode copy = (ObjectNode) substitute(node.raw(), String.valueOf(pr));
            for (String k : OWN_KEYS) copy.remove(k);
            copy.put("name", PrEnvironmentsSettings.name(pr));
            copy.put("type", "development");
            ObjectNode db = copy.has("database") && copy.get("database").isObject() ? (ObjectNode) copy.get("database")
                    : copy.putObject("database");
            if (!db.has("name")) db.put("name", defaultDatabase(project, pr));
            return EnvironmentsLoader.environment(project, node.with(copy), base, users);
        }

        /** The .env file of PR environment {@code pr}. */
        public Path envFile(int pr) {
            return envDir.resolve(".env.pr-" + pr);
        }

        /** The PR environment's URL, or null. */
        public String url(int pr) {
            return url == null ? null : url.replace("{pr}", String.valueOf(pr));
        }

        /**
         * The {@code neutralization:} block of the template ({@code {pr}} substituted), read as an environment's
         * (see {@link NeutralizationSettings}); empty when the template has none.
         */
        public Optional<NeutralizationSettings> neutralization(int pr) {
            if (!node.has(NeutralizationSettings.KEY)) return Optional.empty();
            ConfigNode n = node.with(substitute(node.raw(), String.valueOf(pr))).child(NeutralizationSettings.KEY);
            return Optional.of(NeutralizationSettings.read(n, node.file()));
        }

        /** The empty database's initialisation command for {@code database}, or an empty list. */
        public List<String> emptyCommand(String database) {
            return emptyCommand.stream().map(a -> a.replace("{database}", database)).toList();
        }
    }

    private final Map<String, Template> templates;

    private PrEnvironmentsSettings(Map<String, Template> templates) {
        this.templates = Map.copyOf(templates);
    }

    /** Reads and validates the block of every project that has one; a bad key fails naming its path. */
    public static PrEnvironmentsSettings of(OpsConfig config) {
        Map<String, Template> out = new LinkedHashMap<>();
        List<String> projects = new ArrayList<>();
        config.environments().forEach(e -> { if (!projects.contains(e.project())) projects.add(e.project()); });
        for (String project : projects) {
            Optional<ConfigNode> section = config.section(project, "pr_environments");
            if (section.isEmpty()) continue;
            ConfigNode n = section.get();
            if (n.raw() == null || !n.raw().isObject()) throw n.error(n.path(), "a mapping (the keys of an environment, with {pr})", n.raw());
            Path base = Path.of(n.file()).toAbsolutePath().getParent();
            for (String forbidden : List.of("name", "type", "schedules")) {
                if (n.has(forbidden)) {
                    throw n.error(n.child(forbidden).path(), "no " + forbidden + " (a PR environment is pr-<N>, type development, "
                            + "never scheduled)", n.child(forbidden).raw());
                }
            }
            String envDir = n.string("env_dir");
            Duration maxAge = EnvironmentsLoader.duration(n, "max_age", DEFAULT_MAX_AGE);
            if (maxAge.isZero()) throw n.error(n.child("max_age").path(), "a duration above 0 like 24h or 7d", "0");
            String cron = n.string("expire_cron", DEFAULT_EXPIRE_CRON);
            if (!org.quartz.CronExpression.isValidExpression(cron)) {
                throw n.error(n.child("expire_cron").path(), "a Quartz cron expression with seconds first (e.g. '0 0 * * * ?')", cron);
            }
            String user = n.string("expire_user", OpsConfig.SCHEDULER);
            if (!config.users().containsKey(user)) throw n.error(n.child("expire_user").path(), "a user of users", user);
            List<String> empty = n.strings("empty_command");
            if (n.has("empty_command") && empty.isEmpty()) {
                throw n.error(n.child("empty_command").path(), "a non-empty argument list with {database}", "[]");
            }
            String url = n.string("url", null);
            Template t = new Template(project, base.resolve(envDir).normalize(), maxAge, cron, user, List.copyOf(empty), url, n,
                    base, config.users());
            t.environment(1); // the environment keys, validated once with {pr} = 1
            t.neutralization(1); // and its neutralization: block, when it has one
            out.put(project, t);
        }
        return new PrEnvironmentsSettings(out);
    }

    /** The project's template, if it has {@code pr_environments}. */
    public Optional<Template> template(String project) {
        return Optional.ofNullable(templates.get(project));
    }

    public Map<String, Template> templates() {
        return templates;
    }

    /**
     * The neutralisation settings of the PR environment {@code environmentId} ({@code P/pr-<N>} of a project with
     * {@code pr_environments}; empty for any other id): the template's own {@code neutralization:} block, or else the
     * block of the project's one {@code staging} environment ({@code byEnvironment}) with the PR environment's
     * {@code url} as {@code base_url} (a PR environment made from staging must not point at staging's URL).
     */
    public Optional<NeutralizationSettings> neutralization(String environmentId, List<EnvironmentConfig> environments,
                                                           Map<String, NeutralizationSettings> byEnvironment) {
        int slash = environmentId.indexOf('/');
        if (slash < 0) return Optional.empty();
        Integer pr = number(environmentId.substring(slash + 1));
        Template t = templates.get(environmentId.substring(0, slash));
        if (pr == null || t == null) return Optional.empty();
        Optional<NeutralizationSettings> own = t.neutralization(pr);
        if (own.isPresent()) return own;
        List<EnvironmentConfig> staging = environments.stream()
                .filter(e -> e.project().equals(t.project()) && "staging".equals(e.type())).toList();
        if (staging.size() != 1) return Optional.empty();
        NeutralizationSettings s = byEnvironment.getOrDefault(staging.get(0).id(), NeutralizationSettings.defaults());
        String url = t.url(pr);
        return Optional.of(url == null ? s : s.withBaseUrl(url));
    }

    /** The environment name of PR {@code pr}: {@code pr-<pr>}. */
    public static String name(int pr) {
        return "pr-" + pr;
    }

    /** The PR number an environment name {@code pr-<N>} stands for, or null when it is not one. */
    public static Integer number(String name) {
        if (name == null || !name.matches("pr-[1-9][0-9]{0,8}")) return null;
        return Integer.parseInt(name.substring(3));
    }

    /** {@code <project>_pr_<pr>}, the project's '-' written '_' (a database name without quoting surprises). */
    public static String defaultDatabase(String project, int pr) {
        return project.replace('-', '_') + "_pr_" + pr;
    }

    /** A deep copy of {@code node} with {@code {pr}} replaced in every text value. */
    private static JsonNode substitute(JsonNode node, String pr) {
        if (node == null) return null;
        if (node.isTextual()) return TextNode.valueOf(node.asText().replace("{pr}", pr));
        if (node.isObject()) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                o.set(e.getKey(), substitute(e.getValue(), pr));
            }
            return o;
        }
        if (node.isArray()) {
            var a = JsonNodeFactory.instance.arrayNode();
            node.forEach(x -> a.add(substitute(x, pr)));
            return a;
        }
        return node.deepCopy();
    }
}
