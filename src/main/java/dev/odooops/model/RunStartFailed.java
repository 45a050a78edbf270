package dev.odooops.model;

import java.util.UUID;

/**
 * A run that exists in the catalog but could not start (step create-run): it is already marked failed and
 * what the start had created is removed. Unlike {@link RequestRejected} there is a run to report, so each
 * trigger reports it as a failed run (the CLI: the JSON result, exit 1).
 */
public class RunStartFailed extends RuntimeException {
    public static final String STEP = "create-run";
    private final UUID runId;
    private final String evidenceDir;

    public RunStartFailed(UUID runId, String evidenceDir, String reason, Throwable cause) {
        super(reason, cause);
        this.runId = runId;
        this.evidenceDir = evidenceDir;
    }

    public UUID runId() {
        return runId;
    }

    /** The run's evidence directory, or null when nothing could be written there (it was removed). */
    public String evidenceDir() {
        return evidenceDir;
    }

    public BackupResult backupResult() {
        return new BackupResult(runId.toString(), null, "failed", evidenceDir, STEP, getMessage());
    }

    public RestoreResult restoreResult() {
        return new RestoreResult(runId.toString(), "failed", evidenceDir, null, STEP, getMessage(), null, null, null);
    }
}
