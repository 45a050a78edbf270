package dev.odooops.model;

/**
 * The status of a run in the ops catalog ({@code ops.runs.status}); {@link #wire()} is the stored and printed
 * form. {@code queued} and {@code running} are active (one per environment); the others are final.
 * {@code skipped} is a request that could not run (a schedule firing on a busy environment);
 * {@code skipped_unchanged} a backup that found the environment unchanged since a verified artifact, which it names.
 */
public enum RunStatus {
    QUEUED, RUNNING, SUCCESS, FAILED, ROLLED_BACK, ROLLED_BACK_ODOO_DOWN, ABANDONED, SKIPPED, SKIPPED_UNCHANGED;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public boolean active() {
        return this == QUEUED || this == RUNNING;
    }

    public static RunStatus of(String wire) {
        return valueOf(wire.toUpperCase(java.util.Locale.ROOT));
    }
}
