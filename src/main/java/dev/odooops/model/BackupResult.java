package dev.odooops.model;

/** What a backup run reports to its trigger. {@code error} is set when the run failed (redacted). */
public record BackupResult(String runId, String artifactId, String status, String evidenceDir, String failedStep,
                           String error) {

    public boolean succeeded() {
        return "success".equals(status);
    }
}
