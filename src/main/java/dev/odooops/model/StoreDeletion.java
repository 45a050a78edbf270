package dev.odooops.model;

/** A journaled removal of an artifact's stored objects (ops.store_deletions). */
public record StoreDeletion(long id, String environmentId, String artifactId, String uri, DeletionReason reason,
                            int attempts, String lastError) {
}
