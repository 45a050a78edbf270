package dev.odooops.domain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The digest of a directory tree. Two trees with the same entries have the same digest wherever they live;
 * file times, owners and modes do not count. Versions 1 and 2 describe a tree as it is on disk, version 3 the
 * packed filestore's (its index's: regular files only, see {@link #V3}). Of the first two, filestore.meta.json and
 * the manifest record which one an artifact used ({@code tree_digest_version}, absent = 1), and a restore verifies with that one.
 * <ul>
 *   <li><b>1</b> (artifacts made before version 2): SHA-256 over the lines {@code <path>\t<sha256 of file>\n},
 *   one per regular file (symbolic links followed), sorted by path. Directories and every other entry type
 *   are ignored, so a planted link or device node does not change it.</li>
 *   <li><b>2</b>: SHA-256 over the lines {@code <kind>\t<path>\t<value>\n} of every entry below the root,
 *   sorted by path, links never followed: {@code d} directory (empty value), {@code f} regular file (its
 *   SHA-256), {@code l} symbolic link (its target), {@code o} anything else (fifo, char, block, socket or
 *   other). Any added, removed or changed entry of any type changes it.</li>
 * </ul>
 * Paths are relative to the root, with forward slashes, compared as Java strings.
 */
public final class TreeDigest {
    public static final int V1 = 1;
    public static final int V2 = 2;
    /** Version 3: the packed filestore's, computed from its index ({@link FilestoreIndex#treeDigest}). */
    public static final int V3 = 3;
    /** The version new backups record. */
    public static final int CURRENT = V2;

    /** {@code fileCount} and {@code totalBytes} count regular files only. */
    public record Result(String digest, long fileCount, long totalBytes) {
    }

    /** One entry of a tree: kind d, f, l or o; value as in the version 2 line (sha256, link target, other kind). */
    public record Entry(char kind, String path, String value, long size) {
        public static Entry directory(String path) {
            return new Entry('d', path, "", 0);
        }

        public static Entry file(String path, String sha256, long size) {
            return new Entry('f', path, sha256, size);
        }
    }

    private TreeDigest() {
    }

    /** The digest of the tree at {@code root} in the current version. */
    public static Result of(Path root) {
        return of(root, CURRENT);
    }

    public static Result of(Path root, int version) {
        return switch (version) {
            case V1 -> of(regularFilesFollowingLinks(root), V1);
            case V2 -> of(allEntries(root), V2);
            default -> throw new IllegalArgumentException("tree_digest_version: 1 or 2 expected (3 with an application, "
                    + "see of(Path, int, AppProfile)), got " + version);
        };
    }

    /**
     * The digest of the tree at {@code root} as an application's backup saw it: what the profile leaves out
     * ({@link AppProfile#leftOut}) does not count. Version 3 (the packed filestore's) is computed here from the
     * files' SHA-1 and sizes, as {@link FilestoreIndex#treeDigest} computes it from an index.
     */
    public static Result of(Path root, int version, AppProfile app) {
        if (version == V3) return of(root, FilestoreInventory.of(root, app));
        if (version != V2 || app == AppProfile.ODOO) return of(root, version);
        return of(allEntries(root).stream().filter(e -> !app.leftOut(e.path(), e.kind() == 'd')).toList(), V2);
    }

    /** The version 3 digest of the files {@code inventory} (of the tree at {@code root}) lists, each one read. */
    public static Result of(Path root, FilestoreInventory inventory) {
        List<Map.Entry<String, Long>> files = new ArrayList<>(inventory.files().entrySet());
        String[] sha1 = new String[files.size()];
        IntStream.range(0, files.size()).parallel().forEach(i -> sha1[i] = Checksums.sha1(root.resolve(files.get(i).getKey())));
        MessageDigest md = Checksums.messageDigest("SHA-256");
        long bytes = 0;
        for (int i = 0; i < files.size(); i++) {
            md.update(("f\t" + files.get(i).getKey() + "\t" + sha1[i] + "\t" + files.get(i).getValue() + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            bytes += files.get(i).getValue();
        }
        return new Result(HexFormat.of().formatHex(md.digest()), files.size(), bytes);
    }

    /** The digest of a list of entries (the order does not matter); version 1 uses the regular files only. */
    public static Result of(List<Entry> entries, int version) {
        if (version != V1 && version != V2) {
            throw new IllegalArgumentException("tree_digest_version: 1 or 2 expected, got " + version);
        }
        List<Entry> sorted = entries.stream().filter(e -> version == V2 || e.kind() == 'f')
                .sorted(Comparator.comparing(Entry::path)).toList();
        MessageDigest md = Checksums.messageDigest("SHA-256");
        long files = 0;
        long bytes = 0;
        for (Entry e : sorted) {
            String line = version == V1 ? e.path() + "\t" + e.value() + "\n"
                    : e.kind() + "\t" + e.path() + "\t" + e.value() + "\n";
            md.update(line.getBytes(StandardCharsets.UTF_8));
            if (e.kind() == 'f') {
                files++;
                bytes += e.size();
            }
        }
        return new Result(HexFormat.of().formatHex(md.digest()), files, bytes);
    }

    private static String rel(Path root, Path p) {
        return root.relativize(p).toString().replace('\\', '/');
    }

    private static List<Entry> regularFilesFollowingLinks(Path root) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        return hashed(files.stream().map(f -> new Entry('f', rel(root, f), null, 0)).toList(), root);
    }

    private static List<Entry> allEntries(Path root) {
        List<Entry> entries = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (!dir.equals(root)) entries.add(Entry.directory(rel(root, dir)));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    String rel = rel(root, file);
                    if (attrs.isRegularFile()) entries.add(new Entry('f', rel, null, 0));
                    else if (attrs.isSymbolicLink()) entries.add(new Entry('l', rel, Files.readSymbolicLink(file).toString(), 0));
                    else entries.add(new Entry('o', rel, otherKind(file), 0));
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        return hashed(entries, root);
    }

    /** Fills in the SHA-256 and size of the regular files, in parallel (each read is sequential I/O). */
    private static List<Entry> hashed(List<Entry> entries, Path root) {
        Entry[] out = entries.toArray(Entry[]::new);
        IntStream.range(0, out.length).parallel().forEach(i -> {
            Entry e = out[i];
            if (e.kind() != 'f') return;
            Path file = root.resolve(e.path());
            try {
                out[i] = Entry.file(e.path(), Checksums.sha256(file), Files.size(file));
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        });
        return List.of(out);
    }

    /** fifo, char, block, socket or other, from the file type bits of {@code unix:mode}. */
    static String otherKind(Path p) {
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return switch (mode & 0170000) {
                case 0010000 -> "fifo";
                case 0020000 -> "char";
                case 0060000 -> "block";
                case 0140000 -> "socket";
                default -> "other";
            };
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "other";
        }
    }
}
