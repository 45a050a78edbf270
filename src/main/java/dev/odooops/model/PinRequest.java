package dev.odooops.model;

import java.time.Instant;
import dev.odooops.domain.RequestRejected;

/**
 * Pin an artifact (never pruned by retention while pinned) or unpin it (back under the policy). A pin is a legal
 * hold when it says why ({@code reason}) and, optionally, until when ({@code until}: after that instant retention
 * treats the artifact as unpinned again; null: until it is unpinned).
 */
public record PinRequest(String artifactId, boolean pinned, String reason, Instant until, String user)
        implements AuthenticatedRequest {
    public PinRequest {
        Fields.required("ID", artifactId);
        Fields.required("user", user);
        if (!pinned && (reason != null || until != null)) {
            throw new RequestRejected(reason != null ? "reason" : "until", "only a pin takes a reason or an end");
        }
        if (reason != null && (reason.isBlank() || reason.length() > 500 || reason.chars().anyMatch(Character::isISOControl))) {
            throw new RequestRejected("reason", "must be 1-500 characters on one line");
        }
    }

    public PinRequest(String artifactId, boolean pinned, String user) {
        this(artifactId, pinned, null, null, user);
    }

    /**
     * An end as the command line and the API take it: a date ({@code 2036-12-31}: the hold lasts to the end of
     * that day, UTC) or an instant ({@code 2036-12-31T18:00:00Z}); null stays null.
     */
    public static Instant until(String field, String value) {
        if (value == null) return null;
        try {
            if (value.matches("\\d{4}-\\d{2}-\\d{2}")) {
                return java.time.LocalDate.parse(value).plusDays(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            }
            return Instant.parse(value);
        } catch (java.time.DateTimeException e) {
            throw new RequestRejected(field, "expected a date (2036-12-31) or an instant (2036-12-31T18:00:00Z), got '"
                    + value + "'");
        }
    }
}
