package dev.odooops.domain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a live filestore holds at one moment: its directories and regular files (what may be archived), and
 * every other entry (symbolic links, fifos, devices, sockets), which may not enter a filestore and is only
 * reported. Links are never followed. Entries that vanish while the walk runs (Odoo's garbage collector)
 * are simply not listed; a directory that cannot be read is listed in {@code unreadable}.
 * Paths are relative to the root, with forward slashes.
 */
public record FilestoreInventory(List<String> directories, Map<String, Long> files, List<String> others,
                                 List<String> unreadable) {

    /** Directories and files in one sorted list: the order they are archived in. */
    public List<String> archivable() {
        List<String> all = new ArrayList<>(directories.size() + files.size());
        all.addAll(directories);
        all.addAll(files.keySet());
        Collections.sort(all);
        return all;
    }

    public static FilestoreInventory of(Path root) {
        return of(root, AppProfile.ODOO);
    }

    /**
     * The inventory of the files of an application: what its profile leaves out ({@link AppProfile#leftOut},
     * Dolibarr's {@code *}{@code /temp/*}) is not walked and not listed at all.
     */
    public static FilestoreInventory of(Path root, AppProfile app) {
        List<String> dirs = new ArrayList<>();
        Map<String, Long> files = new TreeMap<>();
        List<String> others = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (dir.equals(root)) return FileVisitResult.CONTINUE;
                    String rel = rel(root, dir);
                    if (app.leftOut(rel, true)) return FileVisitResult.SKIP_SUBTREE;
                    dirs.add(rel);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    String rel = rel(root, file);
                    if (app.leftOut(rel, attrs.isDirectory())) return FileVisitResult.CONTINUE;
                    if (attrs.isRegularFile()) files.put(rel, attrs.size());
                    else if (attrs.isSymbolicLink()) others.add("symlink " + rel);
                    else others.add(TreeDigest.otherKind(file) + " " + rel);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (file.equals(root)) throw e;
                    if (!(e instanceof NoSuchFileException)) unreadable.add(rel(root, file));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null && !(e instanceof NoSuchFileException)) {
                        if (dir.equals(root)) throw e;
                        unreadable.add(rel(root, dir));
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the filestore " + root, e);
        }
        Collections.sort(dirs);
        Collections.sort(others);
        return new FilestoreInventory(List.copyOf(dirs), Collections.unmodifiableMap(files), List.copyOf(others),
                List.copyOf(unreadable));
    }

    /**
     * Each regular file's modification time (nanoseconds since the epoch) mixed with its size, what the profile
     * leaves out left out: what says a file was rewritten under its name (a restore's safety backup compares it).
     */
    public static Map<String, Long> modifiedTimes(Path root, AppProfile app) {
        Map<String, Long> out = new TreeMap<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    return !dir.equals(root) && app.leftOut(rel(root, dir), true) ? FileVisitResult.SKIP_SUBTREE
                            : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    String rel = rel(root, file);
                    if (attrs.isRegularFile() && !app.leftOut(rel, false)) {
                        out.put(rel, attrs.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS)
                                ^ (attrs.size() * 0x9E3779B97F4A7C15L));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the filestore " + root, e);
        }
        return out;
    }

    private static String rel(Path root, Path p) {
        return root.relativize(p).toString().replace('\\', '/');
    }
}
