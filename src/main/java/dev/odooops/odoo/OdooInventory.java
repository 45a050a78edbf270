package dev.odooops.odoo;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.OdooConf;
import dev.odooops.exec.ToolRunner;
import dev.odooops.postgres.EnvironmentDatabase;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an Odoo environment runs, read the same way by every operation that needs it (the backup's config snapshot,
 * check-drift): the installed modules with their versions ({@code ir_module_module}, state {@code installed},
 * {@code latest_version}), the Odoo series (from {@code base}'s version, as Odoo numbers it: {@code 17.0.1.3} is
 * series {@code 17.0}), the addons paths in the order Odoo searches them, and the git commit of a path that is a
 * repository. Reads only.
 */
public class OdooInventory {
    private final ToolRunner tools;

    public OdooInventory(ToolRunner tools) {
        this.tools = tools;
    }

    /**
     * Installed modules and versions; none for a database without Odoo's tables (one Odoo created empty because it was
     * missing, say).
     */
    public Map<String, String> installedModules(EnvironmentConfig env) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = EnvironmentDatabase.connect(env.database())) {
            try (PreparedStatement probe = c.prepareStatement("select to_regclass('ir_module_module') is not null");
                 ResultSet has = probe.executeQuery()) {
                has.next();
                if (!has.getBoolean(1)) return out;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "select name, coalesce(latest_version, '') from ir_module_module where state = 'installed' order by name");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    /** "17.0.1.3" (base's latest_version) gives "17.0"; null when unknown. */
    public static String series(String baseVersion) {
        if (baseVersion == null || baseVersion.isBlank()) return null;
        String[] parts = baseVersion.split("\\.");
        return parts.length >= 2 ? parts[0] + "." + parts[1] : baseVersion;
    }

    /**
     * The addons paths Odoo searches, in its order: odoo.conf's {@code addons_path} when it sets one (what the server
     * uses), else the environments file's {@code addons_paths}.
     */
    public static List<Path> effectiveAddonsPaths(EnvironmentConfig env) {
        List<String> conf = confAddonsPaths(env);
        if (!conf.isEmpty()) return conf.stream().map(Path::of).toList();
        return List.copyOf(env.addonsPaths());
    }

    /** odoo.conf's {@code addons_path}, in order; empty when the file or the key is missing. */
    public static List<String> confAddonsPaths(EnvironmentConfig env) {
        if (env.appConf() == null || !Files.isRegularFile(env.appConf())) return List.of();
        try {
            return new ArrayList<>(OdooConf.read(env.appConf()).addonsPaths());
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /** The commit checked out in {@code dir} when it is a git repository, else null. */
    public String gitCommit(Path dir) {
        if (!Files.exists(dir.resolve(".git"))) return null;
        try {
            return tools.run(List.of("git", "-c", "safe.directory=*", "-C", dir.toString(), "rev-parse", "HEAD"),
                    Map.of(), Duration.ofSeconds(30)).stdout().strip();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
