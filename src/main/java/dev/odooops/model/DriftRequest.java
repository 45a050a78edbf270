package dev.odooops.model;

/**
 * check-drift: the environments of {@code project} side by side (Odoo series, addons paths in order, installed modules,
 * addons commits) and the divergences that matter. Reads only; {@code user} needs backup or restore on the project.
 */
public record DriftRequest(String project, String user) implements AuthenticatedRequest {
    public DriftRequest {
        Fields.required("project", project);
        Fields.required("user", user);
    }
}
