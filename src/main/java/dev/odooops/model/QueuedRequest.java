package dev.odooops.model;

import java.util.Map;

/**
 * A long operation's request that service mode may queue (service.RunQueue) like a backup or a restore: the HTTP
 * API ({@code POST /api/v1/runs}), JMS, the inbox and schedules all take it as {@code {"operation": ..., fields...}}
 * (service.RequestForms reads the fields). A worker sends it to {@link #route()} with the queued run in the exchange
 * variable {@code queuedRun} (run.Vars.QUEUED_RUN): the operation's run must take that run id and lease. The route
 * returns a {@link Report} whose body holds {@code run_id}, {@code status} and {@code evidence_dir}, and when they
 * apply {@code artifact_id}, {@code failed_step} and {@code error}.
 */
public interface QueuedRequest extends EnvironmentRequest, AuthenticatedRequest {
    /** The operation: the request's {@code operation} field and the run's {@code ops.runs.operation_type}. */
    String operation();

    /** Its {@code direct:} entry route. */
    String route();

    /** The channel it came by (cli, http, jms, inbox, schedule): the run's trigger. */
    String trigger();

    /**
     * The request's own fields as a request carries them (snake_case; without operation, project, environment,
     * user and request_id), so that a pick-up after a restart reads the same request back.
     */
    Map<String, Object> fields();
}
