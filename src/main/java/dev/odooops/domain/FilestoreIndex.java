package dev.odooops.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The filestore index of a packed artifact ({@code filestore.index.tsv}, format 2 of the artifact contract): one
 * line per file, sorted by path, {@code <path>\t<sha1>\t<size>\t<pack id>\n}. The file's content is member
 * {@code <path>} of the pack {@code packs/<pack id>.tar.zst} of the artifact's project, a plain tar.zst: with the
 * index and the packs, {@code zstd -d | tar -x} rebuilds the filestore (docs/runbook.md).
 * <p>
 * Odoo names every attachment {@code <2 hex>/<40 hex>}, the SHA-1 of its content: such a file is stored once per
 * project whatever the artifact, and a backup never reads a file whose name the project already holds. Files
 * outside that layout (Odoo's {@code checklist/}, what a module writes under its own name) are hashed each time
 * and stored by their content's SHA-1 the same way.
 */
public final class FilestoreIndex {
    public static final String FILE = "filestore.index.tsv";
    private static final Pattern ODOO_NAME = Pattern.compile("([0-9a-f]{2})/(\\1[0-9a-f]{38})");
    private static final Pattern SHA1 = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern PACK = Pattern.compile("[0-9a-z-]{1,80}");

    /** One file: its path below the filestore root, the SHA-1 of its content, its size and its pack. */
    public record Entry(String path, String sha1, long size, String pack) {
        public Entry {
            if (path == null || path.isEmpty() || path.startsWith("/") || path.contains("\t") || path.contains("\n")
                    || ("/" + path + "/").contains("/../") || ("/" + path + "/").contains("/./")) {
                throw new IllegalArgumentException("not a relative path without . or .. segments: " + path);
            }
            if (!SHA1.matcher(sha1).matches()) throw new IllegalArgumentException(path + ": not a SHA-1: " + sha1);
            if (size < 0) throw new IllegalArgumentException(path + ": negative size");
            if (!PACK.matcher(pack).matches()) throw new IllegalArgumentException(path + ": not a pack id: " + pack);
        }
    }

    private final List<Entry> entries;

    private FilestoreIndex(List<Entry> entries) {
        this.entries = entries;
    }

    /** The index of these entries, sorted by path; a path given twice is refused. */
    public static FilestoreIndex of(List<Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparing(Entry::path));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).path().equals(sorted.get(i - 1).path())) {
                throw new IllegalArgumentException("path listed twice: " + sorted.get(i).path());
            }
        }
        return new FilestoreIndex(List.copyOf(sorted));
    }

    /** The SHA-1 an Odoo attachment path names ({@code ab/ab12...}), or null for any other path. */
    public static String odooSha1(String path) {
        var m = ODOO_NAME.matcher(path);
        return m.matches() ? m.group(2) : null;
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The packs the index refers to, in the order of first use. */
    public Set<String> packs() {
        Set<String> out = new LinkedHashSet<>();
        entries.forEach(e -> out.add(e.pack()));
        return out;
    }

    public long totalBytes() {
        return entries.stream().mapToLong(Entry::size).sum();
    }

    public String toTsv() {
        StringBuilder sb = new StringBuilder(entries.size() * 100);
        for (Entry e : entries) {
            sb.append(e.path()).append('\t').append(e.sha1()).append('\t').append(e.size()).append('\t').append(e.pack())
                    .append('\n');
        }
        return sb.toString();
    }

    /** An index as {@link #toTsv} wrote it; a malformed line is refused with its number. */
    public static FilestoreIndex parse(String tsv) {
        List<Entry> out = new ArrayList<>();
        int n = 0;
        for (String line : tsv.split("\n", -1)) {
            n++;
            if (line.isEmpty()) continue;
            String[] f = line.split("\t", -1);
            try {
                if (f.length != 4) throw new IllegalArgumentException("expected 4 tab-separated fields, got " + f.length);
                out.add(new Entry(f[0], f[1], Long.parseLong(f[2]), f[3]));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(FILE + " line " + n + ": " + e.getMessage(), e);
            }
        }
        return of(out);
    }

    /**
     * The tree digest of version 3 ({@link TreeDigest}): SHA-256 over the lines {@code f\t<path>\t<sha1>\t<size>\n}
     * of every file, sorted by path. Computed from the index at backup time (a file whose name the store holds is
     * not read) and from the restored files after a restore.
     */
    public String treeDigest() {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (Entry e : entries) {
            md.update(("f\t" + e.path() + "\t" + e.sha1() + "\t" + e.size() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
