package dev.odooops.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a filestore archive holds, described from tar's listing of it and the hashes read from the live files:
 * the tree digest entries (directories, implied parent directories included, and regular files) and each
 * file's SHA-1. A live file whose size differs from its member's, or that could not be hashed (it vanished),
 * was not read in the same state by tar and by the hashing (Odoo writes a new file in one go and never
 * rewrites it, so the same size means the same bytes): such members are to be hashed from the archive itself.
 */
public record ArchivedFiles(List<TreeDigest.Entry> entries, Map<String, String> sha1, List<TarListing.Member> rehash) {

    public static ArchivedFiles of(List<TarListing.Member> members, Map<String, Checksums.Both> live) {
        TreeSet<String> dirs = new TreeSet<>();
        List<TreeDigest.Entry> files = new ArrayList<>();
        Map<String, String> sha1 = new LinkedHashMap<>();
        List<TarListing.Member> rehash = new ArrayList<>();
        for (TarListing.Member m : members) {
            String p = m.path();
            if (p.isEmpty()) continue;
            for (int i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) dirs.add(p.substring(0, i));
            if (m.kind() == TarListing.Kind.DIRECTORY) {
                dirs.add(p);
                continue;
            }
            if (m.kind() != TarListing.Kind.FILE) {
                throw new IllegalArgumentException("not a regular file or directory: " + m.name());
            }
            Checksums.Both b = live.get(p);
            if (b != null && b.size() == m.size()) {
                files.add(TreeDigest.Entry.file(p, b.sha256(), m.size()));
                sha1.put(p, b.sha1());
            } else {
                rehash.add(m);
            }
        }
        List<TreeDigest.Entry> entries = new ArrayList<>();
        dirs.forEach(d -> entries.add(TreeDigest.Entry.directory(d)));
        entries.addAll(files);
        return new ArchivedFiles(entries, sha1, rehash);
    }

    /** These entries with the members to rehash added, hashed from their extracted copies. */
    public ArchivedFiles withRehashed(Map<String, Checksums.Both> fromArchive) {
        List<TreeDigest.Entry> all = new ArrayList<>(entries);
        Map<String, String> sha = new LinkedHashMap<>(sha1);
        for (TarListing.Member m : rehash) {
            Checksums.Both b = fromArchive.get(m.path());
            if (b == null) throw new IllegalStateException("member " + m.name() + " could not be read back from the archive");
            all.add(TreeDigest.Entry.file(m.path(), b.sha256(), b.size()));
            sha.put(m.path(), b.sha1());
        }
        return new ArchivedFiles(all, sha, List.of());
    }
}
