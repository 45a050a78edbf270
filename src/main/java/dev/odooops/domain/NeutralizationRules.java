package dev.odooops.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The neutralisation rules of a copy (issue 14, section 2): a YAML file of set-wise SQL statements, each with the
 * tables and columns it needs (a missing one skips the rule, reported) and named parameters ({@code :name}, bound,
 * never spliced). The built-in file ({@code /neutralization/default-rules.yaml}, documented in docs/neutralization.md)
 * covers the ground of Odoo 17/18's {@code data/neutralize.sql} files plus what {@code odoo-bin neutralize} leaves; an
 * environment's {@code neutralization.rules} file replaces its {@code rules} (its {@code remove_parameters} and
 * {@code secrets}, when absent, stay the built-in ones). A refusal names the file and the field.
 */
public final class NeutralizationRules {
    /** The parameters a rule may use, set by the neutraliser from the target's settings. */
    public static final Set<String> PARAMETERS = Set.of("cron_allow", "sink_host", "sink_port", "new_uuid", "new_secret",
            "base_url", "catchall_domain", "default_from", "remove_parameters", "admin_password_hash");
    public static final String DEFAULT_RESOURCE = "/neutralization/default-rules.yaml";
    private static final Pattern PARAMETER = Pattern.compile("(?<![:\\w]):([a-z_]+)");
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /**
     * One rule. {@code jdbcSql}: the statement with {@code ?} for each parameter, {@code parameters} in order of use.
     */
    public record Rule(String id, String from, Map<String, List<String>> needs, String sql, String jdbcSql,
                       List<String> parameters) {
    }

    /** A {@code table.column} whose production values must not be found in a copy. */
    public record SecretColumn(String table, String column) {
        @Override
        public String toString() {
            return table + "." + column;
        }
    }

    private final String source;
    private final List<Rule> rules;
    private final List<String> removeParameters;
    private final List<SecretColumn> secrets;

    private NeutralizationRules(String source, List<Rule> rules, List<String> removeParameters, List<SecretColumn> secrets) {
        this.source = source;
        this.rules = List.copyOf(rules);
        this.removeParameters = List.copyOf(removeParameters);
        this.secrets = List.copyOf(secrets);
    }

    public String source() {
        return source;
    }

    public List<Rule> rules() {
        return rules;
    }

    public List<String> removeParameters() {
        return removeParameters;
    }

    public List<SecretColumn> secrets() {
        return secrets;
    }

