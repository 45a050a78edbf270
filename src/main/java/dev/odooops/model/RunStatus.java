package dev.odooops.model;

/**
 * The status of a run in the ops catalog ({@code ops.runs.status}); {@link #wire()} is the stored and printed
 * form. {@code queued} and {@code running} are active (one per environment); the others are final.
 * {@code skipped} is a request that could not run (a schedule firing on a busy environment);
 * {@code skipped_unchanged} a backup that found the environment unchanged since a verified artifact, which it names.
 * {@code rolled_back_odoo_down} has an application-neutral name, {@code rolled_back_app_down} ({@link #neutral()}),
 * printed beside it as {@code app_status} and accepted wherever a status is read; the Odoo word stays stored and
 * printed as {@code status} for one more release.
 */
public enum RunStatus {
    QUEUED, RUNNING, SUCCESS, FAILED, ROLLED_BACK, ROLLED_BACK_ODOO_DOWN, ABANDONED, SKIPPED, SKIPPED_UNCHANGED;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public boolean active() {
        return this == QUEUED || this == RUNNING;
    }

    /** The application-neutral name: {@code rolled_back_app_down} for {@code rolled_back_odoo_down}, else {@link #wire()}. */
    public String neutral() {
        return this == ROLLED_BACK_ODOO_DOWN ? "rolled_back_app_down" : wire();
    }

    /** The application-neutral name of a stored status (unknown words unchanged). */
    public static String neutral(String wire) {
        return "rolled_back_odoo_down".equals(wire) ? ROLLED_BACK_ODOO_DOWN.neutral() : wire;
    }

    public static RunStatus of(String wire) {
        if ("rolled_back_app_down".equals(wire)) return ROLLED_BACK_ODOO_DOWN;
        return valueOf(wire.toUpperCase(java.util.Locale.ROOT));
    }
}
