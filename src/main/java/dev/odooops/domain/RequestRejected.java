package dev.odooops.domain;

/**
 * A request refused before anything ran (exit 2): the message names the offending field. The reason says what
 * kind of refusal it is, for the channels that answer with a status (HTTP 400/403/404/409/503).
 */
public class RequestRejected extends RuntimeException {
    public enum Reason {
        /** bad or missing input */
        INVALID,
        /** the user may not do this */
        FORBIDDEN,
        /** the environment, artifact or run does not exist */
        NOT_FOUND,
        /** another run is active on the environment */
        CONFLICT,
        /** odoo-ops cannot take more work now (the service's queue is full, or it is shutting down) */
        UNAVAILABLE
    }

    private final String field;
    private final Reason reason;

    public RequestRejected(String field, String message) {
        this(field, message, Reason.INVALID);
    }

    public RequestRejected(String field, String message, Reason reason) {
        super(field + ": " + message);
        this.field = field;
        this.reason = reason;
    }

    public String field() {
        return field;
    }

    public Reason reason() {
        return reason;
    }
}
