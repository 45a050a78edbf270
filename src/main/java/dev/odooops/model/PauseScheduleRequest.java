package dev.odooops.model;

/** Pause (or resume) a backup schedule, by its key {@code <project>.<env>.<name>}. */
public record PauseScheduleRequest(String key, boolean paused, String user) implements AuthenticatedRequest {
    public PauseScheduleRequest {
        Fields.required("schedule", key);
        Fields.required("user", user);
    }
}
