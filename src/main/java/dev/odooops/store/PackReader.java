package dev.odooops.store;

import com.github.luben.zstd.ZstdInputStream;
import dev.odooops.domain.FilestoreIndex;
import dev.odooops.domain.TarHeaders;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The members an index names, out of a pack ({@code .tar.zst}) in process (zstd's library, {@link ZstdLibrary}):
 * one decompression, each wanted member written under the staging directory at the index's path (never at a name
 * the archive gives) while its SHA-1 is computed, and checked as it ends. Against {@code tar --zstd --extract} and a
 * second read of every file for its SHA-1, it saves the pipe from zstd to tar and that read.
 * <p>
 * Every other member is read past and never written, whatever it is (a link, a device, a name with {@code ..}):
 * the hostile members of a pack stay in it, as with tar's exact names. A member the index names is refused (and
 * the run stops) when it is not a regular file, not of the index's size or SHA-1, there twice, or missing; what was
 * written stays in the staging directory for the caller to remove. The tar forms read: POSIX ustar (with its name
 * prefix), pax extended headers ({@code path}, {@code size}), GNU long names and base-256 sizes, as GNU tar and
 * odoo-ops's own pack writer write them.
 */
public final class PackReader {
    private static final int BLOCK = TarHeaders.BLOCK;
    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[256 * 1024]);

    private PackReader() {
    }

    /**
     * The {@code wanted} members of {@code pack} (named {@code packId} in messages) into {@code into}, each one a
     * regular file of the index's size and SHA-1 when this returns.
     */
    public static void extract(Path pack, String packId, List<FilestoreIndex.Entry> wanted, Path into) throws IOException {
        Map<String, FilestoreIndex.Entry> byName = new HashMap<>();
        for (FilestoreIndex.Entry e : wanted) byName.put(e.path(), e);
        Map<String, Boolean> done = new HashMap<>();
        Path root = into.toAbsolutePath().normalize();
        try (InputStream in = new BufferedInputStream(new ZstdInputStream(new BufferedInputStream(Files.newInputStream(pack),
                256 * 1024)), 256 * 1024)) {
            byte[] header = new byte[BLOCK];
            String longName = null;
            Long paxSize = null;
            Long paxMtimeMillis = null;
            while (true) {
                if (!readBlock(in, header)) break; // the end of the stream without its zero blocks: tar accepts it too
                if (allZero(header)) break;
                if (!checksumOk(header)) throw damaged(packId, "a tar header's checksum does not match");
                char type = (char) header[156];
                long size = size(header, packId);
                if (type == 'x' || type == 'L') {
                    byte[] data = readData(in, size, packId);
                    if (type == 'L') {
                        longName = cString(data, 0, data.length);
                    } else {
                        Map<String, String> pax = pax(data, packId);
                        if (pax.containsKey("path")) longName = pax.get("path");
                        if (pax.containsKey("size")) paxSize = parseLong(pax.get("size"), packId);
                        if (pax.containsKey("mtime")) paxMtimeMillis = mtimeMillis(pax.get("mtime"));
                    }
                    continue;
                }
                String name = longName != null ? longName : name(header);
                if (paxSize != null) size = paxSize;
                Long mtime = paxMtimeMillis;
                longName = null;
                paxSize = null;
                paxMtimeMillis = null;
                boolean data = type == '0' || type == 0 || type == '7';
                String path = name.startsWith("./") ? name.substring(2) : name;
                FilestoreIndex.Entry e = byName.get(path);
                if (e == null) {
                    // not a member the index names: read past, never written (a link, a directory, a hostile name...)
                    // (links, devices, directories and FIFOs carry no data; every other kind does, as tar reads them)
                    if (type == 0 || "123456".indexOf(type) < 0) skip(in, size + TarHeaders.padding(size), packId);
                    continue;
                }
                if (!data || size != e.size() || done.containsKey(path)) throw notAsIndexed(packId, path);
                Path target = root.resolve(path).normalize();
                if (!target.startsWith(root) || target.equals(root)) throw notAsIndexed(packId, path);
                Files.createDirectories(target.getParent());
                MessageDigest sha1 = sha1();
                try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    byte[] buf = BUFFER.get();
                    long left = size;
                    while (left > 0) {
                        int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                        if (r < 0) throw damaged(packId, "it ends inside " + path);
                        sha1.update(buf, 0, r);
                        out.write(buf, 0, r);
                        left -= r;
                    }
                }
                skip(in, TarHeaders.padding(size), packId);
                if (!HexFormat.of().formatHex(sha1.digest()).equals(e.sha1())) throw notAsIndexed(packId, path);
                // the time the member was archived with, as tar restores it
                long millis = mtime != null ? mtime : headerMtimeSeconds(header) * 1000;
                if (millis >= 0) Files.setLastModifiedTime(target, java.nio.file.attribute.FileTime.fromMillis(millis));
                done.put(path, true);
            }
        }
        for (FilestoreIndex.Entry e : wanted) if (!done.containsKey(e.path())) throw notAsIndexed(packId, e.path());
    }

    private static IllegalStateException notAsIndexed(String packId, String path) {
        return new IllegalStateException("pack " + packId + " does not hold " + path + " as the index says");
    }

    private static IllegalStateException damaged(String packId, String why) {
        return new IllegalStateException("pack " + packId + " is not a readable tar archive: " + why);
    }

    /** A whole block, or false at the end of the stream before any of it. */
    private static boolean readBlock(InputStream in, byte[] block) throws IOException {
        int got = 0;
        while (got < block.length) {
            int r = in.read(block, got, block.length - got);
            if (r < 0) {
                if (got == 0) return false;
                throw new EOFException("a tar header cut short");
            }
            got += r;
        }
        return true;
    }

    private static byte[] readData(InputStream in, long size, String packId) throws IOException {
        if (size > 1 << 20) throw damaged(packId, "an extended header of " + size + " bytes");
        byte[] data = in.readNBytes((int) size);
        if (data.length != size) throw damaged(packId, "it ends inside an extended header");
        skip(in, TarHeaders.padding(size), packId);
        return data;
    }

    private static void skip(InputStream in, long n, String packId) throws IOException {
        while (n > 0) {
            long s = in.skip(n);
            if (s <= 0) {
                if (in.read() < 0) throw damaged(packId, "it ends inside a member");
                s = 1;
            }
            n -= s;
        }
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }

    private static boolean checksumOk(byte[] h) {
        long recorded;
        try {
            recorded = octal(h, 148, 8);
        } catch (NumberFormatException e) {
            return false;
        }
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int b = i >= 148 && i < 156 ? ' ' : h[i];
            unsigned += b & 0xff;
            signed += b;
        }
        return recorded == unsigned || recorded == signed;
    }

    private static long size(byte[] h, String packId) {
        if ((h[124] & 0x80) != 0) { // base-256 (GNU, star): the other bits of the 12 bytes, big-endian
            long v = h[124] & 0x7f;
            for (int i = 125; i < 136; i++) {
                if ((v >>> 55) != 0) throw damaged(packId, "a member's size does not fit in 63 bits");
                v = (v << 8) | (h[i] & 0xff);
            }
            return v;
        }
        try {
            return octal(h, 124, 12);
        } catch (NumberFormatException e) {
            throw damaged(packId, "a member's size is not a number");
        }
    }

    /** An octal field: leading spaces, digits, ended by a space or NUL. */
    private static long octal(byte[] h, int off, int len) {
        long v = 0;
        int i = off;
        int end = off + len;
        while (i < end && (h[i] == ' ' || h[i] == 0)) {
            if (h[i] == 0 && i == off) return 0;
            i++;
        }
        boolean digits = false;
        for (; i < end && h[i] >= '0' && h[i] <= '7'; i++) {
            v = (v << 3) + (h[i] - '0');
            digits = true;
        }
        if (!digits) throw new NumberFormatException("no digits");
        return v;
    }

    /** The header's modification time (octal seconds), or -1 when it is not a number. */
    private static long headerMtimeSeconds(byte[] h) {
        if ((h[136] & 0x80) != 0) return -1; // base-256: a time no pack has
        try {
            return octal(h, 136, 12);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A pax mtime (decimal seconds, maybe with a fraction) in milliseconds, or null when it is not one. */
    private static Long mtimeMillis(String value) {
        try {
            return new java.math.BigDecimal(value).movePointRight(3).setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
    }

    /** The name of a header: POSIX ustar's prefix "/" name; the name alone in GNU's and older forms. */
    private static String name(byte[] h) {
        String name = cString(h, 0, 100);
        boolean posix = h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r' && h[262] == 0;
        if (posix && h[345] != 0) return cString(h, 345, 155) + "/" + name;
        return name;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) end++;
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    /** The records of a pax extended header: "length key=value\n" each. */
    private static Map<String, String> pax(byte[] data, String packId) {
        Map<String, String> out = new HashMap<>();
        int i = 0;
        while (i < data.length) {
            int space = i;
            while (space < data.length && data[space] != ' ') space++;
            if (space >= data.length) throw damaged(packId, "a malformed extended header");
            int len;
            try {
                len = Integer.parseInt(new String(data, i, space - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw damaged(packId, "a malformed extended header");
            }
            if (len <= space - i || i + len > data.length || data[i + len - 1] != '\n') {
                throw damaged(packId, "a malformed extended header");
            }
            String record = new String(data, space + 1, i + len - 1 - (space + 1), StandardCharsets.UTF_8);
            int eq = record.indexOf('=');
            if (eq > 0) out.put(record.substring(0, eq), record.substring(eq + 1));
            i += len;
        }
        return out;
    }

    private static long parseLong(String s, String packId) {
        try {
            long v = Long.parseLong(s);
            if (v < 0) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw damaged(packId, "an extended header's size is not a number");
        }
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
