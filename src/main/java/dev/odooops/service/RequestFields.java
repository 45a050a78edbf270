package dev.odooops.service;

import dev.odooops.domain.RequestRejected;

import java.util.List;
import java.util.Map;

/**
 * Typed reads of a request's fields (an HTTP body, a JMS message, an inbox file, a schedule's request), each refusal
 * naming the field; a field not in {@code allowed} is refused at once.
 */
public record RequestFields(Map<String, Object> values, List<String> allowed) {
    public RequestFields {
        if (values == null) throw new RequestRejected("body", "expected a JSON object");
        for (String k : values.keySet()) {
            if (!allowed.contains(k)) {
                throw new RequestRejected(k, "unknown field (expected " + String.join(", ", allowed) + ")");
            }
        }
    }

    public String string(String key) {
        Object v = values.get(key);
        if (v == null) return null;
        if (!(v instanceof String s)) throw new RequestRejected(key, "expected a string, got " + describe(v));
        return s;
    }

    public String required(String key) {
        String v = string(key);
        if (v == null || v.isBlank()) throw new RequestRejected(key, "is required");
        return v;
    }

    public Integer integer(String key) {
        Object v = values.get(key);
        if (v == null) return null;
        if (v instanceof Integer i) return i;
        if (v instanceof Long l && l == l.intValue()) return l.intValue();
        throw new RequestRejected(key, "expected a whole number, got " + describe(v));
    }

    public boolean bool(String key, boolean fallback) {
        Object v = values.get(key);
        if (v == null) return fallback;
        if (!(v instanceof Boolean b)) throw new RequestRejected(key, "expected true or false, got " + describe(v));
        return b;
    }

    private static String describe(Object v) {
        String s = String.valueOf(v);
        return (v instanceof String ? "'" + s + "'" : s.length() > 40 ? s.substring(0, 40) + "..." : s);
    }
}
