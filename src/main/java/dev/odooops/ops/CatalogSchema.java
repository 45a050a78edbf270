package dev.odooops.ops;

import java.util.Optional;

/**
 * Where the ops catalog's schema stands against this odoo-ops, and whether a command may use it (plain Java: the
 * decision, with its own tests; {@link OpsDatabase} reads the facts with Flyway).
 * <ul>
 *   <li>new (no migration applied): every command creates it at this version, so a fresh machine works at once;</li>
 *   <li>current (every migration this odoo-ops knows applied, none it does not know): every command runs;</li>
 *   <li>older (migrations this odoo-ops knows are pending): only {@code odoo-ops migrate} runs, and migrates it;
 *       every other command refuses naming {@code odoo-ops migrate}: an upgrade never migrates a shared catalog
 *       behind the operator's back (an older instance still running would then work on a newer catalog);</li>
 *   <li>newer (a migration this odoo-ops does not know applied): every command refuses, {@code migrate} too,
 *       naming both versions: an older odoo-ops cannot judge what the newer schema records (it would prune
 *       artifacts the newer version keeps, or call a format it cannot read verified).</li>
 * </ul>
 *
 * @param catalogVersion the newest migration applied to the catalog, or null when none is
 * @param knownVersion   the newest migration this odoo-ops carries
 * @param pending        migrations this odoo-ops knows that the catalog lacks
 * @param unknown        migrations applied to the catalog that this odoo-ops does not know (Flyway's "future")
 */
public record CatalogSchema(String catalogVersion, String knownVersion, int pending, int unknown) {
    /** What a command does with the catalog. */
    public enum Verdict { CREATE, USE, MIGRATE_FIRST, TOO_NEW }

    public Verdict verdict() {
        if (unknown > 0) return Verdict.TOO_NEW;
        if (catalogVersion == null) return Verdict.CREATE;
        return pending > 0 ? Verdict.MIGRATE_FIRST : Verdict.USE;
    }

    /** Why an ordinary command may not run against this catalog, or empty when it may (after creating it, if new). */
    public Optional<String> refusalForCommand() {
        return switch (verdict()) {
            case TOO_NEW -> Optional.of(tooNew());
            case MIGRATE_FIRST -> Optional.of("the ops catalog's schema is at version " + catalogVersion
                    + ", older than this odoo-ops's " + knownVersion + " (" + pending + " migration(s) pending): run "
                    + "`odoo-ops migrate` once to upgrade it, after draining and stopping every older `odoo-ops serve` "
                    + "on this catalog (README, Upgrading); no command migrates it on its own");
            case CREATE, USE -> Optional.empty();
        };
    }

    /** Why {@code odoo-ops migrate} may not run against this catalog, or empty when it may. */
    public Optional<String> refusalForMigrate() {
        return verdict() == Verdict.TOO_NEW ? Optional.of(tooNew()) : Optional.empty();
    }

    private String tooNew() {
        return "the ops catalog's schema is at version " + catalogVersion + ", newer than the newest this odoo-ops knows ("
                + knownVersion + "): a newer odoo-ops has migrated it; run that version (this one refuses every command, "
                + "so it never prunes or judges what the newer schema records)";
    }
}
