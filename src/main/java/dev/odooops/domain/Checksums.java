package dev.odooops.domain;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Streaming SHA-256 and SHA-1, and the {@code sha256sum} file format. Nothing is held in memory. */
public final class Checksums {
    /** One reusable read buffer per thread: hashing 20,000 files must not allocate 20,000 buffers. */
    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[256 * 1024]);

    private Checksums() {
    }

    public static String sha256(Path file) {
        return digest(file, "SHA-256");
    }

    public static String sha1(Path file) {
        return digest(file, "SHA-1");
    }

    /** The SHA-256 and SHA-1 of one file, from a single read, and the number of bytes read. */
    public record Both(String sha256, String sha1, long size) {
    }

    /** SHA-256 and SHA-1 in one pass over the file (the filestore check needs Odoo's SHA-1, the digest SHA-256). */
    public static Both sha256AndSha1(Path file) throws IOException {
        MessageDigest sha256 = messageDigest("SHA-256");
        MessageDigest sha1 = messageDigest("SHA-1");
        byte[] buf = BUFFER.get();
        long size = 0;
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                sha256.update(buf, 0, n);
                sha1.update(buf, 0, n);
                size += n;
            }
        }
        return new Both(HexFormat.of().formatHex(sha256.digest()), HexFormat.of().formatHex(sha1.digest()), size);
    }

    public static String sha256(InputStream in) throws IOException {
        return HexFormat.of().formatHex(digest(in, messageDigest("SHA-256")));
    }

    public static String sha256(String text) {
        return HexFormat.of().formatHex(messageDigest("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static String digest(Path file, String algorithm) {
        try (InputStream in = Files.newInputStream(file)) {
            return HexFormat.of().formatHex(digest(in, messageDigest(algorithm)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static byte[] digest(InputStream in, MessageDigest md) throws IOException {
        byte[] buf = BUFFER.get();
        for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        return md.digest();
    }

    static MessageDigest messageDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One line in the format {@code sha256sum -c} reads: {@code <hex>  <file name>\n}. */
    public static String sha256sumLine(String hex, String fileName) {
        return hex + "  " + fileName + "\n";
    }

    /** The hex digest of a {@code sha256sum} line, or an exception naming the file when it is malformed. */
    public static String parseSha256sumLine(String line, String source) {
        String trimmed = line.strip();
        if (!trimmed.matches("[0-9a-f]{64} [ *]\\S.*")) {
            throw new IllegalArgumentException(source + ": not in sha256sum format");
        }
        return trimmed.substring(0, 64);
    }
}
