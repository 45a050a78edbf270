package dev.odooops.model;

/** check: the store of one project against the catalog (the packed filestore's packs). */
public record CheckRequest(String project, String user) implements AuthenticatedRequest {
    public CheckRequest {
        Fields.required("project", project);
        Fields.required("user", user);
    }
}
