package dev.odooops.domain;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The statements of a plain {@code pg_dump} that fail harmlessly on another server, set aside before the dump is
 * loaded with {@code ON_ERROR_STOP} (Odoo's own restore runs {@code psql} without it and ignores every error; odoo-ops
 * refuses any other failing statement). A streaming filter: the dump is read once, line by line (a line longer than
 * {@value #MAX_LINE} bytes passes through in pieces), never held whole. Set aside, only as whole one-line statements
 * at a statement's start (never inside a COPY block or a dollar-quoted body):
 * <ul>
 *   <li>{@code ALTER ... OWNER TO role;}: ownership is the loading role's (the role of the original server may not
 *   exist here; the artifact restores under the environment's role anyway);</li>
 *   <li>{@code GRANT ...;} and {@code REVOKE ...;}: privileges for roles of the original server;</li>
 *   <li>{@code COMMENT ON EXTENSION ...;} and {@code COMMENT ON SCHEMA public ...;}: only their owner (the superuser)
 *   may change them;</li>
 *   <li>{@code CREATE EXTENSION [IF NOT EXISTS] name ...;} for an extension the database already has;</li>
 *   <li>{@code SET transaction_timeout = ...;} (pg_dump 17 writes it; older servers do not know it).</li>
 * </ul>
 * Each set-aside line is replaced by an SQL comment, so the filtered file keeps the original's line numbers (a
 * failing statement is named by its line in dump.sql), and copied into the set-aside file with its line number.
 */
public final class HarmlessStatements {
    static final int MAX_LINE = 1 << 20;
    private static final Pattern OWNER = Pattern.compile("(?is)ALTER\\s+.+\\s+OWNER\\s+TO\\s+(\"[^\"]+\"|\\S+?)\\s*;\\s*");
    private static final Pattern GRANT = Pattern.compile("(?is)(GRANT|REVOKE)\\s.+;\\s*");
    private static final Pattern COMMENT_EXTENSION = Pattern.compile("(?is)COMMENT\\s+ON\\s+EXTENSION\\s.+;\\s*");
    private static final Pattern COMMENT_PUBLIC = Pattern.compile("(?is)COMMENT\\s+ON\\s+SCHEMA\\s+public\\s+IS\\s.+;\\s*");
    private static final Pattern CREATE_EXTENSION = Pattern.compile(
            "(?is)CREATE\\s+EXTENSION\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?(\"[^\"]+\"|[A-Za-z0-9_]+)[^;]*;\\s*");
    private static final Pattern TRANSACTION_TIMEOUT = Pattern.compile("(?is)SET\\s+transaction_timeout\\s*=.*;\\s*");
    private static final Pattern COPY_FROM_STDIN = Pattern.compile("(?is)COPY\\s.+\\sFROM\\s+stdin\\s*;\\s*");
    private static final Pattern DOLLAR = Pattern.compile("\\$([A-Za-z_][A-Za-z0-9_]*)?\\$");
    /** How many set-aside statements the outcome lists one by one (all are in the set-aside file). */
    static final int LISTED = 200;

    private HarmlessStatements() {
    }

    /** One statement set aside: its line in dump.sql, its kind, its text (abbreviated). */
    public record SetAside(long line, String kind, String statement) {
    }

    /** What the filter did: lines read, the statements set aside (the first {@value #LISTED}) and their counts by kind. */
    public record Outcome(long lines, long setAside, Map<String, Long> byKind, List<SetAside> first) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("lines", lines);
            m.put("set_aside", setAside);
            m.put("by_kind", byKind);
            m.put("statements", first);
            if (setAside > first.size()) m.put("statements_listed", first.size());
            return m;
        }
    }

    /**
     * Copies {@code dump} to {@code out} with the harmless statements replaced by comments, each written to
     * {@code setAside} ({@code -- line N (kind)} then the statement). {@code existingExtensions}: the extensions the
     * target database has already (lower case).
     */
    public static Outcome filter(InputStream dump, OutputStream out, OutputStream setAside, Set<String> existingExtensions)
            throws IOException {
        State s = new State();
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        byte[] buf = new byte[1 << 16];
        int r;
        boolean overflow = false; // the current line passed MAX_LINE: its start went out already
        while ((r = dump.read(buf)) > 0) {
            int from = 0;
            for (int i = 0; i < r; i++) {
                if (buf[i] != '\n') continue;
                line.write(buf, from, i + 1 - from);
                from = i + 1;
                s.line(line.toByteArray(), overflow, out, setAside, existingExtensions);
                line.reset();
                overflow = false;
            }
            line.write(buf, from, r - from);
            if (line.size() > MAX_LINE) {
                s.piece(line.toByteArray(), overflow, out);
                line.reset();
                overflow = true;
            }
        }
        if (line.size() > 0 || overflow) s.line(line.toByteArray(), overflow, out, setAside, existingExtensions);
        return new Outcome(s.lines, s.count, s.byKind, List.copyOf(s.first));
    }

    /** The kind of a harmless one-line statement, or null when {@code text} is not one. */
    static String kind(String text, Set<String> existingExtensions) {
        if (OWNER.matcher(text).matches()) return "owner";
        if (GRANT.matcher(text).matches()) return text.trim().substring(0, 5).toLowerCase(Locale.ROOT).startsWith("grant") ? "grant" : "revoke";
        if (COMMENT_EXTENSION.matcher(text).matches()) return "comment_on_extension";
        if (COMMENT_PUBLIC.matcher(text).matches()) return "comment_on_schema_public";
        Matcher m = CREATE_EXTENSION.matcher(text);
        if (m.matches() && existingExtensions.contains(m.group(1).replace("\"", "").toLowerCase(Locale.ROOT))) {
            return "create_existing_extension";
        }
        if (TRANSACTION_TIMEOUT.matcher(text).matches()) return "set_transaction_timeout";
        return null;
    }

    private static final class State {
        long lines;
        long count;
        boolean inStatement; // a statement started on an earlier line and has not ended
        boolean inCopy;
        String dollarTag; // inside $tag$ ... $tag$
        final Map<String, Long> byKind = new TreeMap<>();
        final List<SetAside> first = new ArrayList<>();

        /** A piece of a line too long to hold: passed through, its dollar quotes followed. */
        void piece(byte[] bytes, boolean continued, OutputStream out) throws IOException {
            out.write(bytes);
            if (!inCopy) {
                if (!continued && !inStatement) inStatement = true;
                trackDollars(new String(bytes, StandardCharsets.ISO_8859_1));
            }
        }

        void line(byte[] bytes, boolean continued, OutputStream out, OutputStream setAside, Set<String> extensions)
                throws IOException {
            lines++;
            String text = new String(bytes, StandardCharsets.ISO_8859_1); // ASCII patterns; bytes written unchanged
            String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
            if (body.endsWith("\r")) body = body.substring(0, body.length() - 1);
            if (inCopy) {
                out.write(bytes);
                if (!continued && body.equals("\\.")) inCopy = false;
                return;
            }
            if (!continued && !inStatement && dollarTag == null) {
                String trimmed = body.strip();
                // comments, blank lines and psql's meta-commands (pg_dump's restrict and unrestrict lines) start no statement
                if (trimmed.isEmpty() || trimmed.startsWith("--") || trimmed.startsWith("\\")) {
                    out.write(bytes);
                    return;
                }
                String kind = kind(body, extensions);
                if (kind != null) {
                    count++;
                    byKind.merge(kind, 1L, Long::sum);
                    if (first.size() < LISTED) {
                        first.add(new SetAside(lines, kind, body.length() > 300 ? body.substring(0, 300) + "..." : body));
                    }
                    setAside.write(("-- line " + lines + " (" + kind + ")\n").getBytes(StandardCharsets.UTF_8));
                    setAside.write(bytes);
                    if (!text.endsWith("\n")) setAside.write('\n');
                    out.write(("-- odoo-ops: set aside (" + kind + "), see set_aside.sql" + (text.endsWith("\n") ? "\n" : ""))
                            .getBytes(StandardCharsets.UTF_8));
                    return;
                }
                if (COPY_FROM_STDIN.matcher(body).matches()) {
                    out.write(bytes);
                    inCopy = true;
                    return;
                }
            }
            out.write(bytes);
            if (!continued) inStatement = true;
            trackDollars(body);
            if (dollarTag == null && body.stripTrailing().endsWith(";") && !body.strip().startsWith("--")) inStatement = false;
        }

        private void trackDollars(String text) {
            Matcher m = DOLLAR.matcher(text);
            while (m.find()) {
                String tag = m.group();
                if (dollarTag == null) dollarTag = tag;
                else if (dollarTag.equals(tag)) dollarTag = null;
            }
        }
    }
}
