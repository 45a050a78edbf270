package dev.odooops.model;

/** Pause (or resume) a backup schedule, by its key {@code <project>.<env>.<name>}. */
public record PauseScheduleRequest(String key, boolean paused) {
    public PauseScheduleRequest {
        Fields.required("schedule", key);
    }
}
