package dev.odooops.app;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.OpsConfig;
import dev.odooops.model.ListEnvironmentsRequest;
import dev.odooops.ops.OpsCatalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** environment-list: every configured environment with the last backup of each type (the route keeps the readable ones). */
public final class EnvironmentViews {
    private final OpsConfig config;
    private final OpsCatalog catalog;

    public EnvironmentViews(OpsConfig config, OpsCatalog catalog) {
        this.config = config;
        this.catalog = catalog;
    }

    public List<Map<String, Object>> list(ListEnvironmentsRequest request) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (EnvironmentConfig env : config.environments()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", env.id());
            m.put("project", env.project());
            m.put("name", env.name());
            m.put("type", env.type());
            m.put("last_backup", catalog.artifacts().lastBackups(env.id()));
            out.add(m);
        }
        return out;
    }
}
