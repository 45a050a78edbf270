package dev.odooops.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The anonymisation rules of a sanitised snapshot (issue 14, section 1): Odoo's defaults (the resource
 * {@value #DEFAULTS_RESOURCE}), overridden per project by a YAML file of the same format (docs/anonymization.md).
 * A refusal names the file and the field ({@code rules[2].columns.email}). Table and column names are plain SQL
 * identifiers (checked here), so the SQL built from them needs no other escaping than quoting.
 */
public final class AnonymizationRules {
    public static final String DEFAULTS_RESOURCE = "/anonymization/odoo-defaults.yaml";
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final Pattern MODEL = Pattern.compile("[a-z0-9_]+(\\.[a-z0-9_]+)*");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static volatile AnonymizationRules defaults;

    /** How a column's value is replaced. */
    public enum Kind {
        /** a person's name from a built-in list, by the hash of the value */
        NAME,
        /** {@code first.last.<hash>@example.invalid}, by the hash of the address (a {@code "Name" <a@b>} keeps only it) */
        EMAIL,
        /** several addresses separated by commas or semicolons, each as {@link #EMAIL} */
        EMAIL_LIST,
        /** {@code +3247<7 digits>}, by the hash of the value's digits */
        PHONE, STREET, STREET2, ZIP, CITY,
        /** {@code XX<10 digits>}: VAT and other identity numbers */
        VAT,
        /** {@code XX00ANON<16 digits>}, IBAN-shaped but never valid, by the hash of the value without blanks */
        IBAN,
        /** an email-shaped login as {@link #EMAIL} (so a user's login and partner email stay equal), else user.hash */
        LOGIN, WEBSITE,
        /** a neutral text (the column's {@code value}, else {@value #NEUTRAL_TEXT}) */
        TEXT,
        /** a neutral HTML paragraph */
        HTML,
        /** NULL ('' for a NOT NULL text column) */
        NULL;

        static Kind parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }

        public String yamlName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final String NEUTRAL_TEXT = "Anonymised.";

    /** One column of a rule: its kind, and for text/html the replacement ({@code null}: the neutral default). */
    public record ColumnRule(String column, Kind kind, String value) {
    }

    /**
     * A named rule on one table: replace its columns, or delete its rows. {@code keepAllowedUsers} names the column
     * holding a {@code res_users} id (for res_users itself: {@code id}) whose rows stay untouched when that user's
     * login is in the allow-list; null: every row.
     */
    public record Rule(String name, String table, List<ColumnRule> columns, boolean delete, String keepAllowedUsers) {
    }

    /**
     * A table whose amounts are scaled: {@code columns} rounded to the decimals of the row's currency
     * ({@code currency}: a column referencing res_currency; null or absent: 2 decimals); then {@code rowSums}
     * (column = sum of other columns of the row) and {@code totals} (header column = sum of a line column).
     */
    public record ScaledTable(String name, String table, String currency, List<String> columns,
                              Map<String, List<String>> rowSums, Totals totals) {
    }

    /** Header totals recomputed as the sum of their lines: {@code table.key} references the header's id. */
    public record Totals(String table, String key, Map<String, String> columns) {
    }

    private final Map<String, Rule> rules;
    private final List<String> allowedLogins;
    private final List<String> attachmentModels;
    private final String placeholder;
    private final boolean amountsEnabled;
    private final Map<String, ScaledTable> scaledTables;

    private AnonymizationRules(Map<String, Rule> rules, List<String> allowedLogins, List<String> attachmentModels,
                               String placeholder, boolean amountsEnabled, Map<String, ScaledTable> scaledTables) {
        this.rules = rules;
        this.allowedLogins = allowedLogins;
        this.attachmentModels = attachmentModels;
        this.placeholder = placeholder;
        this.amountsEnabled = amountsEnabled;
        this.scaledTables = scaledTables;
    }

    /** The built-in rules covering the personal data of Odoo's standard modules. */
    public static AnonymizationRules defaults() {
        AnonymizationRules d = defaults;
        if (d == null) {
            try (InputStream in = AnonymizationRules.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(DEFAULTS_RESOURCE + " is missing from the build");
                }
                d = apply(empty(), YAML.readTree(in), "odoo-defaults.yaml");
            } catch (IOException e) {
                throw new IllegalStateException(DEFAULTS_RESOURCE + ": " + e.getMessage(), e);
            }
            defaults = d;
        }
        return d;
    }

    /** The defaults overridden by {@code file} (null: the defaults); a refusal names the file's field. */
    public static AnonymizationRules load(Path file) {
        if (file == null) {
            return defaults();
        }
        String source = file.toString();
        if (!Files.isRegularFile(file)) {
            throw new RequestRejected("anonymization.rules", source + ": no such file");
        }
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new RequestRejected("anonymization.rules", source + ": not valid YAML: " + e.getMessage());
        }
        return apply(defaults(), root, source);
    }

    /** The defaults overridden by YAML text (tests, and rules given inline). */
    public static AnonymizationRules parse(String yaml, String source) {
        try {
            return apply(defaults(), YAML.readTree(yaml), source);
        } catch (IOException e) {
            throw new RequestRejected("anonymization.rules", source + ": not valid YAML: " + e.getMessage());
        }
    }

    private static AnonymizationRules empty() {
        return new AnonymizationRules(new LinkedHashMap<>(), List.of(), List.of(), "", true, new LinkedHashMap<>());
    }

    private static AnonymizationRules apply(AnonymizationRules base, JsonNode root, String source) {
        Reader r = new Reader(source);
        if (root == null || root.isNull() || root.isMissingNode()) {
            return base;
        }
        r.object(root, "");
        r.only(root, "", "allowed_logins", "rules", "disable", "attachments", "amounts");
        Map<String, Rule> rules = new LinkedHashMap<>(base.rules);
        Map<String, ScaledTable> scaled = new LinkedHashMap<>(base.scaledTables);
        List<String> logins = root.has("allowed_logins") ? r.strings(root.get("allowed_logins"), "allowed_logins", null)
                : base.allowedLogins;
        JsonNode list = root.get("rules");
        if (list != null) {
            r.array(list, "rules");
            Set<String> seen = new LinkedHashSet<>();
            for (int i = 0; i < list.size(); i++) {
                Rule rule = r.rule(list.get(i), "rules[" + i + "]");
                if (!seen.add(rule.name())) {
                    throw r.refuse("rules[" + i + "].name", "the name '" + rule.name() + "' is used twice");
                }
                rules.put(rule.name(), rule);
            }
        }
        List<String> models = base.attachmentModels;
        String placeholder = base.placeholder;
        JsonNode att = root.get("attachments");
        if (att != null) {
            r.object(att, "attachments");
            r.only(att, "attachments", "models", "placeholder");
            if (att.has("models")) {
                models = r.strings(att.get("models"), "attachments.models", MODEL);
            }
            if (att.has("placeholder")) {
                placeholder = r.text(att.get("placeholder"), "attachments.placeholder");
                if (placeholder.isEmpty()) {
                    throw r.refuse("attachments.placeholder", "must not be empty");
                }
            }
        }
        boolean amounts = base.amountsEnabled;
        JsonNode am = root.get("amounts");
        if (am != null) {
            r.object(am, "amounts");
            r.only(am, "amounts", "enabled", "tables");
            if (am.has("enabled")) {
                if (!am.get("enabled").isBoolean()) {
                    throw r.refuse("amounts.enabled", "must be true or false");
                }
                amounts = am.get("enabled").asBoolean();
            }
            JsonNode tables = am.get("tables");
            if (tables != null) {
                r.array(tables, "amounts.tables");
                for (int i = 0; i < tables.size(); i++) {
                    ScaledTable t = r.scaled(tables.get(i), "amounts.tables[" + i + "]");
                    scaled.put(t.name(), t);
                }
            }
        }
        JsonNode disable = root.get("disable");
        if (disable != null) {
            List<String> names = r.strings(disable, "disable", null);
            for (int i = 0; i < names.size(); i++) {
                String n = names.get(i);
                if (rules.remove(n) == null && scaled.remove(n) == null) {
                    throw r.refuse("disable[" + i + "]", "no rule or amounts table is named '" + n + "'");
                }
            }
        }
        return new AnonymizationRules(java.util.Collections.unmodifiableMap(rules),
                List.copyOf(logins), List.copyOf(models), placeholder, amounts,
                java.util.Collections.unmodifiableMap(scaled));
    }

    public List<Rule> rules() {
        return List.copyOf(rules.values());
    }

    public Rule rule(String name) {
        return rules.get(name);
    }

    public List<String> allowedLogins() {
        return allowedLogins;
    }

    public List<String> attachmentModels() {
        return attachmentModels;
    }

    public String placeholderText() {
        return placeholder;
    }

    public boolean amountsEnabled() {
        return amountsEnabled;
    }

    public List<ScaledTable> scaledTables() {
        return List.copyOf(scaledTables.values());
    }

    /** Reads one YAML tree, refusing with the file and the field's path. */
    private record Reader(String source) {
        RequestRejected refuse(String path, String message) {
            return new RequestRejected(path.isEmpty() ? "anonymization.rules" : path, source + ": " + message);
        }

        void object(JsonNode n, String path) {
            if (!n.isObject()) {
                throw refuse(path, "must be a mapping");
            }
        }

        void array(JsonNode n, String path) {
            if (!n.isArray()) {
                throw refuse(path, "must be a list");
            }
        }

        void only(JsonNode n, String path, String... keys) {
            Set<String> allowed = Set.of(keys);
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!allowed.contains(k)) {
                    throw refuse(path.isEmpty() ? k : path + "." + k, "unknown key (allowed: " + String.join(", ", keys) + ")");
                }
            }
        }

        String text(JsonNode n, String path) {
            if (n == null || !n.isValueNode() || n.isNull()) {
                throw refuse(path, "must be a text");
            }
            return n.asText();
        }

        String identifier(JsonNode n, String path) {
            String s = text(n, path);
            if (!IDENTIFIER.matcher(s).matches()) {
                throw refuse(path, "'" + s + "' is not a table/column name (lower case letters, digits, _)");
            }
            return s;
        }

        List<String> strings(JsonNode n, String path, Pattern pattern) {
            array(n, path);
            List<String> out = new ArrayList<>();
            for (int i = 0; i < n.size(); i++) {
                String s = text(n.get(i), path + "[" + i + "]");
                if (s.isBlank() || (pattern != null && !pattern.matcher(s).matches())) {
                    throw refuse(path + "[" + i + "]", "'" + s + "' is not valid here");
                }
                out.add(s);
            }
            return out;
        }

        List<String> identifiers(JsonNode n, String path) {
            array(n, path);
            List<String> out = new ArrayList<>();
            for (int i = 0; i < n.size(); i++) {
                out.add(identifier(n.get(i), path + "[" + i + "]"));
            }
            return out;
        }

        Rule rule(JsonNode n, String path) {
            object(n, path);
            only(n, path, "name", "table", "columns", "delete", "keep_allowed_users");
            if (!n.has("name")) {
                throw refuse(path + ".name", "is required");
            }
            String name = text(n.get("name"), path + ".name");
            if (name.isBlank()) {
                throw refuse(path + ".name", "must not be empty");
            }
            if (!n.has("table")) {
                throw refuse(path + ".table", "is required");
            }
            String table = identifier(n.get("table"), path + ".table");
            boolean delete = false;
            if (n.has("delete")) {
                if (!n.get("delete").isBoolean()) {
                    throw refuse(path + ".delete", "must be true or false");
                }
                delete = n.get("delete").asBoolean();
            }
            String keep = n.has("keep_allowed_users") ? identifier(n.get("keep_allowed_users"), path + ".keep_allowed_users") : null;
            List<ColumnRule> columns = new ArrayList<>();
            JsonNode cols = n.get("columns");
            if (cols != null) {
                object(cols, path + ".columns");
                for (Iterator<Map.Entry<String, JsonNode>> it = cols.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    String cpath = path + ".columns." + e.getKey();
                    if (!IDENTIFIER.matcher(e.getKey()).matches()) {
                        throw refuse(cpath, "'" + e.getKey() + "' is not a column name");
                    }
                    columns.add(column(e.getKey(), e.getValue(), cpath));
                }
            }
            if (delete && !columns.isEmpty()) {
                throw refuse(path + ".columns", "a rule that deletes rows replaces no columns");
            }
            if (!delete && columns.isEmpty()) {
                throw refuse(path + ".columns", "is required (or delete: true)");
            }
            return new Rule(name, table, List.copyOf(columns), delete, keep);
        }

        ColumnRule column(String column, JsonNode v, String path) {
            String kindText;
            String value = null;
            if (v == null || v.isNull()) {
                kindText = "null";   // YAML "email: null" reads as a null node
            } else if (v.isObject()) {
                only(v, path, "kind", "value");
                kindText = text(v.get("kind"), path + ".kind");
                if (v.has("value")) {
                    value = text(v.get("value"), path + ".value");
                }
            } else {
                kindText = text(v, path);
            }
            Kind kind = Kind.parse(kindText);
            if (kind == null) {
                StringBuilder known = new StringBuilder();
                for (Kind k : Kind.values()) {
                    known.append(known.isEmpty() ? "" : ", ").append(k.yamlName());
                }
                throw refuse(path, "unknown kind '" + kindText + "' (known: " + known + ")");
            }
            if (value != null && kind != Kind.TEXT && kind != Kind.HTML) {
                throw refuse(path + ".value", "only a text or html column takes a value");
            }
            return new ColumnRule(column, kind, value);
        }

        ScaledTable scaled(JsonNode n, String path) {
            object(n, path);
            only(n, path, "name", "table", "currency", "columns", "row_sums", "totals");
            if (!n.has("name")) {
                throw refuse(path + ".name", "is required");
            }
            String name = text(n.get("name"), path + ".name");
            if (!n.has("table")) {
                throw refuse(path + ".table", "is required");
            }
            String table = identifier(n.get("table"), path + ".table");
            String currency = n.has("currency") ? identifier(n.get("currency"), path + ".currency") : null;
            if (!n.has("columns")) {
                throw refuse(path + ".columns", "is required");
            }
            List<String> columns = identifiers(n.get("columns"), path + ".columns");
            Map<String, List<String>> sums = new LinkedHashMap<>();
            JsonNode rs = n.get("row_sums");
            if (rs != null) {
                object(rs, path + ".row_sums");
                for (Iterator<Map.Entry<String, JsonNode>> it = rs.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    String p = path + ".row_sums." + e.getKey();
                    if (!IDENTIFIER.matcher(e.getKey()).matches()) {
                        throw refuse(p, "'" + e.getKey() + "' is not a column name");
                    }
                    sums.put(e.getKey(), identifiers(e.getValue(), p));
                }
            }
            Totals totals = null;
            JsonNode t = n.get("totals");
            if (t != null) {
                object(t, path + ".totals");
                only(t, path + ".totals", "table", "key", "columns");
                String lines = identifier(t.get("table"), path + ".totals.table");
                String key = identifier(t.get("key"), path + ".totals.key");
                JsonNode tc = t.get("columns");
                if (tc == null) {
                    throw refuse(path + ".totals.columns", "is required");
                }
                object(tc, path + ".totals.columns");
                Map<String, String> map = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = tc.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    String p = path + ".totals.columns." + e.getKey();
                    if (!IDENTIFIER.matcher(e.getKey()).matches()) {
                        throw refuse(p, "'" + e.getKey() + "' is not a column name");
                    }
                    map.put(e.getKey(), identifier(e.getValue(), p));
                }
                totals = new Totals(lines, key, map);
            }
            return new ScaledTable(name, table, currency, columns, sums, totals);
        }
    }
}
