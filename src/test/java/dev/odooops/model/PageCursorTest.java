package dev.odooops.model;

import dev.odooops.domain.RequestRejected;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PageCursorTest {
    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void should_read_back_the_key_it_wrote_to_the_microsecond_in_url_safe_text() {
        PageCursor runs = new PageCursor(PageCursor.RUNS, Instant.parse("2026-12-06T00:46:35.123456Z"), UUID.randomUUID().toString());
        assertEquals(runs, PageCursor.parse(PageCursor.RUNS, runs.encode()));
        PageCursor artifacts = new PageCursor(PageCursor.ARTIFACTS, Instant.parse("2026-12-06T00:46:35Z"), "acme-prod-20261206T004635Z-a|b");
        assertEquals(artifacts, PageCursor.parse(PageCursor.ARTIFACTS, artifacts.encode()));
        assertFalse(artifacts.encode().matches(".*[+/=].*"), artifacts.encode());
        assertNull(PageCursor.parse(PageCursor.RUNS, null));
    }

    @Test
    void should_refuse_what_is_not_a_cursor_of_that_list_naming_the_field_cursor() {
        String runs = new PageCursor(PageCursor.RUNS, Instant.now(), UUID.randomUUID().toString()).encode();
        for (String[] bad : List.of(new String[] {PageCursor.ARTIFACTS, runs}, new String[] {PageCursor.RUNS, "%%%"},
                new String[] {PageCursor.RUNS, ""}, new String[] {PageCursor.RUNS, b64("runs|yesterday|" + UUID.randomUUID())},
                new String[] {PageCursor.RUNS, b64("runs|2026-01-01T00:00:00Z|not-a-uuid")},
                new String[] {PageCursor.ARTIFACTS, b64("artifacts|2026-01-01T00:00:00Z|")},
                new String[] {PageCursor.ARTIFACTS, b64("artifacts|2026-01-01T00:00:00Z")})) {
            RequestRejected r = assertThrows(RequestRejected.class, () -> PageCursor.parse(bad[0], bad[1]), bad[1]);
            assertEquals("cursor", r.field(), bad[1]);
        }
        assertEquals("cursor", assertThrows(RequestRejected.class, () -> new ListArtifactsRequest(null, "prod", false, 10,
                PageCursor.parse(PageCursor.RUNS, runs), "operator")).field());
        assertEquals("limit", assertThrows(RequestRejected.class, () -> new ListArtifactsRequest(null, "prod", false, 0, null,
                "operator")).field());
    }
}
