package dev.odooops.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * export-odoo-zip: artifact {@code artifactId} written as an Odoo backup zip (what Odoo's database manager restores)
 * to {@code out}, an absolute path on the odoo-ops server that must not exist yet. A run of the artifact's environment;
 * {@code project}/{@code environment} may be null (the command line): the entry route fills them from the artifact,
 * and refuses them when they name another environment. It needs {@code copy} on the project: the data leaves
 * odoo-ops's keeping as a plain file, as a copy's does.
 */
public record ExportZipRequest(String project, String environment, String artifactId, String out, String user,
                               String trigger) implements QueuedRequest, ActionRequest {
    public static final String OPERATION = "export_zip";
    public static final String ROUTE = "direct:export-odoo-zip";

    public ExportZipRequest {
        Fields.required("artifact_id", artifactId);
        ServerPath.check("out", out);
        Fields.required("user", user);
        if (trigger == null) trigger = "cli";
    }

    @Override
    public ExportZipRequest resolved(String project, String environment) {
        return new ExportZipRequest(project, environment, artifactId, out, user, trigger);
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
        m.put("artifact_id", artifactId);
        m.put("out", out);
        return m;
    }

    @Override
    public String action() {
        return "copy";
    }

    @Override
    public Set<String> projects() {
        return project == null ? Set.of() : Set.of(project);
    }
}
