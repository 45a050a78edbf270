package dev.odooops.drill;

import dev.odooops.config.DatabaseConfig;
import dev.odooops.staging.ScratchCopies;

import java.nio.file.Path;
import java.util.UUID;

/**
 * The names of a drill's scratch copies, all derived from its run id through {@link ScratchCopies} (so that the
 * run-start sweep of scratch copies and the drill's own sweep recognise them after a {@code kill -9}):
 * <ul>
 *   <li>the scratch database {@code odoo_ops_scratch_drill_<tag>} (on the drill server, or the environment's own);</li>
 *   <li>the disposable clone a scratch Odoo starts on, {@code odoo_ops_scratch_drillodoo_<tag>} (same server);</li>
 *   <li>the data directory {@code <drills.work_dir>/scratch-drill-<tag>}, laid out as Odoo's {@code --data-dir}: the
 *   scratch filestore is {@code <data_dir>/filestore/<scratch database>}, the clone's {@code <data_dir>/filestore/<clone>}.</li>
 * </ul>
 */
public final class DrillNames {
    /** The purpose word of the scratch database and the data directory. */
    public static final String PURPOSE = "drill";
    /** The purpose word of the disposable clone a scratch Odoo runs on. */
    public static final String CLONE_PURPOSE = "drillodoo";

    private DrillNames() {
    }

    public static String database(UUID runId) {
        return ScratchCopies.database(PURPOSE, runId);
    }

    public static String clone(UUID runId) {
        return ScratchCopies.database(CLONE_PURPOSE, runId);
    }

    /** The data directory of run {@code runId} under the drills' work directory {@code root}. */
    public static Path dataDir(Path root, UUID runId) {
        return ScratchCopies.directory(root, PURPOSE, runId);
    }

    /** The filestore of {@code database} in {@code dataDir}, as Odoo lays it out. */
    public static Path filestore(Path dataDir, String database) {
        return dataDir.resolve("filestore").resolve(database);
    }

    /**
     * The data directory a recorded scratch filestore ({@code <data_dir>/filestore/<db>}) belongs to, or null when the
     * path is not laid out so (then nothing is removed on its say-so).
     */
    public static Path dataDirOf(String scratchFilestore) {
        if (scratchFilestore == null || scratchFilestore.isBlank()) return null;
        Path p = Path.of(scratchFilestore).normalize();
        Path parent = p.getParent();
        if (!p.isAbsolute() || parent == null || parent.getFileName() == null || !parent.getFileName().toString().equals("filestore")) return null;
        Path data = parent.getParent();
        if (data == null || data.getFileName() == null) return null;
        String name = data.getFileName().toString();
        return name.startsWith("scratch-" + PURPOSE + "-") && ScratchCopies.tagOf(name) != null ? data : null;
    }

    /** How a server is recorded ({@code ops.drills.server}): {@code host:port}. */
    public static String server(DatabaseConfig db) {
        return db.host() + ":" + db.port();
    }
}
