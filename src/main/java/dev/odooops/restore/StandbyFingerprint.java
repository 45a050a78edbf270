package dev.odooops.restore;


import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * What proves that nobody wrote to a warm standby since it was closed (issue 16, section 3), read WITHOUT connecting
 * to it:
 * <ul>
 *   <li>the database, from {@code pg_database} and {@code pg_stat_database}: its oid (a dropped and re-created
 *   database gets a new one), {@code datallowconn} (false), the rows inserted, updated and deleted and the
 *   transactions committed since the statistics were last reset, when they were reset, and its size. Any write needs a
 *   connection, so re-opening it; every session commits transactions and a write changes the row counters and
 *   usually the size; a reset changes {@code stats_reset}. A false refusal (e.g. an autovacuum visit counted) only
 *   costs the normal path; a false accept is what must not happen;</li>
 *   <li>the kept filestore's layout: its regular files' count and bytes and a digest of every file's relative path,
 *   size, inode and modification time (a file replaced, rewritten, added or removed changes it). Nothing but regular
 *   files and directories may be there.</li>
 * </ul>
 * Plain Java: {@link #compare} is unit-tested without a database.
 */
public final class StandbyFingerprint {
    /** The database keys compared, in this order. */
    public static final List<String> DATABASE_KEYS = List.of("oid", "datallowconn", "tup_inserted", "tup_updated", "tup_deleted",
            "xact_commit", "xact_rollback", "stats_reset", "size_bytes");
    /** The filestore keys compared. */
    public static final List<String> FILESTORE_KEYS = List.of("files", "bytes", "layout_digest");

    private StandbyFingerprint() {
    }

    /**
     * Why {@code now} does not prove the same untouched copy as {@code recorded} (null: it does). A value missing on
     * either side refuses.
     */
    public static String compare(Map<String, Object> recorded, Map<String, Object> now, List<String> keys, String what) {
        if (recorded == null || recorded.isEmpty()) return what + ": no fingerprint was recorded";
        if (now == null || now.isEmpty()) return what + ": not found";
        for (String k : keys) {
            Object a = recorded.get(k);
            Object b = now.get(k);
            if (a == null || b == null) return what + ": " + k + " unknown (recorded " + a + ", now " + b + ")";
            if (!Objects.equals(String.valueOf(a), String.valueOf(b))) {
                return what + ": " + k + " was " + a + " when kept, is " + b + " now";
            }
        }
        return null;
    }

    /** The database's fingerprint, read from the maintenance connection {@code c}; empty when it does not exist. */
    public static Map<String, Object> database(java.sql.Connection c, String name) throws java.sql.SQLException {
        Map<String, Object> out = new LinkedHashMap<>();
        try (java.sql.PreparedStatement ps = c.prepareStatement("select d.oid::bigint, d.datallowconn, s.tup_inserted, s.tup_updated, "
                + "s.tup_deleted, s.xact_commit, s.xact_rollback, coalesce(s.stats_reset::text, 'never'), pg_database_size(d.oid), "
                + "(select count(*) from pg_stat_activity a where a.datid = d.oid and a.pid <> pg_backend_pid()) "
                + "from pg_database d left join pg_stat_database s on s.datid = d.oid where d.datname = ?")) {
            ps.setString(1, name);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return out;
                out.put("oid", rs.getLong(1));
                out.put("datallowconn", rs.getBoolean(2));
                out.put("tup_inserted", rs.getLong(3));
                out.put("tup_updated", rs.getLong(4));
                out.put("tup_deleted", rs.getLong(5));
                out.put("xact_commit", rs.getLong(6));
                out.put("xact_rollback", rs.getLong(7));
                out.put("stats_reset", rs.getString(8));
                out.put("size_bytes", rs.getLong(9));
                out.put("sessions", rs.getLong(10));
            }
        }
        return out;
    }

    /**
     * The layout of the kept filestore {@code root}: {@code files}, {@code bytes}, {@code layout_digest}; empty when it
     * does not exist. Throws on anything that is neither a regular file nor a directory.
     */
    public static Map<String, Object> filestore(Path root) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) return out;
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long files = 0;
        long bytes = 0;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted().toList()) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isDirectory()) continue;
                if (!a.isRegularFile()) throw new IOException("not a regular file or a directory in the kept filestore: " + root.relativize(p));
                Object ino = Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
                String line = root.relativize(p) + "\0" + a.size() + "\0" + ino + "\0" + a.lastModifiedTime().toInstant() + "\n";
                md.update(line.getBytes(StandardCharsets.UTF_8));
                files++;
                bytes += a.size();
            }
        }
        out.put("files", files);
        out.put("bytes", bytes);
        out.put("layout_digest", java.util.HexFormat.of().formatHex(md.digest()));
        return out;
    }
}
