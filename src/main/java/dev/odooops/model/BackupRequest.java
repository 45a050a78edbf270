package dev.odooops.model;

import dev.odooops.domain.RequestRejected;

/**
 * A request for a backup, as every trigger hands it over ({@code project} may be null: see {@link EnvironmentRequest}). Retention overrides are null when not given.
 * {@code kind} is {@link ArtifactKind#BACKUP} for operator backups and {@link ArtifactKind#PRE_RESTORE} for the safety backup a restore takes; the
 * latter runs as a child of the restore run ({@code parentRunId}) under the restore's lease. {@code force} takes a real
 * backup even when the environment is unchanged since its last verified artifact (otherwise such a backup is recorded
 * as a run {@code skipped_unchanged} pointing at that artifact).
 */
public record BackupRequest(String project, String environment, BackupType type, String label, Integer keepDaily,
                            Integer keepWeekly, Integer keepMonthly, String user, ArtifactKind kind, String trigger,
                            java.util.UUID parentRunId, boolean force, Integer keepYearly) implements EnvironmentRequest, AuthenticatedRequest {

    /** A request that may be skipped when the environment is unchanged ({@code force} false). */
    public BackupRequest(String project, String environment, BackupType type, String label, Integer keepDaily,
                         Integer keepWeekly, Integer keepMonthly, String user, ArtifactKind kind, String trigger,
                         java.util.UUID parentRunId) {
        this(project, environment, type, label, keepDaily, keepWeekly, keepMonthly, user, kind, trigger, parentRunId, false,
                null);
    }

    /** The same request, taken even when the environment is unchanged since its last verified artifact. */
    public BackupRequest forced(boolean force) {
        return new BackupRequest(project, environment, type, label, keepDaily, keepWeekly, keepMonthly, user, kind, trigger,
                parentRunId, force, keepYearly);
    }

    /** The same request with a yearly retention override (null: the environment's). */
    public BackupRequest keepingYearly(Integer yearly) {
        return new BackupRequest(project, environment, type, label, keepDaily, keepWeekly, keepMonthly, user, kind, trigger,
                parentRunId, force, yearly);
    }

    public BackupRequest {
        if (project != null && project.isBlank()) throw new RequestRejected("project", "is empty");
        Fields.environment(environment);
        require("user", user);
        if (type == null) throw new RequestRejected("type", "must be one of " + BackupType.allowed());
        checkKeep("keep-daily", keepDaily);
        checkKeep("keep-weekly", keepWeekly);
        checkKeep("keep-monthly", keepMonthly);
        checkKeep("keep-yearly", keepYearly);
        if (label != null && !label.matches("[\\p{L}\\p{N} ._:-]{1,100}")) {
            throw new RequestRejected("label", "must be 1-100 letters, digits, spaces or ._:-");
        }
        if (kind == null) kind = ArtifactKind.BACKUP;
        // an operator's backup has no parent; a safety backup, an imported zip or a snapshot is its operation's child run
        if ((kind != ArtifactKind.BACKUP) != (parentRunId != null)) {
            throw new IllegalArgumentException("a " + kind.wire() + " backup " + (parentRunId == null
                    ? "needs its parent run" : "has no parent run"));
        }
        if (trigger == null) trigger = "cli";
    }

    @Override
    public BackupRequest resolved(String project, String environment) {
        return new BackupRequest(project, environment, type, label, keepDaily, keepWeekly, keepMonthly, user, kind, trigger,
                parentRunId, force, keepYearly);
    }

    /** A request with no parent run: an operator's or a schedule's backup. */
    public static BackupRequest of(String project, String environment, BackupType type, String label, Integer keepDaily,
                                   Integer keepWeekly, Integer keepMonthly, String user, String trigger) {
        return new BackupRequest(project, environment, type, label, keepDaily, keepWeekly, keepMonthly, user, ArtifactKind.BACKUP,
                trigger, null);
    }

    private static void require(String field, String value) {
        if (value == null || value.isBlank()) throw new RequestRejected(field, "is required");
    }

    private static void checkKeep(String field, Integer value) {
        if (value != null && (value < 0 || value > 10000)) {
            throw new RequestRejected(field, "must be a whole number from 0 to 10000, got " + value);
        }
    }
}
