package dev.odooops.model;

import java.util.UUID;

/** A run that {@code ops.begin_run} abandoned while starting another, with its unregistered artifact id. */
public record AbandonedRun(UUID runId, String environmentId, String operation, String unregisteredArtifactId) {
}
