package dev.odooops.model;

import dev.odooops.domain.RequestRejected;

/** The checks every request record makes of its fields, each rejection naming the field. */
final class Fields {
    private Fields() {
    }

    /** The environment of an {@link EnvironmentRequest}: E or P/E, required. */
    static void environment(String value) {
        if (value == null || value.isBlank()) throw new RequestRejected("env", "is required: E or P/E (project/environment)");
    }

    static void required(String field, String value) {
        if (value == null || value.isBlank()) throw new RequestRejected(field, "is required");
    }

    /** A page size: 1 to 1000, {@code fallback} when not given. */
    static int limit(Integer limit, int fallback) {
        if (limit == null) return fallback;
        if (limit < 1 || limit > 1000) throw new RequestRejected("limit", "must be a whole number from 1 to 1000, got " + limit);
        return limit;
    }
}
