package dev.odooops.domain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The digest of a directory tree: SHA-256 over the lines {@code <relative path>\t<sha256 of the file>\n},
 * one per regular file, sorted by path (forward slashes, byte order). Two trees with the same files and
 * contents have the same digest wherever they live; empty directories and file times do not count.
 */
public final class TreeDigest {

    public record Result(String digest, long fileCount, long totalBytes) {
    }

    private TreeDigest() {
    }

    public static Result of(Path root) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        record Entry(String rel, Path file) {
        }
        List<Entry> sorted = files.stream()
                .map(f -> new Entry(root.relativize(f).toString().replace('\\', '/'), f))
                .sorted((a, b) -> a.rel.compareTo(b.rel))
                .toList();
        // hash files in parallel (each stream is sequential I/O), then fold in path order
        String[] hashes = new String[sorted.size()];
        java.util.stream.IntStream.range(0, sorted.size()).parallel()
                .forEach(i -> hashes[i] = Checksums.sha256(sorted.get(i).file));
        MessageDigest md = Checksums.messageDigest("SHA-256");
        long bytes = 0;
        for (int i = 0; i < sorted.size(); i++) {
            md.update((sorted.get(i).rel + "\t" + hashes[i] + "\n").getBytes(StandardCharsets.UTF_8));
            try {
                bytes += Files.size(sorted.get(i).file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new Result(HexFormat.of().formatHex(md.digest()), sorted.size(), bytes);
    }
}
