package dev.odooops.model;

import dev.odooops.domain.ArtifactManifest;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * An artifact row as the restore and verify sides read it. {@code pinned}: held now; a pin whose legal hold has
 * ended ({@code pinned_until} passed) is not.
 */
public record Artifact(String id, String environmentId, UUID runId, String kind, String backupType, String uri,
                       Map<String, Object> checksums, Map<String, Object> sizes, ArtifactManifest manifest,
                       String label, boolean pinned, Instant createdAt, Instant prunedAt) {
    /** module -> version as the backup recorded them (the manifest's manifest.modules_installed), or null. */
    public Map<String, String> modulesInstalled() {
        return manifest == null ? null : manifest.modulesInstalled();
    }
}
