package dev.odooops.domain;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The members of a tar archive as GNU tar itself lists them, i.e. as it would extract them:
 * the output of {@code tar --list --verbose --numeric-owner --full-time --quoting-style=escape} (see
 * {@link #LIST_OPTIONS}), one line per member, parsed into kind, name and size. Reading tar's own listing
 * rather than parsing the archive in Java means the check sees exactly what the extraction will do.
 * <p>{@link #refusals} is the filestore's admission rule: only regular files and directories, with relative
 * names that never climb ({@code ..}), each and all together no larger than a bound.
 */
public final class TarListing {
    /** The options that make the listing parseable; put them after {@code --list}. */
    public static final List<String> LIST_OPTIONS = List.of("--verbose", "--numeric-owner", "--full-time",
            "--quoting-style=escape");

    public enum Kind { FILE, DIRECTORY, SYMLINK, HARDLINK, CHAR_DEVICE, BLOCK_DEVICE, FIFO, OTHER }

    /**
     * One member. {@code name} is tar's name unescaped; {@link #path()} is it relative to the archive root
     * without the {@code ./} prefix and trailing slash ("" for the root itself). {@code size} is -1 for devices.
     */
    public record Member(Kind kind, String name, long size, String line) {
        public String path() {
            String p = name;
            while (p.startsWith("./")) p = p.substring(2);
            if (p.equals(".")) p = "";
            while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
            return p;
        }
    }

    // mode (type char + 9 permission chars, maybe an ACL/SELinux mark), uid/gid, size or major,minor, the time stamp,
    // then the name. tar left-justifies each time stamp to the widest one it has printed so far (a whole-second
    // time after one with nanoseconds is followed by spaces): parse() strips exactly that padding, as tar adds it.
    private static final Pattern LINE = Pattern.compile(
            "^(\\S)\\S{9}\\S?\\s+\\S+\\s+(\\d+|\\d+,\\s*\\d+)\\s+(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?) (.*)$");
    /** tar's initial time stamp column width, {@code sizeof "yyyy-mm-dd HH:MM" - 1} (list.c). */
    private static final int INITIAL_DATE_WIDTH = 16;

    private TarListing() {
    }

    /** The members of a listing; a line that does not parse is an {@link Kind#OTHER} member (and so refused). */
    public static List<Member> parse(String listing) {
        List<Member> members = new ArrayList<>();
        int dateWidth = INITIAL_DATE_WIDTH;
        for (String line : listing.split("\n")) {
            if (line.isEmpty()) continue;
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                members.add(new Member(Kind.OTHER, line, -1, line));
                continue;
            }
            Kind kind = switch (m.group(1).charAt(0)) {
                case '-' -> Kind.FILE;
                case 'd' -> Kind.DIRECTORY;
                case 'l' -> Kind.SYMLINK;
                case 'h' -> Kind.HARDLINK;
                case 'c' -> Kind.CHAR_DEVICE;
                case 'b' -> Kind.BLOCK_DEVICE;
                case 'p' -> Kind.FIFO;
                default -> Kind.OTHER;
            };
            String stamp = m.group(3);
            dateWidth = Math.max(dateWidth, stamp.length());
            String rawName = m.group(4);
            int pad = dateWidth - stamp.length();
            if (rawName.length() < pad || !rawName.substring(0, pad).isBlank()) {
                members.add(new Member(Kind.OTHER, line, -1, line));
                continue;
            }
            rawName = rawName.substring(pad);
            if (kind == Kind.SYMLINK) rawName = cut(rawName, " -> ");
            if (kind == Kind.HARDLINK) rawName = cut(rawName, " link to ");
            long size = m.group(2).contains(",") ? -1 : Long.parseLong(m.group(2));
            members.add(new Member(kind, unescape(rawName), size, line));
        }
        return members;
    }

    private static String cut(String name, String separator) {
        int i = name.indexOf(separator);
        return i < 0 ? name : name.substring(0, i);
    }

    /** Undoes tar's escape quoting: {@code \\ \n \t ...} and {@code \ooo} octal bytes (UTF-8 names). */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i++) {
            if (b[i] != '\\' || i + 1 >= b.length) {
                out.write(b[i]);
                continue;
            }
            char c = (char) b[++i];
            if (c >= '0' && c <= '7' && i + 2 < b.length) {
                out.write(Integer.parseInt(new String(b, i, 3, StandardCharsets.US_ASCII), 8));
                i += 2;
                continue;
            }
            out.write(switch (c) {
                case 'n' -> '\n';
                case 't' -> '\t';
                case 'r' -> '\r';
                case 'a' -> 7;
                case 'b' -> '\b';
                case 'f' -> '\f';
                case 'v' -> 11;
                default -> c;
            });
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Why these members may not enter a filestore (empty when they may): anything but a regular file or a
     * directory, an absolute name, a {@code ..} component, a member larger than {@code maxBytes}, or regular
     * files adding up to more than {@code maxBytes} ({@code maxBytes < 0}: no size bound).
     */
    public static List<String> refusals(List<Member> members, long maxBytes) {
        List<String> out = new ArrayList<>();
        long total = 0;
        for (Member m : members) {
            String n = m.name();
            if (m.kind() != Kind.FILE && m.kind() != Kind.DIRECTORY) {
                out.add(m.kind().name().toLowerCase().replace('_', ' ') + ": " + n);
                continue;
            }
            if (n.isEmpty() || n.startsWith("/")) {
                out.add("absolute path: " + n);
                continue;
            }
            if (List.of(n.split("/")).contains("..")) {
                out.add("'..' component: " + n);
                continue;
            }
            if (m.kind() == Kind.FILE) {
                if (maxBytes >= 0 && m.size() > maxBytes) {
                    out.add("member larger than the recorded filestore total of " + maxBytes + " bytes: " + n + " ("
                            + m.size() + " bytes)");
                }
                total += m.size();
            }
        }
        if (maxBytes >= 0 && total > maxBytes) {
            out.add("members add up to " + total + " bytes, more than the recorded filestore total of " + maxBytes);
        }
        return out;
    }
}
