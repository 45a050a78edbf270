package dev.odooops.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The text of a pull-request environment's connection file {@code .env.pr-<N>}: {@code KEY=value} lines of that
 * environment alone (PGHOST, PGPORT, PGDATABASE, PGUSER, ODOO_DATA_DIR, ODOO_FILESTORE, ODOO_CONF, ODOO_URL, and
 * PGPASSWORD). The password is written only when it is no other environment's secret: a template that reuses
 * another environment's role (production's, say) gets a comment instead, so the file never carries another
 * environment's secret. A value holding a line break or a quote is refused (the file is read by shells and CI).
 */
public final class PrEnvFile {
    private PrEnvFile() {
    }

    /**
     * @param values      the environment's own values, in order (null values are left out)
     * @param password    its database password, or null
     * @param otherSecrets the secrets of every other environment (their passwords, tokens)
     */
    public static String render(String header, Map<String, String> values, String password, Collection<String> otherSecrets) {
        StringBuilder sb = new StringBuilder();
        for (String line : header.split("\n")) sb.append("# ").append(line).append('\n');
        Map<String, String> all = new LinkedHashMap<>();
        values.forEach((k, v) -> { if (v != null) all.put(k, v); });
        all.forEach((k, v) -> sb.append(k).append('=').append(quoted(k, v)).append('\n'));
        if (password != null && !password.isEmpty()) {
            if (otherSecrets.contains(password)) {
                sb.append("# PGPASSWORD not written: the template's database password is another environment's secret;\n")
                        .append("# give the pull-request environments a role (and password) of their own\n");
            } else {
                sb.append("PGPASSWORD=").append(quoted("PGPASSWORD", password)).append('\n');
            }
        }
        return sb.toString();
    }

    /** The file's {@code KEY=value} pairs (comments and blank lines left out), for tests and tools. */
    public static Map<String, String> parse(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            int eq = line.indexOf('=');
            String v = line.substring(eq + 1);
            if (v.length() >= 2 && v.startsWith("'") && v.endsWith("'")) v = v.substring(1, v.length() - 1);
            out.put(line.substring(0, eq), v);
        }
        return out;
    }

    private static String quoted(String key, String value) {
        if (value.contains("\n") || value.contains("\r") || value.contains("'")) {
            throw new IllegalArgumentException(key + ": a value with a line break or a single quote cannot be written to an .env file");
        }
        return value.matches("[A-Za-z0-9_./:@%+,-]*") ? value : "'" + value + "'";
    }

    /** Every line that is not a comment, as written (tests: nothing but these keys). */
    public static List<String> keys(String text) {
        return new ArrayList<>(parse(text).keySet());
    }
}
