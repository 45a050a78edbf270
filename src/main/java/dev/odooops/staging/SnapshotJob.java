package dev.odooops.staging;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.model.Artifact;
import dev.odooops.model.RunState;
import dev.odooops.model.SnapshotRequest;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A sanitised snapshot run in progress: the artifact it copies, its scratch database and directory (named by
 * {@link ScratchCopies} after the run), the files fetched, the timings of each step, and the snapshot artifact once
 * stored. The salt lives here only, never in evidence or the catalog.
 */
public final class SnapshotJob extends RunState {
    private final SnapshotRequest request;
    private final Artifact artifact;
    private final Map<String, Path> files = new LinkedHashMap<>();
    private final Map<String, Long> millis = new LinkedHashMap<>();
    private volatile Path scratchDirectory;
    private volatile String snapshotArtifactId;
    private volatile String snapshotRunId;
    private volatile String salt;

    public SnapshotJob(UUID runId, SnapshotRequest request, EnvironmentConfig environment, Artifact artifact, Instant createdAt,
                       SecretRedactor redactor) {
        super(runId == null ? UUID.randomUUID() : runId, environment, createdAt, redactor);
        this.request = request;
        this.artifact = artifact;
    }

    public SnapshotRequest request() { return request; }
    public Artifact artifact() { return artifact; }
    public Map<String, Path> files() { return files; }
    /** Milliseconds per step (fetch, restore, unpack, anonymise, store), in anonymization.json and the report. */
    public Map<String, Long> millis() { return millis; }
    public String scratchDatabase() { return ScratchCopies.database(SanitizedSnapshot.PURPOSE, runId()); }
    public Path scratchDirectory() { return scratchDirectory; }
    public void scratchDirectory(Path dir) { this.scratchDirectory = dir; }
    public String snapshotArtifactId() { return snapshotArtifactId; }
    public String snapshotRunId() { return snapshotRunId; }
    public void stored(String artifactId, String runId) {
        this.snapshotArtifactId = artifactId;
        this.snapshotRunId = runId;
    }
    String salt() { return salt; }
    void salt(String s) { this.salt = s; }
}
