package dev.odooops.model;

/** Pin an artifact (never pruned by retention) or unpin it (back under the policy). */
public record PinRequest(String artifactId, boolean pinned) {
    public PinRequest {
        Fields.required("ID", artifactId);
    }
}
