package dev.odooops.model;

import java.time.Instant;
import java.util.Map;

/** A verified artifact's change fingerprints, for the skip-if-unchanged check. */
public record Fingerprinted(String artifactId, Instant createdAt, Map<String, Map<String, String>> fingerprint) {
}
