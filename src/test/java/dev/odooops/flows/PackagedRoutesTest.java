package dev.odooops.flows;

import dev.odooops.OpsRuntime;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.support.TestEnvironment;
import org.apache.camel.Route;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The route files travel inside the jar (classpath:routes/): with no routes directory where ops.routes-dir points (an
 * installed jar, no checkout), the command line and serve load the packaged copy, the same routes as the checkout's,
 * and a backup runs.
 */
class PackagedRoutesTest {
    private static Map<String, String> routes(OpsRuntime rt) {
        Map<String, String> m = new TreeMap<>();
        for (Route r : rt.camelContext().getRoutes()) {
            if (r.getSourceLocation() == null) continue; // made by Camel (the REST DSL's), named by a counter
            String where = r.getSourceLocation();
            m.put(r.getRouteId(), where.contains("/routes/") ? where.substring(where.lastIndexOf("/routes/")).replaceFirst(":\\d+$", "") : where);
        }
        return m;
    }

    @Test
    void should_load_the_routes_packaged_in_the_jar_when_the_routes_directory_is_absent_and_back_up() throws Exception {
        try (TestEnvironment env = TestEnvironment.create("packaged_routes")) {
            env.withServicePorts();
            Map<String, String> cli;
            Map<String, String> service;
            try (OpsRuntime rt = env.runtime()) {
                cli = routes(rt);
            }
            try (OpsRuntime rt = env.serviceRuntime()) {
                service = routes(rt);
            }
            env.withProperty("ops.routes-dir", env.root.resolve("no-routes-here").toString());
            try (OpsRuntime rt = env.serviceRuntime()) {
                assertEquals(service, routes(rt), "serve: the jar's routes are the checkout's");
            }
            try (OpsRuntime rt = env.runtime()) {
                Map<String, String> packaged = routes(rt);
                assertTrue(packaged.containsKey("backup") && packaged.containsKey("restore"), packaged.toString());
                assertEquals(cli, packaged, "the command line: the jar's routes are the checkout's (no service route)");
                assertTrue(rt.camelContext().getRoutes().stream().map(Route::getSourceLocation).filter(java.util.Objects::nonNull)
                        .allMatch(w -> w.contains("classes/routes/") || w.contains(".jar")), "loaded from the classpath");
                BackupResult b = rt.operations().backup(BackupRequest.of(env.project, "prod", BackupType.FULL, null, null,
                        null, null, "operator", "test"));
                assertEquals("success", b.status(), b.error());
            }
        }
    }
}
