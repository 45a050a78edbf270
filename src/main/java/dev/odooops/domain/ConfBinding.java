package dev.odooops.domain;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether an environment's configuration file describes that environment: a Dolibarr {@code conf.php} whose
 * {@code $dolibarr_main_db_name} or {@code $dolibarr_main_data_root} names another database or documents directory
 * than the environments file's would give a backup of one installation with the settings of another (a wrong path,
 * a copied file). A backup is refused naming each difference; an option that is absent says nothing.
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
