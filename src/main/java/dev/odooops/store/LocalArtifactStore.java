package dev.odooops.store;

import dev.odooops.domain.PrivateFiles;
import dev.odooops.exec.Durable;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Artifacts in a local (or mounted) directory. A file is hard-linked (same filesystem) or copied beside its
 * target, given its private mode, then renamed into place, so a reader never sees half a file and no one else
 * ever sees the file: 0600 files in 0700 directories, or 0640/0750 for {@code ops.file-group} (a dump holds every
 * business record and the users' password hashes). Directories that existed before are left as they are. A stored
 * file and its name are fsynced before {@code put} returns ({@link Durable}): what the catalog records as stored
 * survives a power cut.
 */
public class LocalArtifactStore implements ArtifactStore {
    private final Path root;
    private final PrivateFiles files;

    public LocalArtifactStore(Path root) {
        this(root, PrivateFiles.OWNER_ONLY);
    }

    public LocalArtifactStore(Path root, PrivateFiles files) {
        this.root = root;
        this.files = files;
    }

    @Override
    public String uri(String artifactPath) {
        // a folder's URI ends in '/' whether or not the folder exists yet (Path.toUri adds it only for an existing
        // directory: a pack's URI was taken before its first upload to a new store and lost its slash)
        String uri = root.resolve(artifactPath).toUri().toString();
        return uri.endsWith("/") ? uri : uri + "/";
    }

    @Override
    public void put(String artifactPath, String name, Path file) {
        Path dir = root.resolve(artifactPath);
        Path existed = Durable.firstExisting(dir);
        try {
            files.createDirectories(dir);
            Path tmp = dir.resolve("." + name + ".part");
            Files.deleteIfExists(tmp);
            try {
                // same filesystem: a hard link stores the finished, never-again-written work file without a copy
                Files.createLink(tmp, file);
            } catch (IOException | UnsupportedOperationException e) {
                Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING); // inside our 0700/0750 directory
            }
            // a hard link shares the work file's inode: the work file, in its 0700 directory, takes the mode too
            files.protect(tmp);
            // on the disk before its name says "stored", and the name too before put returns (a power cut leaves the
            // whole file under its name, or no name: never a short or empty file that a catalog row calls stored)
            Durable.file(tmp);
            Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Durable.directories(dir.toAbsolutePath(), existed);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store " + name + " in " + dir, e);
        }
    }

    /**
     * As every store does, except when {@link #put} linked the file in: the stored object is then the very inode whose
     * SHA-256 the caller computed ({@code sha256} is always of {@code file}), so nothing was written that a read could
     * check; its size is still checked, and the caller's digest is the answer (a pack of a first full backup is not read
     * a third time).
     */
    @Override
    public String putAndReadBack(String artifactPath, String name, Path file, long size, String sha256, boolean verifySha256) {
        put(artifactPath, name, file);
        Path stored = root.resolve(artifactPath).resolve(name);
        try {
            if (verifySha256 && Files.isSameFile(stored, file)) {
                ArtifactStore.super.readBack(artifactPath, name, size, sha256, false); // its size only
                return sha256;
            }
        } catch (IOException e) {
            // not comparable: read back below
        }
        return ArtifactStore.super.readBack(artifactPath, name, size, sha256, verifySha256);
    }

    /** A local store's fetch is a hard link: no network to wait on. */
    @Override
    public boolean remote() {
        return false;
    }

    /** Same filesystem: a hard link (stored files are never rewritten in place), then hashed where it lies. */
    @Override
    public String fetch(String artifactPath, String name, Path target) {
        try {
            Files.deleteIfExists(target);
            Files.createLink(target, root.resolve(artifactPath).resolve(name));
            return dev.odooops.domain.Checksums.sha256(target);
        } catch (IOException | UnsupportedOperationException e) {
            return ArtifactStore.super.fetch(artifactPath, name, target); // (open says when the store is out of reach)
        }
    }

    @Override
    public long size(String artifactPath, String name) {
        try {
            return Files.size(root.resolve(artifactPath).resolve(name));
        } catch (NoSuchFileException e) {
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public InputStream open(String artifactPath, String name) {
        try {
            return Files.newInputStream(root.resolve(artifactPath).resolve(name));
        } catch (IOException e) {
            throw unreadable(artifactPath, name, e);
        }
    }

    /**
     * A file that cannot be read: the store itself out of reach when its directory is gone (an unmounted share), which
     * says nothing of the artifact; else the file's own failure (missing: the artifact is incomplete).
     */
    private RuntimeException unreadable(String artifactPath, String name, IOException e) {
        if (!Files.isDirectory(root)) return unreachable(root, "cannot read " + name + " of " + artifactPath, e);
        return new UncheckedIOException("cannot read " + name + " of " + artifactPath, e);
    }

    /** A store directory that is not there (missing, or a share not mounted): {@code what} cannot be done. */
    static StoreException unreachable(Path root, String what, Throwable cause) {
        return new StoreException(what + ": the store directory " + root + " cannot be reached (missing or not mounted)", cause);
    }

    @Override
    public void delete(String artifactPath, String name) {
        Path dir = root.resolve(artifactPath);
        try {
            Files.deleteIfExists(dir.resolve(name));
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isEmpty()) Files.deleteIfExists(dir);
            }
        } catch (NoSuchFileException ignored) {
            // already gone
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + name + " of " + artifactPath, e);
        }
    }

    /** Half-copied {@code .<name>.part} files of a put that never finished; the folder goes when it is empty. */
    @Override
    public int abortIncompleteUploads(String artifactPath, String namePrefix) {
        Path dir = root.resolve(artifactPath);
        if (!Files.isDirectory(dir)) return 0;
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> parts = s.filter(p -> p.getFileName().toString().startsWith("." + namePrefix)
                    && p.getFileName().toString().endsWith(".part")).toList();
            for (Path p : parts) Files.deleteIfExists(p);
            try (Stream<Path> rest = Files.list(dir)) {
                if (rest.findAny().isEmpty()) Files.deleteIfExists(dir);
            }
            return parts.size();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the incomplete uploads of " + artifactPath, e);
        }
    }

    @Override
    public List<String> list(String artifactPath) {
        Path dir = root.resolve(artifactPath);
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
