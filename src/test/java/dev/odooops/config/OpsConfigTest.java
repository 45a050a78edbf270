package dev.odooops.config;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OpsConfig.allows: the rule of ops.user_has_permission, in memory. */
@Tag("fast")
class OpsConfigTest {
    private static final OpsConfig CONFIG = new OpsConfig("environments.yaml", null, Map.of(
            "operator", List.of(new OpsConfig.Permission("*", "backup"), new OpsConfig.Permission("*", "restore")),
            "ci", List.of(new OpsConfig.Permission("acme", "backup")),
            "admin", List.of(new OpsConfig.Permission("beta", "*")),
            "auditor", List.of()), List.of());

    @Test
    void should_allow_a_project_or_any_project_and_an_action_or_any_action() {
        assertTrue(CONFIG.allows("operator", "acme", "restore"));
        assertTrue(CONFIG.allows("ci", "acme", "backup"));
        assertFalse(CONFIG.allows("ci", "acme", "restore"));
        assertFalse(CONFIG.allows("ci", "beta", "backup"));
        assertTrue(CONFIG.allows("admin", "beta", "copy"));
        assertFalse(CONFIG.allows("admin", "acme", "backup"));
        assertFalse(CONFIG.allows("auditor", "acme", "backup"));
        assertFalse(CONFIG.allows("nobody", "acme", "backup"));
    }
}
