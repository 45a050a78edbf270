package dev.odooops.model;

import dev.odooops.domain.RequestRejected;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.UUID;

/**
 * Where the next page of a list starts (keyset pagination, never an offset): the sort key of the last row a page
 * returned, {@code (created_at, id)}, for the list it came from ({@code runs} or {@code artifacts}). Clients see it
 * as an opaque string (base64url of {@code <list>|<created_at>|<id>}) and send it back unchanged; a string that is
 * not one of ours, or is another list's, is refused naming the field {@code cursor}.
 */
public record PageCursor(String list, Instant createdAt, String id) {
    public static final String RUNS = "runs";
    public static final String ARTIFACTS = "artifacts";

    /** The opaque form a page's {@code next_cursor} carries. */
    public String encode() {
        String key = list + "|" + createdAt + "|" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor a client sent back for {@code list}; null when it sent none. */
    public static PageCursor parse(String list, String text) {
        if (text == null) return null;
        String key;
        try {
            key = new String(Base64.getUrlDecoder().decode(text.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw refused(list, text);
        }
        String[] parts = key.split("\\|", 3);
        if (parts.length != 3 || !parts[0].equals(list) || parts[2].isEmpty()) throw refused(list, text);
        try {
            Instant at = Instant.parse(parts[1]);
            if (RUNS.equals(list)) UUID.fromString(parts[2]);
            return new PageCursor(list, at, parts[2]);
        } catch (DateTimeParseException | IllegalArgumentException e) {
            throw refused(list, text);
        }
    }

    private static RequestRejected refused(String list, String text) {
        String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return new RequestRejected("cursor", "is not a cursor of the " + list + " list (send back the next_cursor of the "
                + "previous page unchanged), got '" + shown + "'");
    }
}
