package dev.odooops.model;

import java.util.Map;

/**
 * The result of a checking operation (preflight-restore, validate-env, verify-artifact, recover, get-run):
 * whether everything held, and the report as it is printed or sent (JSON-ready, redacted).
 */
public record Report(boolean ok, Map<String, Object> body) {
    public Report {
        body = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(body));
    }
}
