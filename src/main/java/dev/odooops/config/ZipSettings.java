package dev.odooops.config;

import dev.odooops.domain.OdooZip;

import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The {@code zip.*} keys of application.properties: the limits an imported Odoo zip must stay within (checked on the
 * central directory before anything is inflated, and again on the real bytes while inflating), and the time-outs of
 * the tools the import and the export run. Read once at start: a bad value fails the start naming the key.
 * <table>
 *   <tr><td>{@code zip.max-members}</td><td>int, 1..10000000, default 1000000</td></tr>
 *   <tr><td>{@code zip.max-bytes}</td><td>bytes uncompressed, all members together, default 274877906944 (256 GiB)</td></tr>
 *   <tr><td>{@code zip.max-member-bytes}</td><td>bytes uncompressed, one member, default 137438953472 (128 GiB)</td></tr>
 *   <tr><td>{@code zip.max-ratio}</td><td>int, 2..100000, default 200: uncompressed / compressed of a member of 1 MiB or more</td></tr>
 *   <tr><td>{@code zip.psql-timeout-seconds}</td><td>int, 10..604800, default 21600: loading dump.sql; also the export's pg_restore</td></tr>
 * </table>
 */
public record ZipSettings(OdooZip.Limits limits, int psqlTimeoutSeconds) {
    static final List<String> KEYS = List.of("zip.max-members", "zip.max-bytes", "zip.max-member-bytes", "zip.max-ratio",
            "zip.psql-timeout-seconds");

    public static ZipSettings of(Settings settings) {
        return of(settings.raw(), settings.configDir().resolve("application.properties").toString());
    }

    static ZipSettings of(Properties p, String file) {
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith("zip.") && !KEYS.contains(key)) throw new ConfigException(file, key, "one of " + KEYS, p.getProperty(key));
        }
        return new ZipSettings(new OdooZip.Limits(
                (int) number(p, file, "zip.max-members", 1_000_000, 1, 10_000_000),
                number(p, file, "zip.max-bytes", 256L << 30, 1, Long.MAX_VALUE),
                number(p, file, "zip.max-member-bytes", 128L << 30, 1, Long.MAX_VALUE),
                (int) number(p, file, "zip.max-ratio", 200, 2, 100_000)),
                (int) number(p, file, "zip.psql-timeout-seconds", 21600, 10, 604800));
    }

    private static long number(Properties p, String file, String key, long fallback, long min, long max) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) v = System.getProperty(key);
        if (v == null || v.isBlank()) return fallback;
        try {
            long n = Long.parseLong(v.trim());
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ConfigException(file, key, "a whole number from " + min + " to " + max, v);
    }
}
