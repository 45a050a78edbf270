package dev.odooops.model;

/** The configured environments the principal may read, with the last backup of each type. */
public record ListEnvironmentsRequest(String user) implements AuthenticatedRequest {
    public ListEnvironmentsRequest {
        Fields.required("user", user);
    }
}
