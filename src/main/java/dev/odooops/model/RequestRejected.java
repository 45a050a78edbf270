package dev.odooops.model;

/** A request refused before anything ran (exit 2): the message names the offending field. */
public class RequestRejected extends RuntimeException {
    private final String field;

    public RequestRejected(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
