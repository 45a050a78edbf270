package dev.odooops.domain;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether an environment's configuration file describes that environment: a Dolibarr {@code conf.php} whose
 * {@code $dolibarr_main_db_name} or {@code $dolibarr_main_data_root} names another database or documents directory
 * than the environments file's, or an {@code odoo.conf} whose {@code db_name} or {@code data_dir} does, would give a
 * backup of one installation with the settings of another (a wrong path, a copied file), and a restore into a
 * database or filestore that the server does not use. A backup or restore is refused naming each difference; an
 * option that is absent says nothing.
 * <p>Odoo's reading ({@code odoo/tools/config.py}): {@code db_name} is a comma-separated list (entries stripped, empty
 * ones dropped); {@code False}/{@code false} (the old default written by {@code --save}), {@code None} or empty means
 * unset, so any database; the environment's database must be in the list. The filestore of a database is
 * {@code <data_dir>/filestore/<database>}: with {@code data_dir} set it must be the environment's filestore (the
 * same directory, or the same file through a link). A {@code data_dir} that is relative or uses {@code ~} or a
 * variable depends on the server's working directory and account and is not judged.
 */
public final class ConfBinding {
    private ConfBinding() {
    }

    /**
     * @param options  the configuration file's variables ({@link PhpConf#read})
     * @param database the environment's database name
     * @param files    the environment's documents directory
     * @return one line per difference, empty when the file agrees (or the application has no such rule)
     */
    public static List<String> differences(AppProfile app, Map<String, String> options, String database, Path files) {
        List<String> out = new ArrayList<>();
        if (app == AppProfile.ODOO) return odoo(options, database, files);
        if (app != AppProfile.DOLIBARR) return out;
        String db = options.get("dolibarr_main_db_name");
        if (db != null && !db.isBlank() && !db.strip().equals(database)) {
            out.add("$dolibarr_main_db_name is '" + db.strip() + "', the environment's database is '" + database + "'");
        }
        String root = options.get("dolibarr_main_data_root");
        if (root != null && !root.isBlank() && !samePath(Path.of(root.strip()), files)) {
            out.add("$dolibarr_main_data_root is '" + root.strip() + "', the environment's documents directory is '" + files + "'");
        }
        return out;
    }

    /**
     * The options of the environment's configuration file that {@link #differences} reads. With {@code customLayout}
     * (Odoo's {@code filestore_layout: custom}: the server sees the filestore under another path, a container's
     * volume say) odoo.conf's {@code data_dir} is the server's path and is left out.
     */
    public static Map<String, String> read(AppProfile app, Path conf, boolean customLayout) {
        if (app == AppProfile.DOLIBARR) return PhpConf.read(conf);
        if (app != AppProfile.ODOO) return Map.of();
        OdooConf odoo = OdooConf.read(conf);
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String key : customLayout ? List.of("db_name") : List.of("db_name", "data_dir")) {
            if (odoo.option(key) != null) out.put(key, odoo.option(key));
        }
        return out;
    }

    private static List<String> odoo(Map<String, String> options, String database, Path filestore) {
        List<String> out = new ArrayList<>();
        String dbName = options.get("db_name");
        if (isSet(dbName)) {
            List<String> names = new ArrayList<>();
            for (String n : dbName.split(",")) if (!n.isBlank()) names.add(n.strip());
            if (!names.isEmpty() && !names.contains(database)) {
                out.add("db_name is '" + dbName.strip() + "', which does not name the environment's database '" + database + "'");
            }
        }
        String dataDir = options.get("data_dir");
        if (isSet(dataDir)) {
            String d = dataDir.strip();
            if (!d.startsWith("/") || d.contains("~") || d.contains("$")) return out; // the server's own context decides
            Path expected = Path.of(d).resolve("filestore").resolve(database);
            if (!samePath(expected, filestore)) {
                out.add("data_dir is '" + d + "', so Odoo's filestore of '" + database + "' is '" + expected
                        + "', not the environment's filestore '" + filestore + "' (when the server sees that "
                        + "directory under another path, a container's volume say, set filestore_layout: custom)");
            }
        }
        return out;
    }

    /** Odoo's unset values of a non-boolean option: empty, {@code False}/{@code false} and {@code None}. */
    private static boolean isSet(String v) {
        if (v == null) return false;
        String s = v.strip();
        return !s.isEmpty() && !s.equals("False") && !s.equals("false") && !s.equals("None");
    }

    private static boolean samePath(Path a, Path b) {
        Path x = a.toAbsolutePath().normalize();
        Path y = b.toAbsolutePath().normalize();
        if (x.equals(y)) return true;
        try {
            return Files.exists(x) && Files.exists(y) && Files.isSameFile(x, y);
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
