package dev.odooops.run;

/** Names of the exchange variables our routes pass between steps. */
public final class Vars {
    /** The {@link dev.odooops.model.BackupJob} of the run in progress. */
    public static final String BACKUP_JOB = "backupJob";
    /** The {@link dev.odooops.model.RestoreJob} of the run in progress. */
    public static final String RESTORE_JOB = "restoreJob";
    /** The pre-restore safety backup a restore took or reused ({@code restore.SafetyBackup.Taken}), null when none was needed. */
    public static final String SAFETY_BACKUP_TAKEN = "safetyBackupTaken";
    /** The {@link dev.odooops.model.QueuedRun} a service worker runs (absent for the command line). */
    public static final String QUEUED_RUN = "queuedRun";
    /**
     * The environment a backup reads instead of the configured one ({@link dev.odooops.config.EnvironmentConfig}, the
     * same environment with its database and filestore pointing at a staging operation's scratch copy), absent for
     * every other backup.
     */
    public static final String BACKUP_SOURCE = "backupSource";
    /** The job of a staging run in progress (a sanitised snapshot's {@code staging.SnapshotJob}, ...). */
    public static final String STAGING_JOB = "stagingJob";

    private Vars() {
    }
}
