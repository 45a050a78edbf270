package dev.odooops.domain;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The header blocks of one regular-file member of a POSIX tar archive (ustar, with a pax extended header when the
 * name is longer than 100 bytes or not ASCII, or the size does not fit in 11 octal digits), as GNU tar, bsdtar and
 * every other tar read them. Owner 0/0 without names: every extraction of a pack runs with {@code --no-same-owner}.
 * The end of an archive is {@link #END} (two zero blocks), padded to a multiple of {@link #RECORD}.
 */
public final class TarHeaders {
    public static final int BLOCK = 512;
    /** GNU tar's record (20 blocks): an archive is padded to a multiple of it. */
    public static final int RECORD = 20 * BLOCK;
    public static final byte[] END = new byte[2 * BLOCK];
    private static final long MAX_OCTAL_11 = 077777777777L;

    private TarHeaders() {
    }

    /** The blocks before a regular file's data: its pax header (when needed) and its ustar header. */
    public static byte[] file(String name, long size, int mode, long mtimeSeconds) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        boolean ascii = nameBytes.length == name.length() && name.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
        boolean longName = nameBytes.length > 100 || !ascii;
        boolean bigSize = size > MAX_OCTAL_11;
        ByteArrayOutputStream out = new ByteArrayOutputStream(longName || bigSize ? 4 * BLOCK : BLOCK);
        if (longName || bigSize) {
            StringBuilder records = new StringBuilder();
            if (longName) records.append(record("path", name));
            if (bigSize) records.append(record("size", Long.toString(size)));
            byte[] data = records.toString().getBytes(StandardCharsets.UTF_8);
            out.writeBytes(header("./PaxHeaders/" + Math.abs(name.hashCode()), data.length, 0644, mtimeSeconds, (byte) 'x'));
            out.writeBytes(data);
            out.writeBytes(new byte[padding(data.length)]);
        }
        // the ustar name: the name itself, or (its pax record says the rest) an ASCII stand-in of at most 100 bytes
        String plain = longName ? asciiStandIn(name) : name;
        out.writeBytes(header(plain, bigSize ? 0 : size, mode, mtimeSeconds, (byte) '0'));
        return out.toByteArray();
    }

    /** Zero bytes that end a member of {@code size} bytes on a block boundary. */
    public static int padding(long size) {
        int r = (int) (size % BLOCK);
        return r == 0 ? 0 : BLOCK - r;
    }

    /** Zero bytes after {@link #END} so that an archive of {@code length} bytes (END included) ends on a record. */
    public static int recordPadding(long length) {
        int r = (int) (length % RECORD);
        return r == 0 ? 0 : RECORD - r;
    }

    /** One pax record: its decimal length (itself included), a space, key=value, a newline. */
    static String record(String key, String value) {
        int body = (" " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8).length;
        int len = body + String.valueOf(body).length();
        if (String.valueOf(len).length() != String.valueOf(body).length()) len++; // the length grew a digit
        return len + " " + key + "=" + value + "\n";
    }

    private static String asciiStandIn(String name) {
        StringBuilder sb = new StringBuilder();
        for (char c : name.toCharArray()) sb.append(c >= 0x20 && c < 0x7f ? c : '_');
        String s = sb.toString();
        return s.length() <= 100 ? s : s.substring(s.length() - 100);
    }

    private static byte[] header(String name, long size, int mode, long mtime, byte type) {
        byte[] h = new byte[BLOCK];
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, h, 0, Math.min(100, n.length));
        octal(h, 100, 8, mode & 07777);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, Math.max(0, Math.min(MAX_OCTAL_11, mtime)));
        h[156] = type;
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        for (int i = 148; i < 156; i++) h[i] = ' ';
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        octal(h, 148, 7, sum); // six digits and a NUL, then the space already there
        return h;
    }

    /** {@code value} in {@code len - 1} octal digits (zero-padded) and a NUL. */
    private static void octal(byte[] h, int off, int len, long value) {
        String s = Long.toOctalString(value);
        if (s.length() > len - 1) throw new IllegalArgumentException(value + " does not fit in a tar field of " + len + " bytes");
        int pad = len - 1 - s.length();
        for (int i = 0; i < pad; i++) h[off + i] = '0';
        for (int i = 0; i < s.length(); i++) h[off + pad + i] = (byte) s.charAt(i);
        h[off + len - 1] = 0;
    }
}
