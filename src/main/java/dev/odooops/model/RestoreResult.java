package dev.odooops.model;

/** What a restore run reports: status success, failed or rolled_back. */
public record RestoreResult(String runId, String status, String evidenceDir, String preRestoreBackupId,
                            String failedStep, String error, boolean validationOnly) {

    public boolean succeeded() {
        return "success".equals(status);
    }
}
