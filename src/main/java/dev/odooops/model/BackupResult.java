package dev.odooops.model;

import java.util.List;

/**
 * What a backup run reports to its trigger. {@code error} is set when the run failed (redacted);
 * {@code warnings} lists what a successful run must still say: referenced attachment files missing or corrupt,
 * a retention prune that failed after the commit (redacted).
 */
public record BackupResult(String runId, String artifactId, String status, String evidenceDir, String failedStep,
                           String error, List<String> warnings) {

    public BackupResult {
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    public BackupResult(String runId, String artifactId, String status, String evidenceDir, String failedStep, String error) {
        this(runId, artifactId, status, evidenceDir, failedStep, error, List.of());
    }

    /** A new artifact, or an unchanged environment covered by the verified artifact {@code artifactId}. */
    public boolean succeeded() {
        return "success".equals(status) || skippedUnchanged();
    }

    public boolean skippedUnchanged() {
        return "skipped_unchanged".equals(status);
    }
}
