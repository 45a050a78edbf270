package dev.odooops.domain;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * An Odoo backup zip (the database manager's and Odoo.sh's format, odoo/service/db.py dump_db): {@code dump.sql}
 * (plain SQL), {@code manifest.json} and {@code filestore/<sha1[:2]>/<sha1>}. Read in two passes, never trusting the
 * archive:
 * <ol>
 *   <li>{@link #inspect}: the central directory parsed here (java.util.zip hides the external attributes, which carry
 *   a Unix link's mode), before a byte is inflated: member count, each name (no {@code ..}, no absolute path, no
 *   backslash or drive, valid UTF-8, no duplicate), each type (a link, fifo or device refused), declared sizes
 *   against the limits and each member's declared compression ratio, the layout (dump.sql and manifest.json
 *   present, every filestore file under {@code <2 hex>/<40 hex>});</li>
 *   <li>{@link #extract}: each member inflated through a counter: more real bytes than declared, than a limit or than
 *   the ratio allows stops it at once (declared sizes can lie); every filestore file's SHA-1 must be its name.</li>
 * </ol>
 * Members Odoo's restore does not extract (anything besides dump.sql and filestore/, manifest.json read apart) and
 * the filestore's {@code checklist/} markers are not extracted; they are listed as ignored.
 */
public final class OdooZip {
    public static final String DUMP = "dump.sql";
    public static final String MANIFEST = "manifest.json";
    public static final String FILESTORE = "filestore/";
    private static final Pattern FILESTORE_FILE = Pattern.compile("filestore/([0-9a-f]{2})/([0-9a-f]{40})");
    /** The ratio limit applies to members at least this large: a small file of zeros compresses far too. */
    static final long RATIO_FLOOR = 1 << 20;
    private static final int CEN_SIG = 0x02014b50;
    private static final int END_SIG = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int ZIP64_END_SIG = 0x06064b50;

    private OdooZip() {
    }

    /** The configured limits ({@code zip.*}). */
    public record Limits(int maxMembers, long maxBytes, long maxMemberBytes, int maxRatio) {
    }

    /** A refusal of the zip, naming the member (or the archive) and why. */
    public static final class Refused extends RuntimeException {
        private final String member;

        public Refused(String member, String message) {
            super(member == null ? message : "member '" + member + "': " + message);
            this.member = member;
        }

        public String member() {
            return member;
        }
    }

    /** One member as the central directory declares it. */
    public record Member(String name, int method, long compressedSize, long size, int externalAttributes, int madeBy) {
        public boolean directory() {
            return name.endsWith("/");
        }

        /** The Unix file type bits, or 0 when the archiver recorded none. */
        int unixType() {
            return (madeBy >>> 8) == 3 || (externalAttributes >>> 16) != 0 ? (externalAttributes >>> 16) & 0170000 : 0;
        }
    }

    /** What {@link #inspect} found: the members to extract, those ignored, and the declared totals. */
    public record Listing(List<Member> extracted, List<String> ignored, long declaredBytes, int members) {
        public Member member(String name) {
            return extracted.stream().filter(m -> m.name().equals(name)).findFirst().orElse(null);
        }
    }

    /** What {@link #extract} wrote. */
    public record Extracted(Path dump, Path manifest, Path filestore, int files, long bytes) {
    }

    /** The first pass: the central directory checked against the limits and Odoo's layout; nothing inflated. */
    public static Listing inspect(Path zip, Limits limits) throws IOException {
        List<Member> members = centralDirectory(zip, limits);
        Set<String> names = new LinkedHashSet<>();
        List<Member> extracted = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        long declared = 0;
        for (Member m : members) {
            checkName(m.name());
            if (!names.add(m.name())) throw new Refused(m.name(), "appears twice in the archive");
            int type = m.unixType();
            if (type == 0120000) throw new Refused(m.name(), "is a symbolic link (Unix mode in the external attributes)");
            if (type != 0 && type != 0100000 && type != 0040000) {
                throw new Refused(m.name(), "is not a regular file or a directory (Unix mode " + Integer.toOctalString(type) + ")");
            }
            if (m.size() < 0 || m.compressedSize() < 0) throw new Refused(m.name(), "declares a negative size");
            if (m.size() > limits.maxMemberBytes()) {
                throw new Refused(m.name(), "declares " + m.size() + " bytes, more than zip.max-member-bytes (" + limits.maxMemberBytes() + ")");
            }
            checkRatio(m.name(), m.size(), m.compressedSize(), limits);
            declared += m.size();
            if (declared > limits.maxBytes()) {
                throw new Refused(null, "the members declare more than zip.max-bytes (" + limits.maxBytes() + ") uncompressed");
            }
            if (m.directory()) continue;
            if (m.method() != ZipEntry.STORED && m.method() != ZipEntry.DEFLATED) {
                throw new Refused(m.name(), "uses compression method " + m.method() + " (only stored and deflated are read)");
            }
            if (m.name().equals(DUMP) || m.name().equals(MANIFEST)) {
                extracted.add(m);
            } else if (m.name().startsWith(FILESTORE + "checklist/")) {
                ignored.add(m.name()); // Odoo's GC markers, not attachments
            } else if (m.name().startsWith(FILESTORE)) {
                if (!FILESTORE_FILE.matcher(m.name()).matches()) {
                    throw new Refused(m.name(), "is not a filestore file of Odoo's layout filestore/<2 hex>/<40 hex> (its SHA-1)");
                }
                if (!m.name().substring(10, 12).equals(m.name().substring(13, 15))) {
                    throw new Refused(m.name(), "is filed under another prefix than its name's first two digits");
                }
                extracted.add(m);
            } else {
                ignored.add(m.name());
            }
        }
        if (extracted.stream().noneMatch(m -> m.name().equals(DUMP))) throw new Refused(null, "no dump.sql in the archive");
        if (extracted.stream().noneMatch(m -> m.name().equals(MANIFEST))) throw new Refused(null, "no manifest.json in the archive");
        return new Listing(List.copyOf(extracted), List.copyOf(ignored), declared, members.size());
    }

    /**
     * The second pass: dump.sql, manifest.json and the filestore files of {@code listing} inflated into {@code into}
     * (created, empty; the filestore as {@code into/filestore/<2 hex>/<sha1>}), each through a counter, each
     * filestore file's SHA-1 compared with its name. The entries are read by the names the first pass checked.
     */
    public static Extracted extract(Path zip, Listing listing, Limits limits, Path into) throws IOException {
        Files.createDirectories(into);
        Path filestore = into.resolve("filestore");
        Files.createDirectories(filestore);
        long total = 0;
        int files = 0;
        try (ZipFile z = new ZipFile(zip.toFile())) {
            for (Member m : listing.extracted()) {
                ZipEntry e = z.getEntry(m.name());
                if (e == null || e.isDirectory()) throw new Refused(m.name(), "cannot be read back by its name");
                Path target = into.resolve(m.name()); // checked: no '..', not absolute, nothing but [0-9a-f/] under filestore
                if (!target.normalize().startsWith(into)) throw new Refused(m.name(), "resolves outside the extraction directory");
                Files.createDirectories(target.getParent());
                MessageDigest sha1 = m.name().startsWith(FILESTORE) ? sha1() : null;
                long limitLeft = Math.min(limits.maxMemberBytes(), limits.maxBytes() - total);
                long written;
                try (InputStream in = z.getInputStream(e);
                     OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                             LinkOption.NOFOLLOW_LINKS)) {
                    written = copyCounted(m, in, out, sha1, limitLeft, limits);
                }
                total += written;
                if (sha1 != null) {
                    String got = HexFormat.of().formatHex(sha1.digest());
                    String named = m.name().substring(m.name().lastIndexOf('/') + 1);
                    if (!got.equals(named)) {
                        throw new Refused(m.name(), "its content's SHA-1 is " + got + ": not the name Odoo gives it");
                    }
                    files++;
                }
            }
        }
        return new Extracted(into.resolve(DUMP), into.resolve(MANIFEST), filestore, files, total);
    }

    private static long copyCounted(Member m, InputStream in, OutputStream out, MessageDigest sha1, long limitLeft,
                                    Limits limits) throws IOException {
        byte[] buf = new byte[1 << 16];
        long n = 0;
        int r;
        while ((r = in.read(buf)) > 0) {
            n += r;
            if (n > m.size()) throw new Refused(m.name(), "inflates to more than the " + m.size() + " bytes it declares");
            if (n > limitLeft) {
                throw new Refused(m.name(), "inflates past zip.max-member-bytes or zip.max-bytes (" + limits.maxMemberBytes()
                        + " / " + limits.maxBytes() + ")");
            }
            checkRatio(m.name(), n, m.compressedSize(), limits);
            out.write(buf, 0, r);
            if (sha1 != null) sha1.update(buf, 0, r);
        }
        if (n != m.size()) throw new Refused(m.name(), "inflates to " + n + " bytes, it declares " + m.size());
        return n;
    }

    private static void checkRatio(String name, long size, long compressed, Limits limits) {
        if (size < RATIO_FLOOR) return;
        if (compressed <= 0 || size / compressed > limits.maxRatio()) {
            throw new Refused(name, "expands " + (compressed <= 0 ? "from nothing" : size / compressed + " times")
                    + " (" + compressed + " -> " + size + " bytes), beyond zip.max-ratio " + limits.maxRatio() + ": a zip bomb");
        }
    }

    /** Refuses a name that is absolute, climbs, uses a backslash or a drive, or holds an empty, '.' or control segment. */
    static void checkName(String name) {
        if (name.isEmpty()) throw new Refused(name, "has an empty name");
        if (name.startsWith("/")) throw new Refused(name, "is an absolute path");
        if (name.contains("\\")) throw new Refused(name, "holds a backslash");
        if (name.length() >= 2 && name.charAt(1) == ':') throw new Refused(name, "names a drive");
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < 0x20 || name.charAt(i) == 0x7f) throw new Refused(name, "holds a control character");
        }
        String body = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        for (String segment : body.split("/", -1)) {
            if (segment.equals("..")) throw new Refused(name, "climbs out of the archive ('..')");
            if (segment.isEmpty() || segment.equals(".")) throw new Refused(name, "has an empty or '.' path segment");
        }
    }

    /** The central directory's members (ZIP64 included), refused past {@code limits.maxMembers()} before any is read. */
    static List<Member> centralDirectory(Path zip, Limits limits) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(zip.toFile(), "r")) {
            long length = f.length();
            int tail = (int) Math.min(length, 0xffff + 22);
            ByteBuffer end = read(f, length - tail, tail);
            int at = -1;
            for (int i = tail - 22; i >= 0; i--) {
                if (end.getInt(i) == END_SIG) {
                    at = i;
                    break;
                }
            }
            if (at < 0) throw new Refused(null, "is not a zip archive (no end of central directory)");
            long count = end.getShort(at + 10) & 0xffff;
            long cdSize = end.getInt(at + 12) & 0xffffffffL;
            long cdOffset = end.getInt(at + 16) & 0xffffffffL;
            long endPos = length - tail + at;
            if ((count == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) && endPos >= 20) {
                ByteBuffer loc = read(f, endPos - 20, 20);
                if (loc.getInt(0) == ZIP64_LOCATOR_SIG) {
                    ByteBuffer z64 = read(f, loc.getLong(8), 56);
                    if (z64.getInt(0) != ZIP64_END_SIG) throw new Refused(null, "has a damaged ZIP64 end record");
                    count = z64.getLong(32);
                    cdSize = z64.getLong(40);
                    cdOffset = z64.getLong(48);
                }
            }
            if (count > limits.maxMembers()) {
                throw new Refused(null, "holds " + count + " members, more than zip.max-members (" + limits.maxMembers() + ")");
            }
            if (cdOffset < 0 || cdSize < 0 || cdOffset + cdSize > length || cdSize > Integer.MAX_VALUE) {
                throw new Refused(null, "has a central directory outside the file");
            }
            ByteBuffer cd = read(f, cdOffset, (int) cdSize);
            List<Member> out = new ArrayList<>();
            int p = 0;
            for (long i = 0; i < count; i++) {
                if (p + 46 > cdSize || cd.getInt(p) != CEN_SIG) throw new Refused(null, "has a damaged central directory");
                int madeBy = cd.getShort(p + 4) & 0xffff;
                int flags = cd.getShort(p + 8) & 0xffff;
                int method = cd.getShort(p + 10) & 0xffff;
                long compressed = cd.getInt(p + 20) & 0xffffffffL;
                long size = cd.getInt(p + 24) & 0xffffffffL;
                int nameLen = cd.getShort(p + 28) & 0xffff;
                int extraLen = cd.getShort(p + 30) & 0xffff;
                int commentLen = cd.getShort(p + 32) & 0xffff;
                int ext = cd.getInt(p + 38);
                if (p + 46 + nameLen + extraLen > cdSize) throw new Refused(null, "has a damaged central directory");
                byte[] raw = new byte[nameLen];
                cd.get(p + 46, raw);
                String name = name(raw, (flags & 0x800) != 0);
                if ((flags & 1) != 0) throw new Refused(name, "is encrypted (Odoo's zips never are)");
                int x = p + 46 + nameLen;
                int xEnd = x + extraLen;
                while (x + 4 <= xEnd) { // ZIP64 sizes, in order, for the fields set to 0xffffffff
                    int id = cd.getShort(x) & 0xffff;
                    int len = cd.getShort(x + 2) & 0xffff;
                    if (id == 1) {
                        int q = x + 4;
                        if (size == 0xffffffffL && q + 8 <= x + 4 + len) {
                            size = cd.getLong(q);
                            q += 8;
                        }
                        if (compressed == 0xffffffffL && q + 8 <= x + 4 + len) compressed = cd.getLong(q);
                    }
                    x += 4 + len;
                }
                out.add(new Member(name, method, compressed, size, ext, madeBy));
                p += 46 + nameLen + extraLen + commentLen;
            }
            return out;
        }
    }

    private static String name(byte[] raw, boolean utf8Flag) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new Refused(HexFormat.of().formatHex(raw), "has a name that is not UTF-8" + (utf8Flag ? "" : " (nor flagged as such)"));
        }
    }

    private static ByteBuffer read(RandomAccessFile f, long at, int n) throws IOException {
        if (at < 0) throw new Refused(null, "is truncated");
        byte[] b = new byte[n];
        f.seek(at);
        try {
            f.readFully(b);
        } catch (EOFException e) {
            throw new Refused(null, "is truncated");
        }
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Counts of what {@link #inspect} found, for the evidence. */
    public static Map<String, Object> describe(Listing l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("members", l.members());
        m.put("extracted", l.extracted().size());
        m.put("filestore_files", l.extracted().stream().filter(x -> x.name().startsWith(FILESTORE)).count());
        m.put("declared_bytes", l.declaredBytes());
        m.put("ignored", l.ignored().size() > 100 ? l.ignored().subList(0, 100) : l.ignored());
        m.put("ignored_count", l.ignored().size());
        return m;
    }
}