    /** The built-in rules. */
    public static NeutralizationRules defaults() {
        try (InputStream in = NeutralizationRules.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) throw new IllegalStateException("missing resource " + DEFAULT_RESOURCE);
            return parse("built-in", new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), null);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + DEFAULT_RESOURCE, e);
        }
    }

    /** {@code file}'s rules (null: the built-in ones); lists it leaves out stay the built-in ones. */
    public static NeutralizationRules load(Path file) {
        NeutralizationRules defaults = defaults();
        if (file == null) return defaults;
        try {
            return parse(file.toString(), Files.readString(file), defaults);
        } catch (IOException e) {
            throw new RequestRejected("rules", file + ": cannot read: " + e.getMessage());
        }
    }

    /** Parses a rules document; {@code fallback} gives the lists a file may leave out (null: all required). */
    public static NeutralizationRules parse(String source, String yaml, NeutralizationRules fallback) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        } catch (IOException e) {
            throw new RequestRejected("rules", source + ": not YAML: " + e.getMessage());
        }
        if (root == null || !root.isObject()) throw rejected(source, "", "a mapping with rules");
        only(source, "", root, Set.of("rules", "remove_parameters", "secrets"));
        JsonNode list = root.get("rules");
        if (list == null || !list.isArray()) throw rejected(source, "rules", "a list of rules");
        List<Rule> rules = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            Rule r = rule(source, "rules[" + i + "]", list.get(i));
            if (!ids.add(r.id())) throw rejected(source, "rules[" + i + "].id", "a unique id, '" + r.id() + "' is used twice");
            rules.add(r);
        }
        List<String> remove = root.has("remove_parameters") ? strings(source, "remove_parameters", root.get("remove_parameters"))
                : fallback != null ? fallback.removeParameters : List.of();
        List<SecretColumn> secrets = new ArrayList<>();
        if (root.has("secrets")) {
            for (String s : strings(source, "secrets", root.get("secrets"))) {
                String[] parts = s.split("\\.", -1);
                if (parts.length != 2 || !NAME.matcher(parts[0]).matches() || !NAME.matcher(parts[1]).matches()) {
                    throw rejected(source, "secrets", "table.column names, got '" + s + "'");
                }
                secrets.add(new SecretColumn(parts[0], parts[1]));
            }
        } else if (fallback != null) {
            secrets.addAll(fallback.secrets);
        }
        return new NeutralizationRules(source, rules, remove, secrets);
    }

    private static Rule rule(String source, String at, JsonNode n) {
        if (n == null || !n.isObject()) throw rejected(source, at, "a mapping {id, from, needs, sql}");
        only(source, at, n, Set.of("id", "from", "needs", "sql"));
        String id = text(source, at + ".id", n.get("id"));
        if (!id.matches("[a-z0-9][a-z0-9-]{0,62}")) throw rejected(source, at + ".id", "a lower-case id of letters, digits and '-'");
        String from = n.has("from") ? text(source, at + ".from", n.get("from")) : "custom";
        JsonNode needsNode = n.get("needs");
        if (needsNode == null || !needsNode.isObject() || needsNode.isEmpty()) {
            throw rejected(source, at + ".needs", "a mapping of table: [columns], not empty");
        }
        Map<String, List<String>> needs = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = needsNode.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            if (!NAME.matcher(e.getKey()).matches()) throw rejected(source, at + ".needs", "table names, got '" + e.getKey() + "'");
            List<String> columns = strings(source, at + ".needs." + e.getKey(), e.getValue());
            for (String c : columns) {
                if (!NAME.matcher(c).matches()) throw rejected(source, at + ".needs." + e.getKey(), "column names, got '" + c + "'");
            }
            needs.put(e.getKey(), columns);
        }
        String sql = text(source, at + ".sql", n.get("sql")).strip();
        if (sql.endsWith(";")) sql = sql.substring(0, sql.length() - 1).strip();
        if (outsideQuotes(sql).contains(";")) throw rejected(source, at + ".sql", "one statement (no ';' between statements)");
        List<String> parameters = new ArrayList<>();
        Matcher m = PARAMETER.matcher(sql);
        StringBuilder jdbc = new StringBuilder();
        String unquoted = outsideQuotes(sql);
        while (m.find()) {
            if (unquoted.charAt(m.start()) != ':') continue; // inside a literal
            String p = m.group(1);
            if (!PARAMETERS.contains(p)) {
                throw rejected(source, at + ".sql", "parameters among " + new java.util.TreeSet<>(PARAMETERS) + ", got ':" + p + "'");
            }
            parameters.add(p);
            m.appendReplacement(jdbc, "?");
        }
        m.appendTail(jdbc);
        return new Rule(id, from, needs, sql, jdbc.toString(), parameters);
    }

    /** {@code sql} with the characters of its string literals blanked (same length), to look for ';' and ':' safely. */
    static String outsideQuotes(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        boolean quoted = false;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '\'') {
                quoted = !quoted;
                out.append(c);
            } else {
                out.append(quoted ? ' ' : c);
            }
        }
        return out.toString();
    }

    private static void only(String source, String at, JsonNode n, Set<String> known) {
        Iterator<String> names = n.fieldNames();
        while (names.hasNext()) {
            String k = names.next();
            if (!known.contains(k)) {
                throw new RequestRejected("rules", source + ": " + (at.isEmpty() ? k : at + "." + k)
                        + ": unknown key (expected one of " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
        }
    }

    private static String text(String source, String at, JsonNode n) {
        if (n == null || !n.isValueNode() || n.asText().isBlank()) throw rejected(source, at, "a non-empty string");
        return n.asText();
    }

    private static List<String> strings(String source, String at, JsonNode n) {
        if (n == null || !n.isArray()) throw rejected(source, at, "a list of strings");
        List<String> out = new ArrayList<>();
        for (JsonNode item : n) out.add(text(source, at, item));
        return out;
    }

    private static RequestRejected rejected(String source, String at, String expected) {
        return new RequestRejected("rules", source + ": " + (at.isEmpty() ? "document" : at) + ": expected " + expected);
    }
}
