package dev.odooops.exec;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a power cut must not take back once odoo-ops has said "stored": a file's bytes and the directory entry that
 * names it, on the disk (fsync), not only in the page cache. A process killed with {@code kill -9} loses nothing the
 * kernel holds; a machine that loses power loses what the kernel had not written yet (ext4 writes delayed-allocation
 * data up to 30 s later: a file can come back empty under its final name). One mechanism for every writer that must be
 * durable before it answers: the local store's {@code put}, a restore's new filestore before it is swapped in and the
 * swap's renames before the run commits.
 */
public final class Durable {
    private Durable() {
    }

    /** fsync of a regular file: its bytes and its metadata are on the disk when this returns. */
    public static void file(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** fsync of a directory: the names created, renamed or removed in it are on the disk when this returns. */
    public static void directory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /**
     * The directory entries that a {@code createDirectories} of {@code dir} may have added: {@code dir} itself and every
     * parent up to {@code firstExisting} (the deepest ancestor that existed before; the entry of the topmost new
     * directory is in it). {@code firstExisting} equal to {@code dir}: only {@code dir}.
     */
    public static void directories(Path dir, Path firstExisting) throws IOException {
        directory(dir);
        if (firstExisting == null || dir.equals(firstExisting)) return;
        for (Path p = dir.getParent(); p != null; p = p.getParent()) {
            directory(p);
            if (p.equals(firstExisting)) return;
        }
    }

    /**
     * Everything written to the file system that holds {@code path} on the disk ({@code sync --file-system}: one
     * {@code syncfs}, through the tool runner, never a shell). For a tree of thousands of new files, where an fsync
     * per file would wait for a journal commit each: a restore's new filestore of 20,000 files.
     */
    public static void fileSystemOf(ToolRunner tools, Path path, Duration timeout) {
        tools.run(List.of("sync", "--file-system", path.toString()), Map.of(), timeout);
    }

    /** The deepest ancestor of {@code dir} (or {@code dir}) that is a directory now; null when none is. */
    public static Path firstExisting(Path dir) {
        Path p = dir.toAbsolutePath();
        while (p != null && !Files.isDirectory(p)) p = p.getParent();
        return p;
    }
}
