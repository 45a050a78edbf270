package dev.odooops.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes tar archives the way an attacker would: ustar headers with exactly the names, types and link
 * targets given (GNU tar refuses to create most of these), then compressed with the real {@code zstd}.
 * The honest content of a directory can be put first, so the hostile member hides among real files.
 */
public final class HostileArchive {
    private final ByteArrayOutputStream tar = new ByteArrayOutputStream();

    /** Every directory and regular file under {@code dir}, as {@code ./<path>}, in name order. */
    public HostileArchive copyOf(Path dir) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(dir)) {
            all = new ArrayList<>(s.filter(p -> !p.equals(dir)).sorted().toList());
        }
        for (Path p : all) {
            String name = "./" + dir.relativize(p).toString().replace('\\', '/');
            if (Files.isDirectory(p)) entry(name + "/", '5', "", new byte[0], 0, 0);
            else entry(name, '0', "", Files.readAllBytes(p), 0, 0);
        }
        return this;
    }

    public HostileArchive file(String name, String content) {
        return entry(name, '0', "", content.getBytes(StandardCharsets.UTF_8), 0, 0);
    }

    public HostileArchive symlink(String name, String target) {
        return entry(name, '2', target, new byte[0], 0, 0);
    }

    public HostileArchive hardLink(String name, String target) {
        return entry(name, '1', target, new byte[0], 0, 0);
    }

    public HostileArchive charDevice(String name, int major, int minor) {
        return entry(name, '3', "", new byte[0], major, minor);
    }

    public HostileArchive fifo(String name) {
        return entry(name, '6', "", new byte[0], 0, 0);
    }

    private HostileArchive entry(String name, char type, String link, byte[] data, int major, int minor) {
        byte[] h = new byte[512];
        put(h, 0, 100, name);
        put(h, 100, 8, String.format("%07o", type == '5' ? 0755 : 0644));
        put(h, 108, 8, "0000000");
        put(h, 116, 8, "0000000");
        put(h, 124, 12, String.format("%011o", data.length));
        put(h, 136, 12, String.format("%011o", 1_700_000_000L));
        for (int i = 148; i < 156; i++) h[i] = ' ';
        h[156] = (byte) type;
        put(h, 157, 100, link);
        put(h, 257, 6, "ustar");
        put(h, 263, 2, "00");
        put(h, 265, 32, "root");
        put(h, 297, 32, "root");
        put(h, 329, 8, String.format("%07o", major));
        put(h, 337, 8, String.format("%07o", minor));
        int sum = 0;
        for (byte b : h) sum += b & 0xff;
        put(h, 148, 8, String.format("%06o", sum));
        h[155] = ' ';
        tar.writeBytes(h);
        tar.writeBytes(data);
        int pad = (512 - data.length % 512) % 512;
        tar.writeBytes(new byte[pad]);
        return this;
    }

    private static void put(byte[] h, int off, int len, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > len) throw new IllegalArgumentException("too long for the field: " + s);
        System.arraycopy(b, 0, h, off, b.length);
    }

    /** Ends the archive and writes it zstd-compressed to {@code out}. */
    public Path writeZstd(Path out) throws IOException, InterruptedException {
        tar.writeBytes(new byte[1024]);
        Path plain = out.resolveSibling(out.getFileName() + ".tar");
        try (OutputStream o = Files.newOutputStream(plain)) {
            tar.writeTo(o);
        }
        Files.deleteIfExists(out);
        TestEnvironment.sh(null, "zstd", "-q", "--rm", plain.toString(), "-o", out.toString());
        return out;
    }
}
