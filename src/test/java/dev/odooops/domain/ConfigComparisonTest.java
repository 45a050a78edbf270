package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("fast")
class ConfigComparisonTest {
    private static Map<String, Object> snapshot(String version, Map<String, Object> options, boolean pathExists,
                                                List<String> modules, String commit) {
        Map<String, Object> addon = new HashMap<>();
        addon.put("path", "/opt/addons");
        addon.put("exists", pathExists);
        addon.put("modules", modules);
        addon.put("git_commit", commit);
        return Map.of("odoo_version", version, "odoo_conf", Map.of("options", options), "addons_paths", List.of(addon));
    }

    private static final Map<String, Object> OPTIONS = Map.of("workers", "2", "data_dir", "/var/lib/odoo",
            "admin_passwd", "[REDACTED]");

    @Test
    void should_find_nothing_between_equal_snapshots() {
        var s = snapshot("17.0", OPTIONS, true, List.of("a", "b"), "abc");
        ConfigComparison.Result r = ConfigComparison.compare(s, s);
        assertEquals(List.of(), r.critical());
        assertEquals(List.of(), r.warnings());
    }

    @Test
    void should_flag_version_paths_modules_and_critical_options_as_critical() {
        var then = snapshot("17.0", OPTIONS, true, List.of("a", "b"), "abc");
        var now = snapshot("18.0", Map.of("workers", "4", "data_dir", "/srv/odoo", "admin_passwd", "[REDACTED]"), true,
                List.of("a"), "def");
        ConfigComparison.Result r = ConfigComparison.compare(then, now);
        assertEquals(List.of("odoo_version: backup 17.0, now 18.0", "odoo.conf data_dir differs",
                "modules missing from /opt/addons: [b]"), r.critical());
        assertEquals(List.of("odoo.conf workers differs", "addons path /opt/addons is at def, the backup was at abc"),
                r.warnings());
        assertTrue(r.optionDifferences().containsKey("workers"));
    }

    @Test
    void should_flag_an_addons_path_that_is_gone() {
        var then = snapshot("17.0", OPTIONS, true, List.of("a"), null);
        var now = snapshot("17.0", OPTIONS, false, List.of(), null);
        assertEquals(List.of("addons path /opt/addons is missing now"), ConfigComparison.compare(then, now).critical());
    }
}
