package dev.odooops.restore;

import dev.odooops.config.DatabaseConfig;

import dev.odooops.postgres.EnvironmentDatabase;
import dev.odooops.postgres.PgAdmin;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.TreeDigest;
import dev.odooops.model.BackupType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A fingerprint of an environment's database and filestore, taken at the end of a successful restore and
 * compared before the next restore of the same artifact: only an equal fingerprint lets that restore skip
 * to validation. Every value is text, so a fingerprint read back from the catalog compares equal.
 * <ul>
 *   <li>database: its OID (a dropped and re-created database, as Odoo creates when {@code db_name} is
 *       missing, gets a new one) and a SHA-256 over every table's {@code count(*)} and
 *       {@code sum(xmin)}. Any committed change moves one of them: a delete lowers the count, and every
 *       inserted or updated row version carries a transaction id newer than all before it, so the sum grows.
 *       One sequential scan per table, no row data read.</li>
 *   <li>filestore: the {@link TreeDigest} of the directory (content of every file): version 2, or version 3 for a
 *       tree a restore built from a packed artifact's index ({@link #indexedFilestore}: every file was checked
 *       against the index, so nothing is read again); the next comparison reads the live tree in the recorded
 *       version.</li>
 * </ul>
 * A part that does not exist has {@code exists=false}.
 */
public final class EnvironmentFingerprint {
    private static final String TABLES = """
            select n.nspname || '.' || c.relname,
                   case when c.relkind = 'm' and not c.relispopulated then 'not populated'
                        else (xpath('/row/c/text()', query_to_xml(format(
                           'select count(*)::text || '':'' || coalesce(sum(xmin::text::bigint), 0)::text as c from %I.%I',
                           n.nspname, c.relname), false, true, '')))[1]::text end,
                   c.relkind::text
              from pg_class c join pg_namespace n on n.oid = c.relnamespace
             where c.relkind in ('r', 'm') and n.nspname not in ('pg_catalog', 'information_schema')
               and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'
             order by 1""";

    private EnvironmentFingerprint() {
    }

    public static Map<String, Object> of(EnvironmentConfig env, BackupType type) throws Exception {
        return of(env.database(), env.filestore(), type);
    }

    /**
     * The fingerprint of a database and a filestore directory given by name: a restore's new copies, taken before
     * they are swapped in (the rename keeps the database's OID and rows, and the directory's content), so that it
     * costs no downtime. Should the application write at its start, the next restore of the same artifact simply
     * finds a difference and restores again.
     */
    public static Map<String, Object> of(DatabaseConfig db, Path filestore, BackupType type) throws Exception {
        Map<String, Object> f = new LinkedHashMap<>();
        if (type.includesDatabase()) f.put("database", database(db));
        if (type.includesFilestore()) f.put("filestore", filestore(filestore));
        return f;
    }

    /** The fingerprint's key of {@link #writes}: not compared by {@link #difference}, only by {@link #compare}. */
    public static final String WRITES = "database_writes";

