package dev.odooops.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.odooops.domain.RequestRejected;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * config inventory: every environment variable and secret reference the configuration reads, per environment, never a
 * value. Read from the files themselves, not from a loaded configuration, so that it works before the variables exist
 * (that is when a {@code .env.template} is wanted): the environments file's {@code ${env:NAME}} and
 * {@code ${secret:NAME}} (the references {@link ConfigNode} resolves, matched by its own {@link ConfigNode#REFERENCE}),
 * and application.properties' variables ({@code ops.db.password-env}, {@code jms.password-env} with an external broker,
 * the pass-through names of {@code ops.tool-env} and {@code ops.command-env}, Camel's {@code {{env:NAME[:default]}}}).
 * <p>
 * {@code required}: the configuration does not load without it. Every reference the environments file writes is
 * (the loader refuses one that is not set, even under an optional key); application.properties' are not, except a
 * placeholder without a default and the JMS password of an external broker. A reference under {@code store} or
 * {@code users} is read for every environment, one under a project for each of its environments.
 */
public final class ConfigInventory {
    /** One variable or secret: where it is read, for which environments, whether it is set now (never its value). */
    public record Reference(String name, String kind, boolean required, boolean set, List<String> readAt,
                            Set<String> environments, String purpose) {
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("kind", kind);
            m.put("required", required);
            m.put("set", set);
            m.put("read_at", readAt);
            m.put("environments", environments);
            if (purpose != null) m.put("purpose", purpose);
            return m;
        }
    }

    private static final Pattern CAMEL_ENV = Pattern.compile("\\{\\{env:([A-Za-z_][A-Za-z0-9_]*)(:[^}]*)?}}");
    /** The environments of the file, as P/E, in order. */
    private final List<String> environments = new ArrayList<>();
    private final Map<String, Reference> references = new TreeMap<>();
    private final Path environmentsFile;
    private final Path secretsFile;
    private final Path propertiesFile;

    private ConfigInventory(Path environmentsFile, Path secretsFile, Path propertiesFile) {
        this.environmentsFile = environmentsFile;
        this.secretsFile = secretsFile;
        this.propertiesFile = propertiesFile;
    }

    /** The inventory of the configuration directory {@code configDir} ({@code env}: to say whether a variable is set). */
    public static ConfigInventory read(Path home, Path configDir, Function<String, String> env) {
        Settings settings = Settings.load(home, configDir, name -> null); // its values are not wanted here
        ConfigInventory inv = new ConfigInventory(settings.ops().environmentsFile(), settings.ops().secretsFile(),
                configDir.resolve("application.properties"));
        Map<String, String> secrets = EnvironmentsLoader.readSecrets(settings.ops().secretsFile());
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(inv.environmentsFile.toFile());
        } catch (IOException e) {
            throw new ConfigException(inv.environmentsFile + ": cannot be read: " + e.getMessage());
        }
        if (root != null) {
            for (JsonNode p : root.path("projects")) {
                String project = p.path("name").asText();
                for (JsonNode e : p.path("environments")) inv.environments.add(project + "/" + e.path("name").asText());
            }
            inv.scan(root, "", Set.copyOf(inv.environments), env, secrets);
        }
        inv.properties(settings.raw(), env);
        return inv;
    }

    /** Walks the environments file: each string matching a reference is recorded with its key and environments. */
    private void scan(JsonNode node, String path, Set<String> scope, Function<String, String> env, Map<String, String> secrets) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                var f = fields.next();
                scan(f.getValue(), path.isEmpty() ? f.getKey() : path + "." + f.getKey(), scope, env, secrets);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                JsonNode item = node.get(i);
                Set<String> inner = scope;
                if (path.equals("projects")) {
                    String project = item.path("name").asText();
                    inner = new LinkedHashSet<>();
                    for (String id : environments) if (id.startsWith(project + "/")) inner.add(id);
                } else if (path.matches("projects\\[\\d+]\\.environments") && scope.size() > 0) {
                    String project = scope.iterator().next().split("/", 2)[0];
                    inner = Set.of(project + "/" + item.path("name").asText());
                }
                scan(item, path + "[" + i + "]", inner, env, secrets);
            }
        } else if (node.isTextual()) {
            Matcher m = ConfigNode.REFERENCE.matcher(node.asText().trim());
            if (m.matches()) {
                boolean isEnv = m.group(1).equals("env");
                boolean set = isEnv ? env.apply(m.group(2)) != null : secrets.containsKey(m.group(2));
                add(m.group(2), isEnv ? "env" : "secret", true, set, environmentsFile.getFileName() + ": " + path, scope, null);
            }
        }
    }

    private void properties(Properties p, Function<String, String> env) {
        Set<String> all = Set.copyOf(environments);
        String file = propertiesFile.getFileName().toString();
        String db = value(p, "ops.db.password-env", "ODOO_OPS_DB_PASSWORD");
        add(db, "env", false, env.apply(db) != null, file + ": ops.db.password-env", all,
                "the ops catalog's password (unset: no password, e.g. trust or a .pgpass)");
        if (p.getProperty("jms.broker-url") != null && !"false".equals(p.getProperty("jms.enabled"))) {
            String jms = value(p, "jms.password-env", "ODOO_OPS_JMS_PASSWORD");
            add(jms, "env", true, env.apply(jms) != null, file + ": jms.password-env", all, "serve: the external JMS broker's password");
        }
        for (String key : List.of("ops.tool-env", "ops.command-env")) {
            String names = p.getProperty(key);
            if (names == null) continue;
            for (String n : names.split(",")) {
                if (n.isBlank()) continue;
                add(n.trim(), "env", false, env.apply(n.trim()) != null, file + ": " + key, all,
                        key.equals("ops.tool-env") ? "passed to pg_dump, pg_restore, tar and git when set"
                                : "passed to the Odoo commands of the environments file when set");
            }
        }
        for (String key : new java.util.TreeSet<>(p.stringPropertyNames())) {
            Matcher m = CAMEL_ENV.matcher(p.getProperty(key));
            while (m.find()) {
                add(m.group(1), "env", m.group(2) == null, env.apply(m.group(1)) != null, file + ": " + key, all, null);
            }
        }
    }

    private static String value(Properties p, String key, String fallback) {
        String v = p.getProperty(key);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    private void add(String name, String kind, boolean required, boolean set, String at, Set<String> scope, String purpose) {
        String key = kind + ":" + name;
        Reference old = references.get(key);
        if (old == null) {
            references.put(key, new Reference(name, kind, required, set, List.of(at), new java.util.TreeSet<>(scope), purpose));
            return;
        }
        List<String> readAt = new ArrayList<>(old.readAt());
        if (!readAt.contains(at)) readAt.add(at);
        Set<String> envs = new java.util.TreeSet<>(old.environments());
        envs.addAll(scope);
        references.put(key, new Reference(name, kind, old.required() || required, set, List.copyOf(readAt), envs,
                old.purpose() == null ? purpose : old.purpose()));
    }

    /** {@code environment}: E or P/E, or null for all. */
    public List<Reference> references(String environment) {
        String id = environment == null ? null : resolve(environment);
        return references.values().stream().filter(r -> id == null || r.environments().contains(id)).toList();
    }

    /** E or P/E to P/E; refused (field env) when unknown or ambiguous. */
    public String resolve(String environment) {
        List<String> matches = environments.stream().filter(id -> id.equals(environment) || id.endsWith("/" + environment)).toList();
        if (matches.size() == 1) return matches.get(0);
        if (matches.isEmpty()) {
            throw new RequestRejected("env", "no environment '" + environment + "' in " + environmentsFile + " (known: "
                    + String.join(", ", environments) + ")", RequestRejected.Reason.NOT_FOUND);
        }
        throw new RequestRejected("env", "'" + environment + "' is in several projects: name one as P/E (" + String.join(", ", matches) + ")");
    }

    /** The report: files, environments, references (each with where it is read and for which environments). */
    public Map<String, Object> report(String environment) {
        List<Reference> refs = references(environment);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("environments_file", environmentsFile.toString());
        m.put("secrets_file", secretsFile.toString());
        m.put("application_properties", propertiesFile.toString());
        m.put("environments", environment == null ? environments : List.of(resolve(environment)));
        m.put("references", refs.stream().map(Reference::toJson).toList());
        m.put("missing_required", refs.stream().filter(r -> r.required() && !r.set()).map(r -> r.kind() + ":" + r.name()).toList());
        Map<String, List<String>> per = new LinkedHashMap<>();
        for (String id : environment == null ? environments : List.of(resolve(environment))) {
            per.put(id, refs.stream().filter(r -> r.environments().contains(id)).map(r -> r.kind() + ":" + r.name()).toList());
        }
        m.put("per_environment", per);
        return m;
    }

    /**
     * A {@code .env.template}: one {@code NAME=} line per environment variable, with comments saying whether it is
     * required, where it is read and for which environments; the secrets file's names as comments (they belong in
     * {@code secrets.properties}, not in the environment). Never a value.
     */
    public String template(String environment) {
        List<Reference> refs = references(environment);
        StringBuilder b = new StringBuilder();
        b.append("# odoo-ops: the environment variables its configuration reads");
        b.append(environment == null ? "" : " for " + resolve(environment)).append(".\n");
        b.append("# Generated by `odoo-ops config inventory --template`; fill in the values, never commit them.\n");
        for (Reference r : refs) {
            if (!r.kind().equals("env")) continue;
            b.append('\n').append("# ").append(r.required() ? "required" : "optional");
            if (r.purpose() != null) b.append(": ").append(r.purpose());
            b.append('\n');
            for (String at : r.readAt()) b.append("#   read at ").append(at).append('\n');
            if (!r.environments().isEmpty()) b.append("#   for ").append(String.join(", ", r.environments())).append('\n');
            b.append(r.name()).append("=\n");
        }
        List<Reference> secrets = refs.stream().filter(r -> r.kind().equals("secret")).toList();
        if (!secrets.isEmpty()) {
            b.append("\n# In the secrets file (").append(secretsFile.getFileName()).append("), not in the environment:\n");
            for (Reference r : secrets) {
                b.append("#   ").append(r.name()).append("=   (").append(r.required() ? "required" : "optional").append("; ")
                        .append(String.join(", ", r.readAt())).append(")\n");
            }
        }
        return b.toString();
    }
}
