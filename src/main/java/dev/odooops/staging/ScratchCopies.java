package dev.odooops.staging;

import dev.odooops.config.DatabaseConfig;
import dev.odooops.exec.WorkFiles;
import dev.odooops.postgres.PgAdmin;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The scratch copies a staging run makes (a snapshot's restored copy before anonymisation, an imported zip's SQL
 * loaded before it is re-dumped, ...), named after the run so that a run killed half-way leaves nothing that the next
 * sweep cannot recognise: databases {@code odoo_ops_scratch_<purpose>_<tag>} on the environment's server, directories
 * {@code <root>/scratch-<purpose>-<tag>}. The tag is the first 8 hex digits of the run id. Shared by the staging
 * operations; no step names a scratch copy any other way.
 */
public final class ScratchCopies {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ScratchCopies.class);
    public static final String DATABASE_PREFIX = "odoo_ops_scratch_";

    private ScratchCopies() {
    }

    public static String tag(UUID runId) {
        return runId.toString().substring(0, 8);
    }

    /** The scratch database of {@code purpose} (lower-case letters and digits) for run {@code runId}. */
    public static String database(String purpose, UUID runId) {
        return DATABASE_PREFIX + word(purpose) + "_" + tag(runId);
    }

    /** The scratch directory of {@code purpose} for run {@code runId} under {@code root}. */
    public static Path directory(Path root, String purpose, UUID runId) {
        return root.resolve("scratch-" + word(purpose) + "-" + tag(runId));
    }

    /** Whether {@code name} is a scratch database of run {@code runId} (any purpose). */
    public static boolean isScratchOf(String name, UUID runId) {
        return name.startsWith(DATABASE_PREFIX) && name.endsWith("_" + tag(runId));
    }

    /** Drops every scratch database of run {@code runId} on the server of {@code db}; returns their names. */
    public static List<String> dropDatabases(DatabaseConfig db, UUID runId) throws SQLException {
        try (PgAdmin admin = new PgAdmin(db)) {
            try { // a killed run's creation would appear after the listing; should ending it fail, what exists is dropped
                admin.endCreations(n -> isScratchOf(n, runId), PgAdmin.CREATION_WAIT);
            } catch (SQLException e) {
                LOG.warn("scratch databases of run {} still being created could not be ended: {}", runId, e.getMessage());
            }
            List<String> names = admin.namesLike(DATABASE_PREFIX).stream().filter(n -> isScratchOf(n, runId)).toList();
            for (String n : names) {
                admin.terminate(n);
                admin.dropIfExists(n);
            }
            return names;
        }
    }

    /** Removes the scratch directory of {@code purpose} for {@code runId} under {@code root}, if any. */
    public static void removeDirectory(Path root, String purpose, UUID runId) {
        WorkFiles.deleteTree(directory(root, purpose, runId));
    }

    /** The run tag of a scratch database or directory name, or null when {@code name} is not a scratch copy's. */
    public static String tagOf(String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("(?:" + DATABASE_PREFIX + "[a-z0-9]{1,20}_|scratch-[a-z0-9]{1,20}-)([0-9a-f]{8})").matcher(name);
        return m.matches() ? m.group(1) : null;
    }

    private static String word(String purpose) {
        String w = purpose.toLowerCase(Locale.ROOT);
        if (!w.matches("[a-z0-9]{1,20}")) throw new IllegalArgumentException("purpose: 1-20 of [a-z0-9], got '" + purpose + "'");
        return w;
    }
}
