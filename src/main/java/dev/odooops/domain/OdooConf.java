package dev.odooops.domain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An {@code odoo.conf} read as Odoo reads it: Python's {@code configparser.RawConfigParser()} with its defaults
 * (Odoo's {@code tools/config.py} reads the {@code [options]} section of it):
 * <ul>
 *   <li>an option line is {@code key = value} or {@code key: value}, split at the first {@code =} or {@code :}
 *       (so {@code key: a=b} is key {@code key}, value {@code a=b}); key and value are stripped, the key
 *       lower-cased;</li>
 *   <li>a line indented deeper than its option's line continues the value (joined with newlines: an
 *       {@code addons_path} written over several lines keeps every path); blank lines inside a value are kept,
 *       trailing ones dropped;</li>
 *   <li>a line whose first non-blank character is {@code #} or {@code ;} is a comment, also inside a continued
 *       value; there are no inline comments ({@code a = b ; c} is the value {@code b ; c});</li>
 *   <li>no interpolation ({@code %} is literal); {@code [DEFAULT]} holds values every section has;</li>
 *   <li>what configparser refuses (a line before any section, a line without delimiter, an empty key, a duplicate
 *       section or option) is listed by {@link #problems()} (Odoo does not start with such a file) and left out.</li>
 * </ul>
 */
public final class OdooConf {
    private static final String DEFAULT = "DEFAULT";
    private static final Pattern SECTION = Pattern.compile("\\[(?<header>.+)]");
    private static final Pattern OPTION = Pattern.compile("(?<option>.*?)\\s*(?<vi>[=:])\\s*(?<value>.*)");
    private final Map<String, Map<String, String>> sections;
    private final Map<String, String> defaults;
    private final List<String> problems;

    private OdooConf(Map<String, Map<String, String>> sections, Map<String, String> defaults, List<String> problems) {
        this.sections = sections;
        this.defaults = defaults;
        this.problems = List.copyOf(problems);
    }

    public static OdooConf read(Path file) {
        try {
            return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public static OdooConf parse(List<String> lines) {
        Map<String, Map<String, List<String>>> raw = new LinkedHashMap<>();
        Map<String, List<String>> defaults = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        Set<String> added = new HashSet<>();
        Map<String, List<String>> section = null;
        String sectionName = null;
        String option = null;
        int indentLevel = 0;
        int lineNo = 0;
        for (String line : lines) {
            lineNo++;
            String stripped = pyStrip(line);
            boolean comment = stripped.startsWith("#") || stripped.startsWith(";");
            String value = comment ? "" : stripped;
            if (value.isEmpty()) {
                // configparser keeps a blank line inside a value (not a comment line), joined and trimmed at the end
                if (!comment && section != null && option != null && section.get(option) != null) section.get(option).add("");
                continue;
            }
            int indent = firstNonSpace(line);
            if (section != null && option != null && indent > indentLevel) {
                if (section.get(option) != null) section.get(option).add(value);
                continue;
            }
            indentLevel = indent;
            Matcher header = SECTION.matcher(value);
            if (header.lookingAt()) {
                sectionName = header.group("header");
                if (sectionName.equals(DEFAULT)) {
                    section = defaults;
                } else {
                    if (!added.add("[" + sectionName)) problems.add("line " + lineNo + ": section [" + sectionName + "] already defined");
                    section = raw.computeIfAbsent(sectionName, k -> new LinkedHashMap<>());
                }
                option = null;
                continue;
            }
            if (section == null) {
                problems.add("line " + lineNo + ": no [section] header before it");
                continue;
            }
            Matcher m = OPTION.matcher(value);
            if (!m.matches() || m.group("option").isEmpty()) {
                // configparser notes the error and goes on, the option before it still open to continuation lines
                problems.add("line " + lineNo + ": neither 'key = value' nor 'key: value'");
                continue;
            }
            option = pyStrip(m.group("option")).toLowerCase(Locale.ROOT);
            if (!added.add(sectionName + "\u0000" + option)) {
                problems.add("line " + lineNo + ": option '" + option + "' already set in [" + sectionName + "]");
            }
            List<String> v = new ArrayList<>();
            v.add(pyStrip(m.group("value")));
            section.put(option, v);
        }
        Map<String, String> joinedDefaults = joined(defaults);
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        raw.forEach((name, kv) -> {
            Map<String, String> merged = new LinkedHashMap<>(joined(kv));
            joinedDefaults.forEach(merged::putIfAbsent);
            out.put(name, merged);
        });
        return new OdooConf(out, joinedDefaults, problems);
    }

    /** configparser's join of a value's lines: with newlines, trailing blank lines (and space) removed. */
    private static Map<String, String> joined(Map<String, List<String>> kv) {
        Map<String, String> out = new LinkedHashMap<>();
        kv.forEach((k, lines) -> out.put(k, String.join("\n", lines).stripTrailing()));
        return out;
    }

    /** Python's {@code str.strip()} for the characters a configuration file holds (spaces, tabs, form feeds ...). */
    private static String pyStrip(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && isPySpace(s.charAt(a))) a++;
        while (b > a && isPySpace(s.charAt(b - 1))) b--;
        return s.substring(a, b);
    }

    private static int firstNonSpace(String line) {
        int i = 0;
        while (i < line.length() && isPySpace(line.charAt(i))) i++;
        return i;
    }

    private static boolean isPySpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    /** Every section but {@code [DEFAULT]}, with the defaults' values it does not set itself, keys lower-cased. */
    public Map<String, Map<String, String>> sections() {
        return sections;
    }

    /** The {@code [DEFAULT]} section's values. */
    public Map<String, String> defaults() {
        return defaults;
    }

    /** What Odoo's configparser would refuse in this file (Odoo does not start with it), by line; empty when none. */
    public List<String> problems() {
        return problems;
    }

    /** An option of {@code [options]} (the section Odoo reads), or of {@code [DEFAULT]}; null when unset. */
    public String option(String key) {
        Map<String, String> options = sections.get("options");
        return options != null ? options.get(key) : defaults.get(key);
    }

    /** Odoo's reading of {@code addons_path}: split at commas, each path stripped, empty ones dropped. */
    public List<String> addonsPaths() {
        String v = option("addons_path");
        List<String> out = new ArrayList<>();
        if (v == null) return out;
        for (String s : v.split(",")) if (!s.isBlank()) out.add(s.strip());
        return out;
    }
}
