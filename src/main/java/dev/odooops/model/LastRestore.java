package dev.odooops.model;

import java.util.Map;
import java.util.UUID;

/** The environment's most recent successful restore: its run, artifact, type and end-of-run fingerprint. */
public record LastRestore(UUID runId, String artifactId, String restoreType, Map<String, Object> fingerprint) {
}
