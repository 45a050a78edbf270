package dev.odooops.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * manifest.json of an Odoo backup zip, as Odoo's {@code dump_db_manifest} (odoo/service/db.py) writes it:
 * {@code odoo_dump} ("1"), {@code db_name}, {@code version} (release.version, "17.0" or "17.0+e"), {@code version_info}
 * (release.version_info, [17, 0, 0, "final", 0, ""]), {@code major_version} (release.major_version, "17.0"),
 * {@code pg_version} ("15.0": the server's major version as Odoo formats it) and {@code modules} (installed module ->
 * latest_version). Odoo's restore does not read it; odoo-ops does, to refuse a zip of another series.
 */
public final class OdooZipManifest {
    private OdooZipManifest() {
    }

    /**
     * The series the manifest states, checked field by field against {@code series} (the environment's). Every
     * version field present must give that series ({@code version}, {@code major_version}, {@code version_info}'s
     * first two items); at least one must be present. Throws {@link OdooZip.Refused} naming the field.
     */
    public static String checkSeries(Map<String, Object> manifest, String series) {
        if (!"1".equals(String.valueOf(manifest.get("odoo_dump")))) {
            throw new OdooZip.Refused(OdooZip.MANIFEST, "odoo_dump: expected \"1\" (Odoo's dump format), got "
                    + manifest.get("odoo_dump"));
        }
        Map<String, String> found = new LinkedHashMap<>();
        if (manifest.get("version") != null) found.put("version", VersionGuard.series(String.valueOf(manifest.get("version"))));
        if (manifest.get("major_version") != null) {
            found.put("major_version", VersionGuard.series(String.valueOf(manifest.get("major_version"))));
        }
        if (manifest.get("version_info") instanceof List<?> info && info.size() >= 2) {
            String first = String.valueOf(info.get(0));
            String second = String.valueOf(info.get(1));
            found.put("version_info", VersionGuard.series(first.startsWith("saas~") ? first + "." + second : first + "." + second));
        } else if (manifest.get("version_info") != null) {
            throw new OdooZip.Refused(OdooZip.MANIFEST, "version_info: expected a list such as [17, 0, 0, \"final\", 0, \"\"], got "
                    + manifest.get("version_info"));
        }
        if (found.isEmpty()) {
            throw new OdooZip.Refused(OdooZip.MANIFEST, "version: none of version, major_version, version_info is given");
        }
        for (Map.Entry<String, String> e : found.entrySet()) {
            if (e.getValue() == null) {
                throw new OdooZip.Refused(OdooZip.MANIFEST, e.getKey() + ": no Odoo series in " + manifest.get(e.getKey()));
            }
            if (!e.getValue().equals(series)) {
                throw new OdooZip.Refused(OdooZip.MANIFEST, e.getKey() + ": the zip is of Odoo " + e.getValue()
                        + ", the environment runs Odoo " + series + " (an import never changes the version)");
            }
        }
        return series;
    }

    /**
     * The manifest of an exported zip, as dump_db_manifest writes it, from what an artifact recorded: its Odoo
     * series ({@code odooVersion}, "17.0"), installed modules, the server's major version ({@code pgMajor}, "15").
     */
    public static Map<String, Object> of(String dbName, String odooVersion, Map<String, String> modules, String pgMajor) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("odoo_dump", "1");
        m.put("db_name", dbName);
        m.put("version", odooVersion);
        m.put("version_info", versionInfo(odooVersion));
        m.put("major_version", odooVersion);
        m.put("pg_version", pgVersion(pgMajor));
        m.put("modules", modules == null ? Map.of() : new TreeMap<>(modules));
        return m;
    }

    /** release.version_info of a series: "17.0" gives [17, 0, 0, "final", 0, ""]; "saas~17.1" gives ["saas~17", 1, 0, "final", 0, ""]. */
    static List<Object> versionInfo(String series) {
        List<Object> out = new ArrayList<>();
        String[] parts = series.split("\\.");
        out.add(parts[0].startsWith("saas~") ? parts[0] : Integer.valueOf(parts[0]));
        out.add(parts.length > 1 ? Integer.valueOf(parts[1]) : 0);
        out.add(0);
        out.add("final");
        out.add(0);
        out.add("");
        return out;
    }

    /** Odoo's {@code "%d.%d" % divmod(server_version / 100, 100)}: "15.0" for any PostgreSQL 15. */
    static String pgVersion(String major) {
        if (major == null) return null;
        String m = major.contains(".") ? major.substring(0, major.indexOf('.')) : major;
        return m + ".0";
    }
}
