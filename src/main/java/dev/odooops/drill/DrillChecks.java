package dev.odooops.drill;

import dev.odooops.domain.BackupGaps;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The judgements of a drill's validation (issue 16, section 1), each a {@link Check} with a status
 * ({@code passed}, {@code failed}, {@code skipped}) and a detail; plain functions of what was expected (the artifact:
 * its dump's row counts, its manifest's modules and tree digest, the files its database references) and what the
 * scratch copies hold. Nothing here reads a database or a file.
 */
public final class DrillChecks {
    public static final String PASSED = "passed";
    public static final String FAILED = "failed";
    public static final String SKIPPED = "skipped";
    /** At most this many names in a detail. */
    static final int FIRST = 20;

    private DrillChecks() {
    }

    public record Check(String name, String status, String detail) {
        public boolean failed() {
            return FAILED.equals(status);
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("status", status);
            m.put("detail", detail);
            return m;
        }
    }

    /** Every table the dump counted has the same rows in the scratch database ({@code expected} null: no counts). */
    public static Check rowCounts(Map<String, Long> expected, Map<String, Long> actual) {
        if (expected == null || expected.isEmpty()) return new Check("row_counts", SKIPPED, "the dump recorded no row counts");
        Map<String, String> diff = new TreeMap<>();
        expected.forEach((table, n) -> {
            Long got = actual.get(table);
            if (!n.equals(got)) diff.put(table, "dump " + n + ", scratch " + (got == null ? "missing" : got));
        });
        return diff.isEmpty() ? new Check("row_counts", PASSED, expected.size() + " tables with the dump's row counts")
                : new Check("row_counts", FAILED, diff.size() + " of " + expected.size() + " table(s) differ from the dump: " + first(diff));
    }

    /** The installed modules and their versions are the manifest's ({@code expected} null or empty: nothing to compare). */
    public static Check modules(Map<String, String> expected, Map<String, String> actual) {
        if (expected == null || expected.isEmpty()) return new Check("modules", SKIPPED, "the manifest records no modules");
        Map<String, String> diff = new TreeMap<>();
        expected.forEach((m, v) -> {
            String got = actual.get(m);
            if (got == null) diff.put(m, "not installed (manifest " + v + ")");
            else if (!norm(v).equals(norm(got))) diff.put(m, "version " + got + ", manifest " + v);
        });
        for (String m : actual.keySet()) if (!expected.containsKey(m)) diff.put(m, "installed, not in the manifest");
        return diff.isEmpty() ? new Check("modules", PASSED, expected.size() + " modules installed with the manifest's versions")
                : new Check("modules", FAILED, diff.size() + " module(s) differ from the manifest: " + first(diff));
    }

    /**
     * Data samples: each table of {@code counts} (read back row by row) has rows; a table that is absent ({@code -1})
     * or empty fails.
     */
    public static Check samples(Map<String, Long> counts) {
        if (counts.isEmpty()) return new Check("data_samples", SKIPPED, "no sample tables");
        List<String> bad = new ArrayList<>();
        counts.forEach((t, n) -> {
            if (n < 0) bad.add(t + " absent");
            else if (n == 0) bad.add(t + " empty");
        });
        return bad.isEmpty() ? new Check("data_samples", PASSED, "read back " + counts)
                : new Check("data_samples", FAILED, String.join(", ", bad));
    }

    /**
     * Every file the database references is in the scratch filestore with the SHA-1 the database records:
     * {@code expectedSha1} the references (null value: presence only), {@code actualSha1} each referenced file found
     * (path to its SHA-1; absent: missing). Problems the artifact already had ({@code atBackup}) are reported, not failed.
     * {@code unavailable}: why the references could not be read (then skipped).
     */
    public static Check attachments(Map<String, String> expectedSha1, String unavailable, Map<String, String> actualSha1,
                                    BackupGaps atBackup) {
        if (unavailable != null) return new Check("attachments", SKIPPED, unavailable);
        List<String> missing = new ArrayList<>();
        List<String> corrupt = new ArrayList<>();
        for (String path : new TreeSet<>(expectedSha1.keySet())) {
            String got = actualSha1.get(path);
            String want = expectedSha1.get(path);
            if (got == null) missing.add(path);
            else if (want != null && !want.equals(got)) corrupt.add(path);
        }
        BackupGaps.Judged judged = (atBackup == null ? BackupGaps.NONE : atBackup).judge(missing, corrupt);
        String recorded = judged.recorded().isEmpty() ? "" : "; reported, not failed: " + judged.recorded().size()
                + " the artifact already had, first " + first(judged.recorded());
        if (!judged.failures().isEmpty()) {
            return new Check("attachments", FAILED, judged.failures().size() + " of " + expectedSha1.size()
                    + " referenced files: " + first(judged.failures()) + recorded);
        }
        return new Check("attachments", PASSED, (expectedSha1.size() - missing.size()) + " of " + expectedSha1.size()
                + " referenced files present with their SHA-1" + recorded);
    }

    /** The scratch filestore's tree digest is the one recorded at backup time. */
    public static Check treeDigest(String expected, String actual, long files) {
        if (expected == null) return new Check("tree_digest", SKIPPED, "the artifact records no tree digest");
        return expected.equals(actual) ? new Check("tree_digest", PASSED, files + " files, tree digest as in the artifact")
                : new Check("tree_digest", FAILED, "tree digest " + actual + " over " + files + " files, the artifact's " + expected);
    }

    /** The scratch Odoo's command (see RestoreDrill#startOdoo). */
    public static Check command(boolean configured, boolean ok, String detail) {
        if (!configured) return new Check("odoo_start", SKIPPED, "no drills.command configured");
        return new Check("odoo_start", ok ? PASSED : FAILED, detail);
    }

    /** The checks by name, as drill.json and ops.drills.checks hold them. */
    public static Map<String, Object> toMap(List<Check> checks) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Check c : checks) m.put(c.name(), c.toMap());
        return m;
    }

    /** {passed, failed, skipped, failed_checks}: the report's summary. */
    public static Map<String, Object> summary(List<Check> checks) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("passed", checks.stream().filter(c -> PASSED.equals(c.status())).count());
        m.put("failed", checks.stream().filter(Check::failed).count());
        m.put("skipped", checks.stream().filter(c -> SKIPPED.equals(c.status())).count());
        m.put("failed_checks", checks.stream().filter(Check::failed).map(Check::name).toList());
        return m;
    }

    private static String norm(String v) {
        return v == null ? "" : v.strip();
    }

    private static String first(Map<String, String> diff) {
        Map<String, String> out = new LinkedHashMap<>();
        diff.entrySet().stream().limit(FIRST).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out + (diff.size() > FIRST ? " ..." : "");
    }

    private static String first(List<String> all) {
        return all.subList(0, Math.min(FIRST, all.size())) + (all.size() > FIRST ? " ..." : "");
    }
}
