package dev.odooops.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The structure that keeps the permission decided once: every direct: entry route of the application layer (the
 * routes a trigger calls, whose refusals go back to the caller: routeConfigurationId reject-to-caller) has its
 * authorize node, on the authorizer bean, right after the environment lookup when it has one (first otherwise, after
 * what only keeps the principal; a list of every project's rows keeps the readable ones as its last step), and nothing
 * else in main code calls the permission rule.
 */
@Tag("fast")
class EntryRoutesAuthorizeTest {
    /** Every route file of the application layer (routes/*.camel.yaml; the service triggers are not entry routes). */
    private static final List<String> FILES = files();

    private static List<String> files() {
        try (var s = Files.list(Path.of("routes"))) {
            return s.map(Path::toString).filter(f -> f.endsWith(".camel.yaml")).sorted().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void should_authorize_in_every_entry_route_right_after_the_environment_lookup() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        List<String> entries = new ArrayList<>();
        for (String file : FILES) {
            for (Map<String, Object> item : (List<Map<String, Object>>) yaml.readValue(Path.of(file).toFile(), List.class)) {
                Map<String, Object> route = (Map<String, Object>) item.get("route");
                if (route == null || !"reject-to-caller".equals(route.get("routeConfigurationId"))) continue;
                String id = (String) route.get("id");
                entries.add(id);
                List<Map<String, Object>> steps = (List<Map<String, Object>>) ((Map<String, Object>) route.get("from")).get("steps");
                int lookup = -1;
                int authorize = -1;
                for (int i = 0; i < steps.size(); i++) {
                    Map<String, Object> bean = (Map<String, Object>) steps.get(i).get("bean");
                    if (bean == null) continue;
                    if ("environmentLookup".equals(bean.get("ref"))) lookup = i;
                    if ("authorizer".equals(bean.get("ref")) && String.valueOf(bean.get("id")).startsWith("authorize-") && authorize < 0) {
                        authorize = i;
                    }
                }
                assertTrue(authorize >= 0, file + ": route " + id + " has no authorize node");
                if ("readable".equals(((Map<String, Object>) steps.get(authorize).get("bean")).get("method"))) {
                    // a list of every project's rows: the authorize node keeps the readable ones, as its last step
                    assertEquals(steps.size() - 1, authorize, file + ": route " + id + ": the readable filter comes last");
                    continue;
                }
                if (lookup >= 0) assertEquals(lookup + 1, authorize, file + ": route " + id + ": authorize right after the lookup");
                for (int i = 0; i < authorize; i++) {
                    Map<String, Object> bean = (Map<String, Object>) steps.get(i).get("bean");
                    assertTrue(bean == null ? steps.get(i).containsKey("setVariable") : "environmentLookup".equals(bean.get("ref")),
                            file + ": route " + id + ": step " + i + " runs before the permission is decided");
                }
            }
        }
        assertTrue(entries.containsAll(List.of("backup", "restore", "artifact-pin", "artifact-verify", "schedule-pause",
                "restore-decide", "admit", "check-drift", "evidence-prune")), entries.toString());
    }

    @Test
    void should_call_the_permission_rule_from_the_authorizer_only() throws Exception {
        List<String> callers = new ArrayList<>();
        try (var files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String text = Files.readString(f);
                if (text.contains("userHasPermission") || text.contains("new PermissionDenied(")
                        || text.contains(".require(") || text.contains(".PermissionDenied(")) {
                    callers.add(f.getFileName().toString());
                }
            }
        }
        assertEquals(List.of("Authorizer.java", "OpsConfig.java"), callers.stream().sorted().toList());
        assertFalse(callers.contains("RunQueue.java"));
    }
}
