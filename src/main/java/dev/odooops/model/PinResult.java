package dev.odooops.model;

import java.time.Instant;

/** An artifact's pin state after {@code pin} or {@code unpin}: the hold's reason and end when it has them. */
public record PinResult(String artifactId, boolean pinned, String reason, Instant until) {
    public java.util.Map<String, Object> toJson() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("artifact_id", artifactId);
        m.put("pinned", pinned);
        if (reason != null) m.put("pin_reason", reason);
        if (until != null) m.put("pinned_until", until.toString());
        return m;
    }
}
