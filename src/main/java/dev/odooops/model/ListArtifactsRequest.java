package dev.odooops.model;

import dev.odooops.domain.RequestRejected;

/**
 * The artifacts of an environment, newest first; pruned ones only with {@code includePruned}; at most {@code limit}
 * (1 to 1000; null: 100), after {@code cursor} (the {@code next_cursor} of the previous page; null: from the newest).
 */
public record ListArtifactsRequest(String project, String environment, boolean includePruned, Integer limit,
                                   PageCursor cursor, String user) implements EnvironmentRequest, AuthenticatedRequest {
    public static final int DEFAULT_LIMIT = 100;

    public ListArtifactsRequest {
        Fields.environment(environment);
        Fields.required("user", user);
        limit = Fields.limit(limit, DEFAULT_LIMIT);
        if (cursor != null && !PageCursor.ARTIFACTS.equals(cursor.list())) {
            throw new RequestRejected("cursor", "is a cursor of the " + cursor.list() + " list, not of the artifacts");
        }
    }

    /** The first page, of the default size. */
    public ListArtifactsRequest(String project, String environment, boolean includePruned, String user) {
        this(project, environment, includePruned, null, null, user);
    }

    /** A page after a cursor as a client sent it (null: the first page); a bad one is refused naming {@code cursor}. */
    public static ListArtifactsRequest of(String project, String environment, boolean includePruned, Integer limit,
                                          String cursor, String user) {
        return new ListArtifactsRequest(project, environment, includePruned, limit,
                PageCursor.parse(PageCursor.ARTIFACTS, cursor), user);
    }

    @Override
    public ListArtifactsRequest resolved(String project, String environment) {
        return new ListArtifactsRequest(project, environment, includePruned, limit, cursor, user);
    }
}
