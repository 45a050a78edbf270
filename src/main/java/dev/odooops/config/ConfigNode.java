package dev.odooops.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A YAML node with the path that led to it, so that every validation error can name the file and the key
 * ({@code environments.yaml: projects[0].environments[1].type: expected ...}).
 * Secret values are written as references, {@code ${env:NAME}} or {@code ${secret:NAME}}, and resolved here.
 */
final class ConfigNode {
    /** A secret reference as the environments file writes it: {@code ${env:NAME}} or {@code ${secret:NAME}} (also ConfigInventory's). */
    static final java.util.regex.Pattern REFERENCE = java.util.regex.Pattern.compile("\\$\\{(env|secret):([A-Za-z0-9_.-]+)}");

    private final String file;
    private final String path;
    private final JsonNode node;
    private final Function<String, String> env;
    private final Map<String, String> secrets;

    ConfigNode(String file, String path, JsonNode node, Function<String, String> env, Map<String, String> secrets) {
        this.file = file;
        this.path = path;
        this.node = node;
        this.env = env;
        this.secrets = secrets;
    }

    String path() {
        return path;
    }

    boolean has(String key) {
        JsonNode child = node == null ? null : node.get(key);
        return child != null && !child.isNull();
    }

    ConfigNode child(String key) {
        JsonNode child = node == null ? null : node.get(key);
        return new ConfigNode(file, path.isEmpty() ? key : path + "." + key, child, env, secrets);
    }

    ConfigNode object(String key) {
        ConfigNode c = child(key);
        if (c.node == null || !c.node.isObject()) {
            throw error(c.path, "a mapping", c.node == null ? null : c.node.toString());
        }
        return c;
    }

    /**
     * The mapping under {@code key} as plain values (strings, numbers, booleans, lists, maps), for a block that
     * another layer reads with its own rules (a schedule's {@code request}); empty when absent.
     */
    @SuppressWarnings("unchecked")
    Map<String, Object> plainMap(String key) {
        if (!has(key)) return Map.of();
        ConfigNode c = object(key);
        return java.util.Collections.unmodifiableMap(new com.fasterxml.jackson.databind.ObjectMapper().convertValue(c.node, java.util.LinkedHashMap.class));
    }

    List<ConfigNode> list(String key, boolean required) {
        ConfigNode c = child(key);
        if (c.node == null || c.node.isNull()) {
            if (required) throw error(c.path, "a non-empty list", null);
            return List.of();
        }
        if (!c.node.isArray()) throw error(c.path, "a list", c.node.toString());
        List<ConfigNode> out = new ArrayList<>();
        for (int i = 0; i < c.node.size(); i++) {
            out.add(new ConfigNode(file, c.path + "[" + i + "]", c.node.get(i), env, secrets));
        }
        if (required && out.isEmpty()) throw error(c.path, "a non-empty list", "[]");
        return out;
    }

    List<String> strings(String key) {
        List<String> out = new ArrayList<>();
        for (ConfigNode item : list(key, false)) {
            if (!item.node.isValueNode()) throw error(item.path, "a string", item.node.toString());
            out.add(item.node.asText());
        }
        return out;
    }

    String string(String key) {
        ConfigNode c = child(key);
        if (c.node == null || c.node.isNull() || c.node.asText().isBlank()) throw error(c.path, "a non-empty string", null);
        if (!c.node.isValueNode()) throw error(c.path, "a string", c.node.toString());
        return c.node.asText();
    }

    String string(String key, String fallback) {
        return has(key) ? string(key) : fallback;
    }

    String name(String key) {
        String value = string(key);
        if (!value.matches("[a-z0-9][a-z0-9_-]{0,62}")) {
            throw error(child(key).path, "a lower-case name of letters, digits, '_' or '-' (at most 63)", value);
        }
        return value;
    }

    String oneOf(String key, String fallback, String... allowed) {
        String value = has(key) ? string(key) : fallback;
        for (String a : allowed) if (a.equals(value)) return value;
        throw error(child(key).path, "one of " + String.join("|", allowed), value);
    }

    int integer(String key, int fallback, int min, int max) {
        if (!has(key)) return fallback;
        ConfigNode c = child(key);
        if (!c.node.canConvertToInt() || !c.node.isIntegralNumber() || c.node.asInt() < min || c.node.asInt() > max) {
            throw error(c.path, "a whole number from " + min + " to " + max, c.node.asText());
        }
        return c.node.asInt();
    }

    /** A secret: must be a reference, never a literal in the file. Returns null when absent and optional. */
    Secret secret(String key, boolean required) {
        if (!has(key)) {
            if (required) throw error(child(key).path, "a secret reference ${env:NAME} or ${secret:NAME}", null);
            return null;
        }
        String ref = string(key);
        String where = child(key).path;
        java.util.regex.Matcher m = REFERENCE.matcher(ref);
        if (!m.matches()) {
            // never echo the value: it may be a literal password
            throw new ConfigException(file + ": " + where
                    + ": expected a secret reference ${env:NAME} or ${secret:NAME}; literal secrets are not accepted in this file");
        }
        String value = m.group(1).equals("env") ? env.apply(m.group(2)) : secrets.get(m.group(2));
        if (value == null) {
            throw new ConfigException(file + ": " + where + ": " + ref + " is not set"
                    + (m.group(1).equals("env") ? " in the environment" : " in the secrets file"));
        }
        return new Secret(value);
    }

    /** Rejects keys this mapping does not know (typos would otherwise be silently ignored). */
    ConfigNode only(String... keys) {
        if (node == null || !node.isObject()) return this;
        java.util.Set<String> known = java.util.Set.of(keys);
        java.util.Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String k = names.next();
            if (!known.contains(k)) {
                throw new ConfigException(file + ": " + (path.isEmpty() ? k : path + "." + k) + ": unknown key (expected one of "
                        + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
        }
        return this;
    }

    /** The YAML as read (pull-request environments substitute {pr} in a copy of it). */
    JsonNode raw() {
        return node;
    }

    /** {@code other} read as if it stood where this node stands (same file, path and secret references). */
    ConfigNode with(JsonNode other) {
        return new ConfigNode(file, path, other, env, secrets);
    }

    /** Whether this node is a mapping (a block of keys). */
    boolean isMapping() {
        return node != null && node.isObject();
    }

    /** The file this node was read from. */
    String file() {
        return file;
    }

    ConfigException error(String key, String expected, Object got) {
        return new ConfigException(file, key, expected, got);
    }
}
