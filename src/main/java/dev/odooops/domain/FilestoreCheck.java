package dev.odooops.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The filestore check a backup reports (filestore_check.json): the files the database snapshot references
 * ({@code ir_attachment.store_fname}), compared with what went into the archive. A referenced file that is not
 * in the archive is <em>missing</em>; one whose SHA-1 is not the one Odoo recorded ({@code checksum}, or the
 * content-addressed name {@code <2 hex>/<40 hex>}) is <em>corrupt</em>. Archived files no row references
 * (Odoo's {@code checklist/} entries, files awaiting garbage collection, files written after the snapshot) are
 * only counted. Entries that are not regular files or directories were left out of the archive and are listed.
 * {@code missingPaths} and {@code corruptPaths} are complete (the artifact records them, {@link BackupGaps}: a restore
 * reports those files instead of failing on them); the evidence's samples are capped.
 */
public record FilestoreCheck(boolean referencesRead, String referencesNote, int referenced, int present,
                             int missing, int corrupt, int unreferenced, List<String> missingSample,
                             List<String> corruptSample, List<String> nonRegular, List<String> unreadable,
                             List<String> missingPaths, List<String> corruptPaths) {
    /** At most this many paths per list in the evidence. */
    public static final int SAMPLE = 100;
    private static final Pattern HEX40 = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern CONTENT_ADDRESSED = Pattern.compile("[0-9a-f]{2}/([0-9a-f]{40})");

    /**
     * What the database snapshot says should be in the filestore: store_fname → expected SHA-1 (null when the
     * row carries none and the name is not content-addressed: then only presence is checked). When the
     * references could not be read, {@code unavailable} says why and nothing is checked.
     */
    public record References(Map<String, String> expectedSha1, String unavailable) {
        public static References unavailable(String why) {
            return new References(Map.of(), why);
        }

        /** Adds one ir_attachment row; rows sharing a file add it once. */
        public static void add(Map<String, String> into, String storeFname, String checksum) {
            String expected = checksum != null && HEX40.matcher(checksum.strip().toLowerCase()).matches()
                    ? checksum.strip().toLowerCase() : null;
            if (expected == null) {
                Matcher m = CONTENT_ADDRESSED.matcher(storeFname);
                if (m.matches()) expected = m.group(1);
            }
            String known = into.get(storeFname);
            if (known == null) into.put(storeFname, expected);
        }

        /** Adds a file the database names without a checksum (Dolibarr's llx_ecm_files): its presence is checked. */
        public static void addPresence(Map<String, String> into, String path) {
            into.putIfAbsent(path, null);
        }
    }

    /**
     * @param archivedSha1 every regular file in the archive: path relative to the filestore root → its SHA-1
     * @param nonRegular   entries left out because they are neither regular files nor directories
     * @param unreadable   files or directories present but not readable, so not in the archive
     */
    public static FilestoreCheck of(References refs, Map<String, String> archivedSha1, List<String> nonRegular,
                                    List<String> unreadable) {
        int present = 0;
        List<String> missing = new ArrayList<>();
        List<String> corrupt = new ArrayList<>();
        for (Map.Entry<String, String> r : refs.expectedSha1().entrySet()) {
            String actual = archivedSha1.get(r.getKey());
            if (actual == null) {
                missing.add(r.getKey());
                continue;
            }
            present++;
            if (r.getValue() != null && !r.getValue().equals(actual)) corrupt.add(r.getKey());
        }
        missing.sort(null);
        corrupt.sort(null);
        int unreferenced = archivedSha1.size() - present;
        return new FilestoreCheck(refs.unavailable() == null, refs.unavailable(), refs.expectedSha1().size(), present,
                missing.size(), corrupt.size(), unreferenced, sample(missing), sample(corrupt), List.copyOf(nonRegular),
                List.copyOf(unreadable), List.copyOf(missing), List.copyOf(corrupt));
    }

    /**
     * A files' tree that holds none of the files the database references (at least one) is the wrong tree: a wrong
     * path in the environments file or the configuration, not a few lost files. Says why, or empty.
     *
     * @param present the paths the tree holds (its inventory)
     */
    public static java.util.Optional<String> wrongTree(References refs, java.util.Set<String> present, String what) {
        if (refs.unavailable() != null || refs.expectedSha1().isEmpty()) return java.util.Optional.empty();
        for (String path : refs.expectedSha1().keySet()) if (present.contains(path)) return java.util.Optional.empty();
        String first = new java.util.TreeSet<>(refs.expectedSha1().keySet()).first();
        return java.util.Optional.of(what + " holds none of the " + refs.expectedSha1().size()
                + " files the database references (first " + first + ", " + present.size() + " files found there): "
                + "a wrong path? --force backs it up anyway");
    }

    private static List<String> sample(List<String> all) {
        return List.copyOf(all.subList(0, Math.min(SAMPLE, all.size())));
    }

    /** One line per problem, for BackupResult, the CLI's JSON and final_status.json; empty when all is well. */
    public List<String> warnings() {
        List<String> w = new ArrayList<>();
        if (!referencesRead) w.add("filestore check: attachment references not read (" + referencesNote + ")");
        if (missing > 0) {
            w.add("filestore check: " + missing + " referenced file(s) missing from the filestore, first "
                    + missingSample.get(0) + " (see filestore_check.json)");
        }
        if (corrupt > 0) {
            w.add("filestore check: " + corrupt + " referenced file(s) corrupt (SHA-1 differs from ir_attachment.checksum), first "
                    + corruptSample.get(0) + " (see filestore_check.json)");
        }
        if (!nonRegular.isEmpty()) {
            long links = nonRegular.stream().filter(e -> e.startsWith("symlink ")).count();
            w.add("filestore check: " + nonRegular.size() + " entr" + (nonRegular.size() == 1 ? "y" : "ies")
                    + " neither a regular file nor a directory left out of the archive"
                    + (links == 0 ? "" : " (" + links + " symbolic link(s), never followed: nothing behind them is stored)")
                    + ", first " + nonRegular.get(0));
        }
        if (!unreadable.isEmpty()) {
            w.add("filestore check: " + unreadable.size() + " unreadable entr" + (unreadable.size() == 1 ? "y" : "ies")
                    + " left out of the archive, first " + unreadable.get(0));
        }
        return w;
    }

    /** filestore_check.json. */
    public Map<String, Object> evidence() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", warnings().isEmpty());
        m.put("references_read", referencesRead);
        if (referencesNote != null) m.put("references_note", referencesNote);
        m.put("referenced", referenced);
        m.put("present", present);
        m.put("missing", missing);
        m.put("missing_files", missingSample);
        m.put("corrupt", corrupt);
        m.put("corrupt_files", corruptSample);
        m.put("unreferenced", unreferenced);
        m.put("non_regular", nonRegular.size());
        m.put("non_regular_entries", sample(nonRegular));
        m.put("unreadable", unreadable.size());
        m.put("unreadable_entries", sample(unreadable));
        m.put("lists_capped_at", SAMPLE);
        m.put("warnings", warnings());
        return m;
    }
}
