package dev.odooops.model;

/** The configured schedules the principal may read (those of projects where it may back up or restore). */
public record ListSchedulesRequest(String user) implements AuthenticatedRequest {
    public ListSchedulesRequest {
        Fields.required("user", user);
    }
}
