package dev.odooops.domain;

/**
 * The one refusal of a request whose user lacks the action's permission on the project, whatever the channel
 * (command line, HTTP, JMS, inbox, schedule) and whichever step checks it: field {@code user}, 403 on HTTP, and
 * always the same text, {@link #text}.
 */
public final class PermissionDenied extends RequestRejected {
    public PermissionDenied(String user, String action, String project) {
        super("user", text(user, action, project), Reason.FORBIDDEN);
    }

    /** {@code 'auditor' has no restore permission on project 'acme'}. */
    public static String text(String user, String action, String project) {
        return "'" + user + "' has no " + action + " permission on project '" + project + "'";
    }
}
