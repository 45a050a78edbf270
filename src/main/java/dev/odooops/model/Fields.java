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
}
