package dev.odooops.domain;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.FileSystemException;
import java.sql.SQLException;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a drill that did not pass says about its artifact. A drill proves an artifact restorable; one that could not
 * run to the end because of the drill's own infrastructure proves nothing either way:
 * <ul>
 *   <li>{@link #FAILED}: the artifact was restored or judged and fell short (a checksum that differs, an object the
 *   store does not have, {@code pg_restore} refusing its data, a failed check, Odoo not starting on it). The artifact is
 *   flagged ({@code last_drill_status: failed}).</li>
 *   <li>{@link #INCONCLUSIVE}: the drill was stopped by something that is not the artifact: its store, drill server or
 *   disk out of reach or full (S3 answering 5xx), or its process killed. The drill row says so and why; the artifact keeps its last
 *   verdict, so an outage never marks good backups bad (nor hides a bad one: the run still fails, and "no drill passed
 *   for 8 days" still fires when the outage lasts).</li>
 * </ul>
 * Only causes known to be the infrastructure's are inconclusive; anything else is a failure.
 */
public record DrillVerdict(String status, String why) {
    public static final String FAILED_STATUS = "failed";
    public static final String INCONCLUSIVE_STATUS = "inconclusive";
    public static final DrillVerdict FAILED = new DrillVerdict(FAILED_STATUS, null);

    /** The verdict of a drill whose run ended before the drill did (killed): inconclusive. */
    public static DrillVerdict abandoned() {
        return new DrillVerdict(INCONCLUSIVE_STATUS, "its run ended before the drill did (the process was killed)");
    }

    /**
     * SQLSTATE classes of the server's own trouble: 08 connection exception, 53 insufficient resources (disk full, out
     * of memory, too many connections), 57 operator intervention (shut down, crashed, starting up), 58 system error (I/O).
     */
    private static final List<String> SERVER_STATES = List.of("08", "53", "57", "58");

    /** What tools and servers print when the infrastructure, not their input, stopped them (in a message, any case). */
    private static final List<Map.Entry<String, String>> INFRASTRUCTURE_WORDS = List.of(
            Map.entry("no space left on device", "the disk is full"),
            Map.entry("disk quota exceeded", "the disk quota is exhausted"),
            Map.entry("could not extend file", "the drill server's disk is full"),
            Map.entry("connection refused", "a server refused the connection"),
            Map.entry("could not connect to server", "the drill server cannot be reached"),
            Map.entry("server closed the connection unexpectedly", "the drill server closed the connection"),
            Map.entry("the database system is shutting down", "the drill server is shutting down"),
            Map.entry("the database system is starting up", "the drill server is starting up"),
            Map.entry("the database system is in recovery mode", "the drill server is recovering from a crash"),
            Map.entry("too many connections", "the drill server has no connection left"),
            Map.entry("too many clients already", "the drill server has no connection left"),
            Map.entry("check that the hostname and port are correct", "the drill server cannot be reached"),
            Map.entry("cannot be reached (missing or not mounted)", "the store cannot be reached"),
            // the drill host lacks the project's identity (its configuration): the artifact cannot be read here, not judged
            Map.entry("no encryption.identity is configured", "the drill host has no encryption.identity for the project"),
            Map.entry("unable to execute http request", "the store cannot be reached"),
            Map.entry("service unavailable", "the store is unavailable"),
            Map.entry("slow down", "the store throttles requests"),
            // S3 answers with its own trouble (5xx): the object is not judged. A 403 is not among them: S3 answers 403, not
            // 404, for a missing object to credentials without s3:ListBucket
            Map.entry("status code: 500", "the store failed (HTTP 500)"),
            Map.entry("status code: 502", "the store failed (HTTP 502)"),
            Map.entry("status code: 503", "the store is unavailable (HTTP 503)"),
            Map.entry("status code: 504", "the store did not answer in time (HTTP 504)"));

    /** The verdict of a drill that stopped with {@code cause}. */
    public static DrillVerdict of(Throwable cause) {
        return infrastructure(cause).map(why -> new DrillVerdict(INCONCLUSIVE_STATUS, why)).orElse(FAILED);
    }

    public boolean inconclusive() {
        return INCONCLUSIVE_STATUS.equals(status);
    }

    /**
     * Why {@code cause} (or one of its causes) is the infrastructure's, if it is. A drill that judged its artifact
     * ({@link ArtifactJudged}: a failed check, Odoo not starting on the copy) is never: its details quote the checks and
     * Odoo's own output, whose words are the artifact's.
     */
    static Optional<String> infrastructure(Throwable cause) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = cause; t != null && seen.put(t, true) == null; t = t.getCause()) {
            if (t instanceof ArtifactJudged) return Optional.empty();
        }
        seen.clear();
        for (Throwable t = cause; t != null && seen.put(t, true) == null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof NoRouteToHostException) return Optional.of("a server cannot be reached: " + t.getMessage());
            if (t instanceof UnknownHostException) return Optional.of("a server's name does not resolve: " + t.getMessage());
            if (t instanceof SocketTimeoutException) return Optional.of("a server did not answer in time: " + t.getMessage());
            if (t instanceof SQLException s && s.getSQLState() != null && s.getSQLState().length() >= 2
                    && SERVER_STATES.contains(s.getSQLState().substring(0, 2))) {
                return Optional.of("the drill server failed (SQLSTATE " + s.getSQLState() + ")");
            }
            if (t instanceof FileSystemException f && f.getReason() != null) {
                String reason = f.getReason().toLowerCase(Locale.ROOT);
                if (reason.contains("no space left on device") || reason.contains("disk quota exceeded")) {
                    return Optional.of("the disk is full: " + f.getFile());
                }
            }
            String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            for (Map.Entry<String, String> e : INFRASTRUCTURE_WORDS) {
                if (message.contains(e.getKey())) return Optional.of(e.getValue() + " (\"" + e.getKey() + "\")");
            }
        }
        return Optional.empty();
    }
}
