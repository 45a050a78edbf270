package dev.odooops.restore;

import dev.odooops.config.DatabaseConfig;
import dev.odooops.model.RestoreJob;
import dev.odooops.postgres.EnvironmentDatabase;
import dev.odooops.postgres.PgAdmin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/**
 * The warm standby's copies as the restore sees them (issue 16, section 3; kept by drill.WarmStandby): their names
 * beside the environment's live database and filestore, and how RestoreDatabase and RestoreFilestore claim them as the
 * restore's new copies instead of loading the artifact: renamed to the restore's side names ({@link SideCopies}), then
 * checked against the fingerprint recorded when they were kept ({@link StandbyFingerprint}), then opened.
 * <ul>
 *   <li>kept: {@code <db>__standby} and {@code <filestore>.standby};</li>
 *   <li>being kept (or replaced) by the drill whose run's tag is {@code <tag>}: {@code <db>__standby_<tag>} and
 *   {@code <filestore>.standby-<tag>} (the drill's sweep recognises them; the restore's sweep never takes them, its
 *   role words are others).</li>
 * </ul>
 */
public final class StandbyCopies {
    /** The role word of the kept copies. */
    public static final String ROLE = "standby";

    private StandbyCopies() {
    }

    /** The kept database of the environment whose database is {@code live}: {@code <db>__standby}. */
    public static String database(String live) {
        return cut(live, "__" + ROLE);
    }

    /** A standby database being kept by the drill whose tag is {@code tag}: {@code <db>__standby_<tag>}. */
    public static String pendingDatabase(String live, String tag) {
        return cut(live, "__" + ROLE + "_" + tag);
    }

    /** The kept filestore beside {@code live}: {@code <filestore>.standby}. */
    public static Path filestore(Path live) {
        return live.toAbsolutePath().resolveSibling(live.getFileName() + "." + ROLE);
    }

    /** A standby filestore being kept (or replaced) by the drill whose tag is {@code tag}. */
    public static Path pendingFilestore(Path live, String tag) {
        return live.toAbsolutePath().resolveSibling(live.getFileName() + "." + ROLE + "-" + tag);
    }

    private static String cut(String live, String suffix) {
        return (live.length() + suffix.length() > 63 ? live.substring(0, 63 - suffix.length()) : live) + suffix;
    }

    /**
     * The restore fingerprint (EnvironmentFingerprint) the drill recorded when it kept the copies, of the parts this
     * restore renamed in from the standby ({@code database}, {@code filestore}); empty when none was.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> restoreFingerprint(RestoreJob job) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        if (job.standby() == null || !(job.standby().get("recorded_fingerprint") instanceof Map<?, ?> fp)
                || !(fp.get(RESTORE_FINGERPRINT) instanceof Map<?, ?> recorded)) return out;
        for (String part : List.of("database", "filestore")) {
            if (job.standbyFor(part) && recorded.get(part) != null) out.put(part, recorded.get(part));
        }
        return out;
    }

    /** The key of {@link #restoreFingerprint} in the recorded fingerprint (set by drill.WarmStandby). */
    public static final String RESTORE_FINGERPRINT = "restore_fingerprint";

    /** {@code ALTER DATABASE name ALLOW_CONNECTIONS allow}, from the server's maintenance database. */
    public static void allowConnections(DatabaseConfig db, String name, boolean allow) throws SQLException {
        try (Connection c = EnvironmentDatabase.connect(db, "postgres"); Statement st = c.createStatement()) {
            String quoted = "\"" + name.replace("\"", "\"\"") + "\"";
            st.execute("alter database " + quoted + " allow_connections " + allow);
        }
    }

    @SuppressWarnings("unchecked")
    public static String checkDatabase(DatabaseConfig db, String name, Map<String, Object> fp) throws SQLException {
        Map<String, Object> now;
        try (Connection c = EnvironmentDatabase.connect(db, "postgres")) {
            now = StandbyFingerprint.database(c, name);
        }
        if (now.isEmpty()) return "database " + name + " is gone";
        if (Boolean.TRUE.equals(now.get("datallowconn"))) return "database " + name + " is open to connections (was re-opened)";
        if (now.get("sessions") instanceof Number n && n.longValue() > 0) return "database " + name + " has " + n + " session(s)";
        return StandbyFingerprint.compare((Map<String, Object>) fp.get("database"), now, StandbyFingerprint.DATABASE_KEYS,
                "database " + name + " changed since it was kept");
    }

    @SuppressWarnings("unchecked")
    public static String checkFilestore(Path kept, Map<String, Object> fp) throws IOException {
        Map<String, Object> now = StandbyFingerprint.filestore(kept);
        if (now.isEmpty()) return "filestore " + kept + " is gone";
        return StandbyFingerprint.compare((Map<String, Object>) fp.get("filestore"), now, StandbyFingerprint.FILESTORE_KEYS,
                "filestore " + kept + " changed since it was kept");
    }

    /**
     * The standby database claimed as the restore's new database {@code fresh} (RestoreDatabase.create): renamed, its
     * fingerprint checked again under the new name (a drill may have replaced it since {@link #decide}), then opened.
     * Null when claimed; else the reason (the copy under {@code fresh}, if any, is the restore's to drop; the normal
     * path runs).
     */
    @SuppressWarnings("unchecked")
    public static String claimDatabase(RestoreJob job, PgAdmin admin, String fresh) {
        Map<String, Object> fingerprint = (Map<String, Object>) job.standby().get("recorded_fingerprint");
        DatabaseConfig db = job.environment().database();
        String kept = database(db.name());
        try {
            admin.rename(kept, fresh);
            job.newDatabase(fresh);
        } catch (SQLException e) {
            return "database " + kept + " could not be renamed: " + e.getMessage();
        }
        try {
            String why = checkDatabase(db, fresh, fingerprint);
            if (why != null) return why;
            allowConnections(db, fresh, true);
            return null;
        } catch (SQLException e) {
            return "database " + fresh + " could not be checked or opened: " + e.getMessage();
        }
    }

    /** The kept filestore claimed as the restore's new tree {@code fresh}: renamed, its layout checked again. */
    @SuppressWarnings("unchecked")
    public static String claimFilestore(RestoreJob job, Path fresh) {
        Map<String, Object> fingerprint = (Map<String, Object>) job.standby().get("recorded_fingerprint");
        Path kept = filestore(job.environment().filestore().toAbsolutePath());
        try {
            Files.move(kept, fresh, StandardCopyOption.ATOMIC_MOVE);
            job.newFilestore(fresh);
            return checkFilestore(fresh, fingerprint);
        } catch (IOException e) {
            return "filestore " + kept + " could not be claimed: " + e.getMessage();
        }
    }

}
