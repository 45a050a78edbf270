package dev.odooops.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The rules paths in the configuration must follow (docs/configuration.md, "Paths"). A filestore is read,
 * archived and, on a restore, replaced by rename: a wrong one (/, /etc) must stop the start, not be "backed up"
 * or swapped. Each check returns null when the value is fine, else what was expected instead.
 */
final class PathRules {
    /** Top-level directories of the system: never a filestore, nor any directory directly below them. */
    static final Set<String> SYSTEM = Set.of("bin", "boot", "dev", "etc", "home", "lib", "opt", "proc", "root", "run",
            "sbin", "srv", "sys", "tmp", "usr", "var");
    /** Pseudo and boot file systems: nothing below them is a filestore. */
    static final Set<String> NEVER_BELOW = Set.of("boot", "dev", "proc", "run", "sys");

    private PathRules() {
    }

    /** Null when no segment of {@code raw} is '..', '.' or empty ('//'); one trailing '/' is allowed. */
    static String normalised(String raw) {
        String s = raw.endsWith("/") && raw.length() > 1 ? raw.substring(0, raw.length() - 1) : raw;
        String[] segments = (s.startsWith("/") ? s.substring(1) : s).split("/", -1);
        for (String seg : segments) {
            if (seg.equals("..") || seg.equals(".") || (seg.isEmpty() && !s.equals("/"))) {
                return "a normalised path (no '..', '.' or '//' segment)";
            }
        }
        return null;
    }

    /** Null when {@code raw} is a normalised absolute path other than '/' and not too close to a system directory. */
    static String filestore(String raw) {
        if (!raw.startsWith("/")) return "an absolute path (the filestore is never relative to the config file)";
        if (normalised(raw) != null) return "a normalised absolute path (no '..', '.' or '//' segment)";
        List<String> parts = parts(raw);
        if (parts.isEmpty()) return "a filestore directory, not '/'";
        String top = parts.get(0);
        boolean system = SYSTEM.contains(top) || top.startsWith("lib");
        if (parts.size() == 1 || (system && parts.size() == 2) || NEVER_BELOW.contains(top)) {
            return "a filestore directory at least two levels below '/' and below a system directory ("
                    + "/, /etc, /usr, /var, /home, /tmp, /lib* ... and the directories directly below them are refused; "
                    + "/proc, /sys, /dev, /boot and /run entirely)";
        }
        return null;
    }

    /** Null when the filestore follows Odoo's layout, {@code <data_dir>/filestore/<database name>}. */
    static String odooLayout(String raw, String database) {
        List<String> parts = parts(raw);
        int n = parts.size();
        if (n >= 2 && parts.get(n - 1).equals(database) && parts.get(n - 2).equals("filestore")) return null;
        return "Odoo's layout <data_dir>/filestore/" + database + " (Odoo finds a database's files by the database's "
                + "name, database.name; set filestore_layout: custom only when odoo-ops sees that directory under "
                + "another path)";
    }

    static List<String> parts(String raw) {
        List<String> out = new java.util.ArrayList<>();
        for (Path p : Path.of(raw).normalize()) out.add(p.toString());
        return out;
    }
}
