package dev.odooops.model;

import dev.odooops.domain.RequestRejected;

/**
 * The runs of an environment, newest first, at most {@code limit} (1 to 1000; null: 50), after {@code cursor} (the
 * {@code next_cursor} of the previous page; null: from the newest).
 */
public record ListRunsRequest(String project, String environment, Integer limit, PageCursor cursor, String user)
        implements EnvironmentRequest, AuthenticatedRequest {
    public static final int DEFAULT_LIMIT = 50;

    public ListRunsRequest {
        Fields.environment(environment);
        Fields.required("user", user);
        limit = Fields.limit(limit, DEFAULT_LIMIT);
        if (cursor != null && !PageCursor.RUNS.equals(cursor.list())) {
            throw new RequestRejected("cursor", "is a cursor of the " + cursor.list() + " list, not of the runs");
        }
    }

    /** The first page. */
    public ListRunsRequest(String project, String environment, Integer limit, String user) {
        this(project, environment, limit, null, user);
    }

    /** A page after a cursor as a client sent it (null: the first page); a bad one is refused naming {@code cursor}. */
    public static ListRunsRequest of(String project, String environment, Integer limit, String cursor, String user) {
        return new ListRunsRequest(project, environment, limit, PageCursor.parse(PageCursor.RUNS, cursor), user);
    }

    @Override
    public ListRunsRequest resolved(String project, String environment) {
        return new ListRunsRequest(project, environment, limit, cursor, user);
    }
}
