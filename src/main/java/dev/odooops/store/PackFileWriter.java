package dev.odooops.store;

import com.github.luben.zstd.ZstdOutputStream;
import dev.odooops.domain.TarHeaders;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pack ({@code <id>.tar.zst}) written in process: each member read once, its bytes going to the tar stream, its
 * SHA-1 and to zstd's library (the same format and checksum as {@code tar --zstd --create}; tar and zstd read it),
 * and the SHA-256 of the compressed bytes computed as they are written. Against {@code tar --zstd} it saves tar's
 * read of every file, the pipe from tar to zstd, and a second read of the pack for its SHA-256 (about 3 CPU-seconds
 * of 20 for 3 GB of files, README: performance).
 * <p>
 * What the index then says is what the pack holds: a member's SHA-1 and size are those of the bytes written (a file
 * that shrank while it was read is padded with zeros to the size its header gave, one that grew is cut there, as tar
 * does; the caller sees the difference from what it probed). A member that vanished (Odoo's garbage collector) or
 * cannot be opened is left out; one that is no longer a regular file fails the pack.
 * <p>
 * {@link ZstdLibrary#available} is false when zstd's native library cannot be loaded here (e.g. a temporary directory mounted
 * noexec): the caller then runs {@code tar --zstd}.
 */
public final class PackFileWriter {
    /** What a member of the pack holds. */
    public record Member(String sha1, long size) {
    }

    /** The pack written: its members (path to content) and the SHA-256 and size of the file. */
    public record Written(Map<String, Member> members, String sha256, long size) {
    }

    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[256 * 1024]);
    private PackFileWriter() {
    }

    /**
     * The members {@code paths} (relative to {@code source}, archived as {@code ./<path>} in this order) into
     * {@code pack} at this zstd level, with {@code workers} zstd threads (1: zstd's single-threaded mode).
     */
    public static Written write(Path source, List<String> paths, Path pack, int level, int workers) throws IOException {
        MessageDigest packDigest = digest("SHA-256");
        Map<String, Member> members = new LinkedHashMap<>();
        long[] written = {0};
        long[] tarBytes = {0};
        try (OutputStream file = Files.newOutputStream(pack);
             ZstdOutputStream zstd = new ZstdOutputStream(new BufferedOutputStream(new Counting(file, packDigest, written),
                     256 * 1024), level)) {
            zstd.setChecksum(true); // as the zstd tool writes by default
            if (workers > 1) zstd.setWorkers(workers);
            OutputStream tar = new Counting(zstd, null, tarBytes);
            for (String path : paths) {
                Member m = member(source, path, tar);
                if (m != null) members.put(path, m);
            }
            tar.write(TarHeaders.END);
            tar.write(new byte[TarHeaders.recordPadding(tarBytes[0])]);
        }
        return new Written(members, HexFormat.of().formatHex(packDigest.digest()), written[0]);
    }

    /** One member: its headers, its bytes (exactly the size its header gives) and block padding; null when left out. */
    private static Member member(Path source, String path, OutputStream out) throws IOException {
        Path file = source.resolve(path);
        PosixFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException gone) {
            return null; // removed by Odoo's garbage collector after it was probed: not in the backup
        }
        if (!attrs.isRegularFile()) {
            throw new IllegalStateException("the filestore changed while it was packed: " + path + " is not a regular file");
        }
        InputStream in;
        try {
            in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException | AccessDeniedException e) {
            return null; // vanished, or unreadable (the filestore check reports it: present, not in the index)
        }
        long size = attrs.size();
        MessageDigest sha1 = digest("SHA-1");
        try (in) {
            out.write(TarHeaders.file("./" + path, size, mode(attrs), attrs.lastModifiedTime().toMillis() / 1000));
            byte[] buf = BUFFER.get();
            long left = size;
            while (left > 0) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (r < 0) break; // shrank while read: zero-padded below, as tar does
                sha1.update(buf, 0, r);
                out.write(buf, 0, r);
                left -= r;
            }
            if (left > 0) {
                java.util.Arrays.fill(buf, (byte) 0);
                while (left > 0) {
                    int n = (int) Math.min(buf.length, left);
                    sha1.update(buf, 0, n);
                    out.write(buf, 0, n);
                    left -= n;
                }
            }
            out.write(new byte[TarHeaders.padding(size)]);
        }
        return new Member(HexFormat.of().formatHex(sha1.digest()), size);
    }

    private static int mode(PosixFileAttributes attrs) {
        int mode = 0;
        for (PosixFilePermission p : attrs.permissions()) mode |= 1 << (8 - p.ordinal());
        return mode;
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Bytes on their way: counted, and hashed when a digest is given (the compressed ones, to the file). */
    private static final class Counting extends java.io.FilterOutputStream {
        private final MessageDigest digest;
        private final long[] count;

        Counting(OutputStream out, MessageDigest digest, long[] count) {
            super(out);
            this.digest = digest;
            this.count = count;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            if (digest != null) digest.update(b, off, len);
            count[0] += len;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void close() {
            // the stream below is closed by its owner
        }
    }
}