    /**
     * The rows inserted, updated and deleted in the database, as its server counts them ({@code pg_stat_database},
     * read from the maintenance database, no scan), with its oid and when the counters were last reset: a restore records
     * them with its fingerprint, and the next restore of the artifact that finds them moved knows the database changed
     * without reading it. Counters move on every write (a write later rolled back too) and never go back except
     * on a reset, which changes {@code stats_reset}: a false "changed" only costs the shortcut, never a wrong skip
     * (equal counters still go on to the rows' digest). Empty when the database does not exist.
     */
    public static Map<String, Object> writes(DatabaseConfig db) throws Exception {
        Map<String, Object> all;
        try (Connection c = EnvironmentDatabase.connect(db, "postgres")) {
            all = StandbyFingerprint.database(c, db.name()); // the same pg_database and pg_stat_database read
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (String k : List.of("oid", "stats_reset", "tup_inserted", "tup_updated", "tup_deleted")) {
            if (all.containsKey(k)) m.put(k, String.valueOf(all.get(k)));
        }
        return m;
    }

    private static Map<String, Object> database(DatabaseConfig db) throws Exception {
        return scan(db).fingerprint();
    }

    /**
     * What one read of a database's tables gives: its fingerprint part ({@code database}) and every table's exact row
     * count ({@code schema.table -> rows}, tables only, as {@link dev.odooops.postgres.TableCounts} counts them).
     */
    public record Scan(Map<String, Object> fingerprint, Map<String, Long> rowCounts) {
    }

    /**
     * The database's fingerprint and its tables' row counts from one read of every table: a restore checks the loaded
     * database's counts against the dump's and records its fingerprint with the same scan.
     */
    public static Scan scan(DatabaseConfig db) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Long> counts = new java.util.TreeMap<>();
        Long oid;
        try (PgAdmin admin = new PgAdmin(db)) {
            oid = admin.oid(db.name());
        }
        if (oid == null) {
            m.put("exists", "false");
            return new Scan(m, counts);
        }
        MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        int tables = 0;
        try (Connection c = EnvironmentDatabase.connect(db)) {
            c.setAutoCommit(false);
            c.createStatement().execute("set transaction isolation level repeatable read, read only");
            try (PreparedStatement ps = c.prepareStatement(TABLES); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    md.update((rs.getString(1) + "\t" + rs.getString(2) + "\n").getBytes(StandardCharsets.UTF_8));
                    tables++;
                    if ("r".equals(rs.getString(3))) counts.put(rs.getString(1), Long.parseLong(rs.getString(2).split(":")[0]));
                }
            }
            c.commit();
        }
        m.put("exists", "true");
        m.put("oid", String.valueOf(oid));
        m.put("tables", String.valueOf(tables));
        m.put("rows_digest", HexFormat.of().formatHex(md.digest()));
        return new Scan(m, counts);
    }

    /** The key of a filestore fingerprint that records its tree digest's version (absent: version 2, every entry). */
    public static final String TREE_DIGEST_VERSION = "tree_digest_version";
    /** The key of a version 3 filestore fingerprint that counts the entries it does not describe (links, fifos ...). */
    public static final String OTHER_ENTRIES = "other_entries";

    /** The filestore's fingerprint: its tree digest of version 2 (every entry, each file's SHA-256). */
    private static Map<String, Object> filestore(Path dir) {
        return filestore(dir, TreeDigest.V2, null);
    }

    /**
     * The filestore's fingerprint with the tree digest of {@code version}: 2, or 3 (the packed index's: the
     * application's files, each one's SHA-1 and size; what {@code app} leaves out does not count).
     */
    private static Map<String, Object> filestore(Path dir, int version, dev.odooops.domain.AppProfile app) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) {
            m.put("exists", "false");
            return m;
        }
        if (version != TreeDigest.V3) {
            TreeDigest.Result tree = TreeDigest.of(dir);
            m.put("exists", "true");
            m.put("files", String.valueOf(tree.fileCount()));
            m.put("tree_digest", tree.digest());
            return m;
        }
        // version 3 describes regular files only: anything else found (a link, a fifo, a device, an unreadable
        // directory) is counted, so that it is a difference from a restored tree, which never holds one
        dev.odooops.domain.FilestoreInventory inventory = dev.odooops.domain.FilestoreInventory.of(dir, app);
        TreeDigest.Result tree = TreeDigest.of(dir, inventory);
        m.put("exists", "true");
        m.put("files", String.valueOf(tree.fileCount()));
        m.put("tree_digest", tree.digest());
        m.put(TREE_DIGEST_VERSION, String.valueOf(TreeDigest.V3));
        m.put(OTHER_ENTRIES, String.valueOf(inventory.others().size() + inventory.unreadable().size()));
        return m;
    }

    /**
     * The fingerprint of a filestore tree built from a packed artifact's index, each of its {@code files} checked
     * against it: the index's tree digest (version 3), so nothing is read again. A later comparison computes the live
     * tree's in the same version.
     */
    public static Map<String, Object> indexedFilestore(String treeDigest, long files) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("exists", "true");
        m.put("files", String.valueOf(files));
        m.put("tree_digest", treeDigest);
        m.put(TREE_DIGEST_VERSION, String.valueOf(TreeDigest.V3));
        m.put(OTHER_ENTRIES, "0"); // the restore admits regular files and directories only
        return m;
    }

    /** The tree digest version {@code recorded}'s filestore part was taken in (2 when it does not say). */
    private static int recordedVersion(Map<String, Object> recorded) {
        return recorded != null && recorded.get("filestore") instanceof Map<?, ?> f
                && String.valueOf(TreeDigest.V3).equals(String.valueOf(f.get(TREE_DIGEST_VERSION))) ? TreeDigest.V3 : TreeDigest.V2;
    }

    /**
     * The environment compared with {@code recorded} part by part, the cheapest evidence first: the database's write
     * counters, whether the filestore exists, the database's rows (its digest reads the tables once), and the
     * filestore's content only when the database is unchanged: the first difference, or empty when there is none, and
     * then {@code now} holds the whole fingerprint. A restore whose database changed since (the usual undo) so reads no
     * file, and one whose filestore is gone (disaster recovery) no table.
     */
    public static Optional<String> compare(Map<String, Object> recorded, EnvironmentConfig env, BackupType type,
                                           Map<String, Object> now) throws Exception {
        if (type.includesDatabase()) {
            // the server's own count of the rows written, read before the rows' digest (a write while the tables are
            // read moves it for the next comparison): moved since the fingerprint, the database changed (no scan)
            Map<String, Object> is = writes(env.database());
            now.put(WRITES, is);
            if (recorded != null && recorded.get(WRITES) instanceof Map<?, ?> was) {
                for (Map.Entry<?, ?> e : was.entrySet()) {
                    Object nowValue = is.get(String.valueOf(e.getKey()));
                    if (!Objects.equals(String.valueOf(e.getValue()), String.valueOf(nowValue))) {
                        return Optional.of("the database changed (rows written since, as its server counts them: " + e.getKey()
                                + " " + e.getValue() + " -> " + nowValue + ")");
                    }
                }
            }
            // a filestore that is not there (disaster recovery) decides it without reading the tables
            if (type.includesFilestore() && !Files.isDirectory(env.filestore())) {
                now.put("filestore", filestore(env.filestore()));
                return Optional.of("the filestore does not exist");
            }
            now.put("database", database(env.database()));
            Optional<String> db = difference(recorded, now, BackupType.DB_ONLY);
            if (db.isPresent() || !type.includesFilestore()) return db;
        }
        if (type.includesFilestore()) now.put("filestore", filestore(env.filestore(), recordedVersion(recorded), env.app()));
        return difference(recorded, now, type);
    }

    /**
     * Why {@code now} differs from {@code recorded} for the parts of {@code type}, or empty when it does not.
     * A part missing from {@code recorded} is a difference (nothing proves it unchanged).
     */
    @SuppressWarnings("unchecked")
    public static Optional<String> difference(Map<String, Object> recorded, Map<String, Object> now, BackupType type) {
        if (recorded == null) return Optional.of("the last restore recorded no fingerprint");
        for (String part : new String[]{"database", "filestore"}) {
            if (part.equals("database") ? !type.includesDatabase() : !type.includesFilestore()) continue;
            Map<String, Object> was = (Map<String, Object>) recorded.get(part);
            Map<String, Object> is = (Map<String, Object>) now.get(part);
            if (was == null) return Optional.of("the last restore recorded no " + part + " fingerprint");
            if (is == null) return Optional.of("no " + part + " fingerprint now");
            if ("false".equals(String.valueOf(is.get("exists")))) return Optional.of("the " + part + " does not exist");
            for (String key : was.keySet()) {
                if (!Objects.equals(String.valueOf(was.get(key)), String.valueOf(is.get(key)))) {
                    return Optional.of("the " + part + " changed (" + key + ": " + was.get(key) + " -> " + is.get(key) + ")");
                }
            }
        }
        return Optional.empty();
    }
}
