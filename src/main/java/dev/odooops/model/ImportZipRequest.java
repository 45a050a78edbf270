package dev.odooops.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * import-odoo-zip: an Odoo backup zip (database manager, Odoo.sh: dump.sql, filestore/, manifest.json) at {@code file}
 * (an absolute path on the odoo-ops server) becomes a verified artifact of the environment (kind {@code imported}).
 * It needs {@code backup} on the project: like a backup it adds an artifact of the environment and changes nothing
 * live. {@code odooVersion}: the series the environment's server runs, stated when it cannot be learned (as restore's).
 */
public record ImportZipRequest(String project, String environment, String file, String odooVersion, String user,
                               String trigger) implements QueuedRequest, ActionRequest {
    public static final String OPERATION = "import_zip";
    public static final String ROUTE = "direct:import-odoo-zip";

    public ImportZipRequest {
        if (project != null && project.isBlank()) throw new dev.odooops.domain.RequestRejected("project", "is empty");
        Fields.environment(environment);
        ServerPath.check("file", file);
        String problem = dev.odooops.domain.VersionGuard.statedProblem(odooVersion);
        if (problem != null) throw new dev.odooops.domain.RequestRejected(dev.odooops.domain.VersionGuard.FIELD, problem);
        Fields.required("user", user);
        if (trigger == null) trigger = "cli";
    }

    @Override
    public ImportZipRequest resolved(String project, String environment) {
        return new ImportZipRequest(project, environment, file, odooVersion, user, trigger);
    }

    @Override
    public String operation() {
        return OPERATION;
    }

    @Override
    public String route() {
        return ROUTE;
    }

    @Override
    public Map<String, Object> fields() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", file);
        if (odooVersion != null) m.put("odoo_version", odooVersion);
        return m;
    }

    @Override
    public String action() {
        return "backup";
    }

    @Override
    public Set<String> projects() {
        return Set.of(project);
    }
}
