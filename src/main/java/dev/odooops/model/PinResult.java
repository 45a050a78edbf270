package dev.odooops.model;

/** An artifact's pin state after {@code pin} or {@code unpin}. */
public record PinResult(String artifactId, boolean pinned) {
}
