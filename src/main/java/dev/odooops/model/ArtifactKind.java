package dev.odooops.model;

/**
 * What an artifact is for ({@code ops.artifacts.kind}): an operator's or a schedule's backup, or the safety
 * backup a restore takes of what it replaces (its own retention series and policy), or a sanitised snapshot
 * (anonymised, its packs apart from production's). {@link #wire()} is the stored form.
 */
public enum ArtifactKind {
    BACKUP, PRE_RESTORE, SANITIZED_SNAPSHOT,
    /** An Odoo zip imported by import-odoo-zip (staging.OdooZipImport): a child backup of the loaded copy. */
    IMPORTED;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The kind stored as {@code wire}; null for anything else (an artifact of a newer odoo-ops). */
    public static ArtifactKind of(String wire) {
        for (ArtifactKind k : values()) if (k.wire().equals(wire)) return k;
        return null;
    }
}
