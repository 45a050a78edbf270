package dev.odooops.model;

/**
 * A request as the application layer receives it: made by an authenticated principal, {@link #user()}, whom the
 * entry route's {@code authorize-*} node checks (app.Authorizer) before anything else reads the request. The
 * principal comes from the channel, never from a payload: the command line's {@code --user} (default
 * {@code ops.default-user}), the bearer token's user (HTTP), the JMS connection's user, the inbox's
 * {@code inbox.user}, the schedule's {@code user} (default {@code scheduler}).
 */
public interface AuthenticatedRequest {
    /** Who asks: the principal the channel authenticated. */
    String user();
}
