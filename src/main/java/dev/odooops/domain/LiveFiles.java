package dev.odooops.domain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The regular files of a live filestore that a restore may reuse (hard-link, or copy for an application that
 * rewrites files under their name), and what it met that it may not reuse.
 * <p>
 * The walk never follows a link: each directory is opened relative to its parent's open descriptor without
 * following a link ({@code openat(O_NOFOLLOW)}, {@link SecureDirectoryStream}), each entry is read with
 * {@code fstatat(AT_SYMLINK_NOFOLLOW)}. So a folder of the filestore that is a symbolic link to a folder elsewhere
 * (the application's user can make one) is listed in {@link #symlinks} and nothing behind it is listed, even when
 * the link is swapped in while the walk runs. Each file is known by its identity (device and inode, the
 * {@link BasicFileAttributes#fileKey}).
 * <p>
 * A file is reused only through {@link #isTheFileFound}: the caller makes its hard link by path (which the kernel
 * resolves again, links and all), then checks that what it linked is the very file the walk found, on the live
 * root's device ({@code unix:dev}). A link swapped into the path in between yields another file and is refused.
 */
public final class LiveFiles {
    /** At most this many paths per list in the evidence. */
    public static final int SAMPLE = 100;

    /** A regular file the walk found: its size and identity. */
    public record Found(long size, Object fileKey) {
    }

    private final Path root;
    private final Object rootDevice;
    private final Map<String, Found> files;
    private final List<String> symlinks;
    private final List<String> others;
    private final List<String> unreadable;
    private final String unavailable;

    private LiveFiles(Path root, Object rootDevice, Map<String, Found> files, List<String> symlinks, List<String> others,
                      List<String> unreadable, String unavailable) {
        this.root = root;
        this.rootDevice = rootDevice;
        this.files = files;
        this.symlinks = symlinks;
        this.others = others;
        this.unreadable = unreadable;
        this.unavailable = unavailable;
    }

    /** Nothing to reuse (no live filestore). */
    public static LiveFiles none(Path root) {
        return new LiveFiles(root, null, Map.of(), List.of(), List.of(), List.of(), "there is no live filestore");
    }

    /** The walk of {@code root}; what the profile leaves out ({@link AppProfile#leftOut}) is not walked. */
    public static LiveFiles scan(Path root, AppProfile app) {
        BasicFileAttributes rootAttributes;
        Object device;
        try {
            rootAttributes = Files.readAttributes(root, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            device = Files.getAttribute(root, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return none(root);
        } catch (IOException | UnsupportedOperationException e) {
            return new LiveFiles(root, null, Map.of(), List.of(), List.of(), List.of(root.toString()),
                    "cannot read " + root + ": " + e.getMessage());
        }
        if (rootAttributes.isSymbolicLink()) {
            return new LiveFiles(root, null, Map.of(), List.of("."), List.of(), List.of(),
                    "the filestore itself is a symbolic link");
        }
        if (!rootAttributes.isDirectory()) {
            return new LiveFiles(root, null, Map.of(), List.of(), List.of("."), List.of(), "the filestore is not a directory");
        }
        Walk walk = new Walk(app);
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(root)) {
            if (!(stream instanceof SecureDirectoryStream<Path> dir)) {
                return new LiveFiles(root, device, Map.of(), List.of(), List.of(), List.of(),
                        "this platform cannot walk a directory without following links");
            }
            // the directory opened is the one just read without following a link, not one swapped in since
            if (!Objects.equals(walk.self(dir).fileKey(), rootAttributes.fileKey())) {
                return new LiveFiles(root, device, Map.of(), List.of(), List.of(), List.of(),
                        "the filestore was replaced while it was opened");
            }
            walk.directory(dir, "");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the filestore " + root, e);
        }
        Collections.sort(walk.symlinks);
        Collections.sort(walk.others);
        Collections.sort(walk.unreadable);
        return new LiveFiles(root, device, Collections.unmodifiableMap(walk.files), List.copyOf(walk.symlinks),
                List.copyOf(walk.others), List.copyOf(walk.unreadable), null);
    }

    /** The walk itself: every name resolved against its parent's open descriptor, never through a link. */
    private static final class Walk {
        private final AppProfile app;
        private final Map<String, Found> files = new TreeMap<>();
        private final List<String> symlinks = new ArrayList<>();
        private final List<String> others = new ArrayList<>();
        private final List<String> unreadable = new ArrayList<>();

        Walk(AppProfile app) {
            this.app = app;
        }

        BasicFileAttributes self(SecureDirectoryStream<Path> dir) throws IOException {
            return dir.getFileAttributeView(BasicFileAttributeView.class).readAttributes();
        }

        void directory(SecureDirectoryStream<Path> dir, String prefix) {
            List<Path> names = new ArrayList<>();
            try {
                for (Path entry : dir) names.add(entry.getFileName());
            } catch (RuntimeException e) { // DirectoryIteratorException: the directory could not be read to its end
                unreadable.add(prefix.isEmpty() ? "." : prefix.substring(0, prefix.length() - 1));
            }
            for (Path name : names) {
                String rel = prefix + name;
                BasicFileAttributes a;
                try {
                    a = dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                            .readAttributes();
                } catch (NoSuchFileException gone) {
                    continue; // removed since it was listed (Odoo's garbage collector)
                } catch (IOException e) {
                    unreadable.add(rel);
                    continue;
                }
                if (app.leftOut(rel, a.isDirectory())) continue;
                if (a.isSymbolicLink()) {
                    symlinks.add(rel);
                } else if (a.isRegularFile()) {
                    files.put(rel, new Found(a.size(), a.fileKey()));
                } else if (a.isDirectory()) {
                    subdirectory(dir, name, rel, a);
                } else {
                    others.add(rel);
                }
            }
        }

        private void subdirectory(SecureDirectoryStream<Path> dir, Path name, String rel, BasicFileAttributes a) {
            try (SecureDirectoryStream<Path> sub = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                if (!Objects.equals(self(sub).fileKey(), a.fileKey())) {
                    unreadable.add(rel); // replaced by another directory between the two reads: not walked
                    return;
                }
                directory(sub, rel + "/");
            } catch (NoSuchFileException gone) {
                // removed since it was listed
            } catch (IOException e) {
                // O_NOFOLLOW refuses a link swapped in since the entry was read: it is a link now
                if (isLinkNow(dir, name)) symlinks.add(rel);
                else unreadable.add(rel);
            }
        }

        private static boolean isLinkNow(SecureDirectoryStream<Path> dir, Path name) {
            try {
                return dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .readAttributes().isSymbolicLink();
            } catch (IOException e) {
                return false;
            }
        }
    }

    /** The regular file the walk found at {@code path} (relative, forward slashes), or null. */
    public Found file(String path) {
        return files.get(path);
    }

    /** The live file at {@code path}, to make a hard link of (check it with {@link #isTheFileFound} once made). */
    public Path resolve(String path) {
        return root.resolve(path);
    }

    /**
     * Whether {@code linked}, a hard link the caller just made from {@link #resolve}{@code (path)}, is the regular file
     * the walk found at {@code path}: the same device and inode, on the live root's device. Read without following a
     * link.
     */
    public boolean isTheFileFound(String path, Path linked) {
        Found found = files.get(path);
        if (found == null || found.fileKey() == null || rootDevice == null) return false;
        try {
            BasicFileAttributes a = Files.readAttributes(linked, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() && found.fileKey().equals(a.fileKey())
                    && rootDevice.equals(Files.getAttribute(linked, "unix:dev", LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    public int fileCount() {
        return files.size();
    }

    /** Symbolic links met (relative paths; {@code .} when the filestore itself is one): never followed. */
    public List<String> symlinks() {
        return symlinks;
    }

    /** Entries neither directories, regular files nor links (fifos, devices, sockets). */
    public List<String> others() {
        return others;
    }

    public List<String> unreadable() {
        return unreadable;
    }

    /** Why nothing could be reused at all, or null. */
    public String unavailable() {
        return unavailable;
    }

    /** One line per thing a restore must say about the live filestore it reused files from; empty when all is well. */
    public List<String> warnings() {
        List<String> w = new ArrayList<>();
        if (!symlinks.isEmpty()) {
            w.add("live filestore: " + symlinks.size() + " symbolic link(s) not followed (nothing behind them was reused; "
                    + "the restored tree holds regular files only), first " + symlinks.get(0) + " (see filestore_reuse.json)");
        }
        if (!others.isEmpty()) {
            w.add("live filestore: " + others.size() + " entr" + (others.size() == 1 ? "y" : "ies")
                    + " neither a regular file nor a directory not reused, first " + others.get(0));
        }
        return w;
    }

    /** filestore_reuse.json, with what the restore counted while reusing ({@code counts}). */
    public Map<String, Object> evidence(Map<String, Object> counts) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("live_filestore", root.toString());
        m.put("walk", "links never followed (openat O_NOFOLLOW, fstatat AT_SYMLINK_NOFOLLOW); a file is reused only when the "
                + "hard link made of it is the file the walk found, on the live root's device");
        if (unavailable != null) m.put("nothing_reused_because", unavailable);
        m.put("regular_files_found", files.size());
        m.putAll(counts);
        m.put("symlinks", symlinks.subList(0, Math.min(SAMPLE, symlinks.size())));
        m.put("symlink_count", symlinks.size());
        m.put("other_entries", others.subList(0, Math.min(SAMPLE, others.size())));
        m.put("unreadable", unreadable.subList(0, Math.min(SAMPLE, unreadable.size())));
        m.put("lists_capped_at", SAMPLE);
        m.put("warnings", warnings());
        return m;
    }
}
