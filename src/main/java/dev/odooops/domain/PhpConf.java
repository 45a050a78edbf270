package dev.odooops.domain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Dolibarr's {@code conf.php} read as the variables it assigns: {@code $name = 'value';} (single or double
 * quotes, PHP's escapes for the quote and the backslash), {@code $name = 1;} (a bare value, kept as written).
 * Comments ({@code //}, {@code #}, {@code /* ... *}{@code /}) and every other statement are skipped; the file is
 * never executed. A variable assigned twice keeps its last value, as PHP would.
 */
public final class PhpConf {
    private PhpConf() {
    }

    public static Map<String, String> read(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public static Map<String, String> parse(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int end = text.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if ((c == '/' && i + 1 < n && text.charAt(i + 1) == '/') || c == '#') {
                i = lineEnd(text, i);
            } else if (c == '$') {
                i = assignment(text, i + 1, out);
            } else if (c == '\'' || c == '"') {
                i = skipString(text, i); // a string outside an assignment (define('X', '...')): not ours
            } else {
                i++;
            }
        }
        return out;
    }

    /** Reads {@code name = value;} after the {@code $}; returns where scanning goes on. */
    private static int assignment(String text, int i, Map<String, String> out) {
        int n = text.length();
        int start = i;
        while (i < n && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) i++;
        if (i == start) return i;
        String name = text.substring(start, i);
        while (i < n && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) i++;
        if (i >= n || text.charAt(i) != '=' || (i + 1 < n && text.charAt(i + 1) == '=')) return i;
        i++;
        while (i < n && Character.isWhitespace(text.charAt(i))) i++;
        if (i >= n) return i;
        char q = text.charAt(i);
        if (q == '\'' || q == '"') {
            StringBuilder value = new StringBuilder();
            int j = i + 1;
            while (j < n && text.charAt(j) != q) {
                char c = text.charAt(j);
                if (c == '\\' && j + 1 < n && (text.charAt(j + 1) == q || text.charAt(j + 1) == '\\')) {
                    value.append(text.charAt(j + 1));
                    j += 2;
                } else {
                    value.append(c);
                    j++;
                }
            }
            out.put(name, value.toString());
            return Math.min(n, j + 1);
        }
        int end = i;
        while (end < n && text.charAt(end) != ';' && text.charAt(end) != '\n') end++;
        out.put(name, text.substring(i, end).strip());
        return end;
    }

    private static int skipString(String text, int i) {
        char q = text.charAt(i);
        int j = i + 1;
        while (j < text.length() && text.charAt(j) != q) j += text.charAt(j) == '\\' ? 2 : 1;
        return Math.min(text.length(), j + 1);
    }

    private static int lineEnd(String text, int i) {
        int end = text.indexOf('\n', i);
        return end < 0 ? text.length() : end + 1;
    }
}
