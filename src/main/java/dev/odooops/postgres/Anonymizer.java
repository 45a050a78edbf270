package dev.odooops.postgres;

import dev.odooops.domain.AnonymizationRules;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;

/**
 * Anonymises a scratch copy of an Odoo database and its filestore in place, set-wise in SQL (issue 14, section 1).
 * STUB: the anonymisation work (helper "anon") replaces the body; keep the signature.
 */
public final class Anonymizer {
    /**
     * What one anonymisation did, as the snapshot's evidence records it ({@code anonymization.json}): rules run with
     * rows touched and time taken, tables/columns absent and skipped, the amount factor's effect, attachments replaced,
     * notes (e.g. accounting hash chains that cannot survive scaled amounts). Never an original value.
     */
    public record Outcome(Map<String, Object> evidence) {
    }

    /**
     * Anonymises the database {@code connection} is connected to (a scratch copy, never production) and the files of
     * its filestore directory {@code filestore} (Odoo layout {@code <2 hex>/<sha1>}; replaced attachments get a
     * placeholder file under its own SHA-1 name, rows updated), with {@code rules} and the per-snapshot {@code salt}.
     */
    public Outcome anonymize(Connection connection, Path filestore, AnonymizationRules rules, String salt) {
        throw new UnsupportedOperationException("anonymisation is not built yet");
    }
}
