package dev.odooops.model;

/** check: the store of one project against the catalog (the packed filestore's packs). */
public record CheckRequest(String project) {
    public CheckRequest {
        Fields.required("project", project);
    }
}
