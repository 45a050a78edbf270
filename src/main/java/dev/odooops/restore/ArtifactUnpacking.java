package dev.odooops.restore;

import dev.odooops.config.DatabaseConfig;
import dev.odooops.domain.TarListing;
import dev.odooops.exec.ToolRunner;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What loading an artifact's parts takes, shared by the restore steps and by every operation that loads an artifact
 * somewhere else (a sanitised snapshot's scratch copy): the {@code pg_restore} command line and the admission of a
 * filestore archive or pack (tar's own listing, every member judged by {@link TarListing#refusals}). One place, so a
 * scratch copy is loaded exactly as a restore loads it.
 */
public final class ArtifactUnpacking {
    private ArtifactUnpacking() {
    }

    /**
     * {@code pg_restore --exit-on-error --no-owner --no-acl} of {@code dump} into {@code database} on the server of
     * {@code db}, as its user (the password through PGPASSFILE, never here).
     */
    public static List<String> pgRestore(DatabaseConfig db, String database, Path dump, int jobs) {
        return List.of("pg_restore", "--exit-on-error", "--no-owner", "--no-acl", "--no-password",
                "--jobs=" + jobs, "--host=" + db.host(), "--port=" + db.port(), "--username=" + db.user(),
                "--dbname=" + database, dump.toString());
    }

    /**
     * Lists {@code archive} with tar itself and judges every member: only regular files and directories, relative
     * paths, at most {@code maxBytes} in all (-1: no bound). Returns the check as evidence records it ({@code ok},
     * {@code members}, {@code max_bytes}, {@code refused}, {@code refused_members}: the first 100).
     */
    public static Map<String, Object> admission(ToolRunner tools, Path archive, long maxBytes, Duration timeout) {
        List<String> argv = new ArrayList<>(List.of("tar", "--zstd", "--list"));
        argv.addAll(TarListing.LIST_OPTIONS);
        argv.add("--file=" + archive);
        List<TarListing.Member> members = TarListing.parse(tools.run(argv, Map.of(), timeout).stdout());
        List<String> refused = TarListing.refusals(members, maxBytes);
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("ok", refused.isEmpty());
        check.put("members", members.size());
        check.put("max_bytes", maxBytes);
        check.put("refused", refused.size());
        check.put("refused_members", refused.subList(0, Math.min(100, refused.size())));
        return check;
    }

    /** The exception that refuses an archive whose {@link #admission} was not ok. */
    @SuppressWarnings("unchecked")
    public static IllegalStateException refused(String name, Map<String, Object> check) {
        List<String> refused = (List<String>) check.get("refused_members");
        return new IllegalStateException(name + " refused: " + check.get("refused") + " member(s) may not enter a "
                + "filestore (only regular files and directories, relative paths, within the recorded size), first: "
                + (refused.isEmpty() ? "?" : refused.get(0)));
    }
}
