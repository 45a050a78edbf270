package dev.odooops.model;

import java.util.Locale;

/** Why stored objects are removed: a retention prune, a failed run's upload, a dead run's partial upload. */
public enum DeletionReason {
    PRUNE, FAILED_RUN, ABANDONED_RUN;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DeletionReason parse(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }
}
