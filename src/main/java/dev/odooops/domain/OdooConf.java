package dev.odooops.domain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An {@code odoo.conf} (INI) file read into sections of ordered key/value pairs. */
public final class OdooConf {
    private final Map<String, Map<String, String>> sections;

    private OdooConf(Map<String, Map<String, String>> sections) {
        this.sections = sections;
    }

    public static OdooConf read(Path file) {
        try {
            return parse(Files.readAllLines(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public static OdooConf parse(List<String> lines) {
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        Map<String, String> current = sections.computeIfAbsent("options", k -> new LinkedHashMap<>());
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) continue;
            if (line.startsWith("[") && line.endsWith("]")) {
                current = sections.computeIfAbsent(line.substring(1, line.length() - 1).strip(), k -> new LinkedHashMap<>());
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) eq = line.indexOf(':');
            if (eq <= 0) continue;
            current.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        }
        return new OdooConf(sections);
    }

    public Map<String, Map<String, String>> sections() {
        return sections;
    }

    public String option(String key) {
        return sections.getOrDefault("options", Map.of()).get(key);
    }

    public List<String> addonsPaths() {
        String v = option("addons_path");
        List<String> out = new ArrayList<>();
        if (v == null) return out;
        for (String s : v.split(",")) if (!s.isBlank()) out.add(s.strip());
        return out;
    }
}
