package dev.odooops.model;

import java.time.Instant;
import java.util.UUID;

/**
 * A pull-request environment as the catalog records it (ops.pr_environments): its environment id {@code P/pr-<N>},
 * what it was made of ({@code source} snapshot|staging|empty, and the artifact for a snapshot), and its status:
 * {@code creating} or {@code deleting} while run {@code runId} works on it (or died half-way), {@code ready} once made.
 */
public record PrEnvironment(String project, int pr, String environmentId, String database, String filestore, String envFile,
                            String source, String artifactId, String status, UUID runId, Instant createdAt) {
    public static final String CREATING = "creating";
    public static final String READY = "ready";
    public static final String DELETING = "deleting";
}
