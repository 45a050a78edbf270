package dev.odooops.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What tells a backup that an environment has not changed since an artifact was taken, without reading its data
 * (skip if unchanged; the idea comes from the Dolibarr backup tool):
 * <ul>
 *   <li><b>database</b>: PostgreSQL's cumulative write counters of every table ({@code n_tup_ins},
 *   {@code n_tup_upd}, {@code n_tup_del} of {@code pg_stat_all_tables}), raw SQL included, with each table's
 *   {@code relfilenode} (TRUNCATE, VACUUM FULL and CLUSTER give a new one), the database's OID and its statistics
 *   reset time (a reset, or the loss of the statistics in a crash, changes the fingerprint, so a real backup
 *   follows). The system catalogs count too, so DDL changes it. Tables named volatile (and their TOAST tables)
 *   are left out, as are {@code pg_statistic} (ANALYZE writes it) and the catalogs shared by all databases.</li>
 *   <li><b>filestore</b>: every file's path and size, from the inventory the backup takes anyway.</li>
 *   <li><b>config</b>: the SHA-256 of the configuration file ({@code odoo.conf}, {@code conf.php}): a changed
 *   setting is a change. An artifact taken before this was recorded has none, so its next backup is a real one.</li>
 * </ul>
 * The counters reach the statistics after a write's transaction ends, within PostgreSQL's flush interval (1 s,
 * at most 60 s when its lock is contended). So the database fingerprint of an artifact is read <em>before</em>
 * its dump's snapshot (a write the counters show is in the dump), and a skipped backup stands for the
 * environment as it was at most that interval before the check: a later write changes the counters, and the
 * next backup is a real one.
 */
public final class ChangeFingerprint {
    /** One table's counters, as read from {@code pg_stat_all_tables} joined to {@code pg_class}. */
    public record TableCounters(String schema, String table, long relfilenode, long inserted, long updated, long deleted) {
    }

    private ChangeFingerprint() {
    }

    /**
     * The database fingerprint: {@code version}, {@code oid}, {@code stats_reset}, {@code tables} (how many
     * counted), {@code writes} (their counters' sum, for the evidence) and {@code digest}. Every value is text, so
     * a fingerprint read back from the catalog compares equal. {@code volatileTables} were already left out by
     * the reader; they are listed here so that a change of the list changes the fingerprint.
     */
    public static Map<String, String> database(long oid, String statsReset, List<TableCounters> tables,
                                               Set<String> volatileTables) {
        MessageDigest md = sha256();
        md.update(("oid\t" + oid + "\nstats_reset\t" + statsReset + "\nvolatile\t"
                + String.join(",", new java.util.TreeSet<>(volatileTables)) + "\n").getBytes(StandardCharsets.UTF_8));
        long writes = 0;
        List<TableCounters> sorted = tables.stream()
                .sorted(Comparator.comparing(TableCounters::schema).thenComparing(TableCounters::table)).toList();
        for (TableCounters t : sorted) {
            md.update((t.schema() + "." + t.table() + "\t" + t.relfilenode() + "\t" + t.inserted() + "\t" + t.updated()
                    + "\t" + t.deleted() + "\n").getBytes(StandardCharsets.UTF_8));
            writes += t.inserted() + t.updated() + t.deleted();
        }
        Map<String, String> m = new LinkedHashMap<>();
        m.put("version", "1");
        m.put("oid", String.valueOf(oid));
        m.put("stats_reset", String.valueOf(statsReset));
        m.put("tables", String.valueOf(sorted.size()));
        m.put("writes", String.valueOf(writes));
        m.put("digest", HexFormat.of().formatHex(md.digest()));
        return m;
    }

    /** The filestore fingerprint: {@code files}, {@code bytes} and a {@code digest} over the sorted path/size list. */
    public static Map<String, String> filestore(Map<String, Long> files) {
        MessageDigest md = sha256();
        long bytes = 0;
        for (Map.Entry<String, Long> e : new java.util.TreeMap<>(files).entrySet()) {
            md.update((e.getKey() + "\t" + e.getValue() + "\n").getBytes(StandardCharsets.UTF_8));
            bytes += e.getValue();
        }
        Map<String, String> m = new LinkedHashMap<>();
        m.put("version", "1");
        m.put("files", String.valueOf(files.size()));
        m.put("bytes", String.valueOf(bytes));
        m.put("digest", HexFormat.of().formatHex(md.digest()));
        return m;
    }

    /**
     * The configuration file's fingerprint ({@code odoo.conf}, {@code conf.php}): its SHA-256, so a changed setting
     * is a change (the artifact's configuration snapshot holds it).
     */
    public static Map<String, String> config(java.nio.file.Path file) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("version", "1");
        boolean exists = file != null && java.nio.file.Files.isRegularFile(file);
        m.put("exists", String.valueOf(exists));
        m.put("digest", exists ? Checksums.sha256(file) : "none");
        return m;
    }

    /**
     * Why the fingerprints {@code now} differ from those {@code recorded} with an artifact, or empty when every
     * part of {@code parts} is equal. A part the artifact did not record is a difference: nothing proves it
     * unchanged.
     */
    public static Optional<String> difference(Map<String, Map<String, String>> recorded, Map<String, Map<String, String>> now,
                                              List<String> parts) {
        if (recorded == null) return Optional.of("the artifact has no fingerprint (taken before odoo-ops recorded them)");
        for (String part : parts) {
            Map<String, String> was = recorded.get(part);
            Map<String, String> is = now.get(part);
            if (was == null) return Optional.of("the artifact has no " + part + " fingerprint");
            if (is == null) return Optional.of("no " + part + " fingerprint now");
            if (!Objects.equals(was.get("digest"), is.get("digest"))) {
                return Optional.of("the " + part + " changed (" + detail(was, is) + ")");
            }
        }
        return Optional.empty();
    }

    private static String detail(Map<String, String> was, Map<String, String> is) {
        StringBuilder sb = new StringBuilder();
        for (String k : was.keySet()) {
            if (k.equals("digest") || Objects.equals(was.get(k), is.get(k))) continue;
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(k).append(' ').append(was.get(k)).append(" -> ").append(is.get(k));
        }
        return sb.isEmpty() ? "same totals, different content" : sb.toString();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
