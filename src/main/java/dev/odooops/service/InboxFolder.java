package dev.odooops.service;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The file-system rules of the inbox folder, apart from Camel: who may write it, unique names in {@code done/} and
 * {@code error/}, and file names made safe for a log line.
 */
public final class InboxFolder {
    private InboxFolder() {
    }

    /**
     * Creates the folder with {@code done/} and {@code error/} (0700 when new) and checks them as ssh checks its
     * keys: each must be a directory of odoo-ops's user, writable by no group or other user; every parent must
     * belong to that user or root and be writable by no one else, unless it has the sticky bit (like /tmp).
     * Whoever can write requests into the inbox runs them as {@code inbox.user}.
     */
    public static void create(Path dir) throws IOException {
        for (Path p : new Path[]{dir, dir.resolve("done"), dir.resolve("error")}) {
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        }
        String problem = problem(dir);
        if (problem != null) throw new IllegalStateException("inbox.dir: " + problem);
    }

    /** Why the inbox at {@code dir} could take requests from other users, or null when it cannot. */
    static String problem(Path dir) throws IOException {
        int me = uid(Path.of("/proc/self"));
        for (Path p : new Path[]{dir, dir.resolve("done"), dir.resolve("error")}) {
            if (Files.isSymbolicLink(p) || !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                return p + " is not a directory (a symbolic link is not taken)";
            }
            int owner = uid(p);
            int mode = mode(p);
            if (owner != me) return p + " belongs to uid " + owner + ", not to odoo-ops's user (uid " + me + ")";
            if ((mode & 022) != 0) return writable(p, mode);
        }
        for (Path p = dir.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            int owner = uid(p);
            int mode = mode(p);
            if (owner != me && owner != 0) {
                return p + " (a parent of the inbox) belongs to uid " + owner + ", neither odoo-ops's user (uid " + me
                        + ") nor root: that user could replace the inbox";
            }
            if ((mode & 022) != 0 && (mode & 01000) == 0) return writable(p, mode);
        }
        return null;
    }

    private static String writable(Path p, int mode) {
        return p + " is writable by group or other users (mode " + String.format("%04o", mode)
                + "): anyone who can write there runs requests as inbox.user; chmod go-w " + p;
    }

    private static int uid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static int mode(Path p) throws IOException {
        return ((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & 07777;
    }

    /**
     * A name of {@code folder} no entry has yet, created empty to hold it: {@code name}, else {@code stem.1.ext},
     * {@code stem.2.ext} ... A name counts as taken while its {@code .result.json} or {@code .error.txt} exists.
     */
    static Path reserve(Path folder, String name) throws IOException {
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        for (int n = 0; ; n++) {
            Path candidate = folder.resolve(n == 0 ? name : stem + "." + n + ext);
            if (Files.exists(candidate.resolveSibling(candidate.getFileName() + ".result.json"), LinkOption.NOFOLLOW_LINKS)
                    || Files.exists(candidate.resolveSibling(candidate.getFileName() + ".error.txt"), LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try {
                return Files.createFile(candidate);
            } catch (FileAlreadyExistsException taken) {
                // the next number
            }
        }
    }

    /** Text for one log line: control characters (a newline in a file name) escaped, never a forged line. */
    public static String printable(String s) {
        if (s == null) return "null";
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n') b.append("\\n");
            else if (c == '\r') b.append("\\r");
            else if (c == '\t') b.append("\\t");
            else if (c == '\\') b.append("\\\\");
            else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.toString();
    }

    /** A character {@link #printable} escapes: a control character, or a line or paragraph separator. */
    static boolean isControl(char c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
    }

    /** Whether {@code name} holds a character {@link #printable} escapes (camel-file's route never takes such a name). */
    static boolean hasControl(String name) {
        for (int i = 0; i < name.length(); i++) if (isControl(name.charAt(i))) return true;
        return false;
    }

    /**
     * Whether {@code name} would be a request file (not hidden, ending in .json, .yaml or .yml, as the route's
     * include says; so never a writer's .tmp or .part) once its control characters and undecodable bytes (read as
     * U+FFFD) are left out: a file the sender meant as a request, whose name keeps it from being read.
     */
    static boolean requestLike(String name) {
        StringBuilder b = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!isControl(c) && c != '\uFFFD') b.append(c);
        }
        String plain = b.toString();
        return !plain.startsWith(".") && plain.toLowerCase(java.util.Locale.ROOT).matches(".*\\.(json|ya?ml)");
    }

    /**
     * A name for {@code error/} with nothing a shell or a log would misread: each control character written
     * {@code %XX} (a newline {@code %0A}; a separator beyond U+00FF {@code %uXXXX}), and each byte that was not valid
     * UTF-8 (read as U+FFFD) {@code %uFFFD}; every other character kept.
     */
    static String safeName(String name) {
        StringBuilder b = new StringBuilder(name.length() + 8);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= 0xff && isControl(c)) b.append(String.format("%%%02X", (int) c));
            else if (isControl(c) || c == '\uFFFD') b.append(String.format("%%u%04X", (int) c));
            else b.append(c);
        }
        return b.toString();
    }
}
