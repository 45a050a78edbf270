package dev.odooops.model;

/**
 * What a restore run reports.
 * <ul>
 *   <li>{@code status}: {@code success}; {@code failed} (nothing was changed, {@code --no-rollback}, or the
 *       rollback could not finish); {@code rolled_back} (the data is as it was and Odoo answers again);
 *       {@code rolled_back_odoo_down} (the data is as it was but Odoo did not come back healthy).</li>
 *   <li>{@code mode}: {@code restore} or {@code validate_only}, and {@code modeReason} why.</li>
 *   <li>{@code odooHealthy}: after a failure, whether Odoo answered its health check again (null when it
 *       was not restarted).</li>
 *   <li>{@code warnings}: what a successful run must still say (a symbolic link met in the live filestore).</li>
 *   <li>{@code downtimeMs}: a successful restore's downtime, from quiesce (maintenance on) to maintenance lifted, and
 *       {@code downtime} its parts (quiesce_ms, swap_database_ms, swap_filestore_ms, compare_config_ms, restart_ms,
 *       validate_ms, finalize_ms; each rounded down, so they sum to at most the total); null and empty otherwise.</li>
 * </ul>
 */
public record RestoreResult(String runId, String status, String evidenceDir, String preRestoreBackupId,
                            String failedStep, String error, String mode, String modeReason, Boolean odooHealthy,
                            java.util.List<String> warnings, Long downtimeMs, java.util.Map<String, Long> downtime) {
    public RestoreResult {
        warnings = warnings == null ? java.util.List.of() : java.util.List.copyOf(warnings);
        downtime = downtime == null ? java.util.Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(downtime));
    }

    /** A result without a measured downtime (validation only, a failure, maintenance not lifted). */
    public RestoreResult(String runId, String status, String evidenceDir, String preRestoreBackupId, String failedStep,
                         String error, String mode, String modeReason, Boolean odooHealthy, java.util.List<String> warnings) {
        this(runId, status, evidenceDir, preRestoreBackupId, failedStep, error, mode, modeReason, odooHealthy, warnings, null, null);
    }

    /** A result with no warnings. */
    public RestoreResult(String runId, String status, String evidenceDir, String preRestoreBackupId, String failedStep,
                         String error, String mode, String modeReason, Boolean odooHealthy) {
        this(runId, status, evidenceDir, preRestoreBackupId, failedStep, error, mode, modeReason, odooHealthy, null);
    }

    public boolean succeeded() {
        return "success".equals(status);
    }

    public boolean validationOnly() {
        return "validate_only".equals(mode);
    }

    /** The data is back but Odoo is down: the operator must act at once. */
    public boolean odooDown() {
        return Boolean.FALSE.equals(odooHealthy);
    }
}
