package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Reading an Odoo log by time: only what was logged since a restart counts. */
@Tag("fast")
class OdooLogTest {
    private static final ZoneId UTC = ZoneOffset.UTC;
    private static final List<String> LOG = List.of(
            "2026-11-20 08:00:00,000 11 INFO ? odoo: Odoo version 17.0",
            "2026-11-20 09:15:02,123 11 ERROR acme odoo.addons.base.models.ir_cron: Job failed",
            "Traceback (most recent call last):",
            "  File \"odoo/addons/base/models/ir_cron.py\", line 1, in _callback",
            "2026-11-23 10:00:00,000 42 INFO ? odoo: Odoo version 17.0",
            "2026-11-23 10:00:01,500 42 INFO acme odoo.modules.loading: Modules loaded.",
            "2026-11-23 10:00:02,000 42 WARNING acme odoo.http: no ERROR here, only a word in a message");

    @Test
    void should_ignore_error_lines_logged_before_the_window() {
        Instant since = OdooLog.lastStart(LOG, UTC);
        assertEquals(Instant.parse("2026-11-23T10:00:00Z"), since);
        assertEquals(List.of(), OdooLog.problemsSince(LOG, since, UTC, 10));
        assertEquals(1, OdooLog.problemsSince(LOG, null, UTC, 10).size(), "the whole file has the old error");
    }

    @Test
    void should_count_an_error_at_or_after_the_window_start() {
        List<String> log = new java.util.ArrayList<>(LOG);
        log.add("2026-11-23 10:05:00,000 42 CRITICAL acme odoo.service.server: Failed to initialize database `acme`.");
        assertEquals(1, OdooLog.problemsSince(log, Instant.parse("2026-11-23T10:00:00Z"), UTC, 10).size());
    }

    @Test
    void should_read_since_as_a_time_or_an_age() {
        Instant now = Instant.parse("2026-11-23T12:00:00Z");
        assertEquals(Instant.parse("2026-11-23T10:00:00Z"), OdooLog.parseSince("2h", now));
        assertEquals(Instant.parse("2026-11-23T08:00:00Z"), OdooLog.parseSince("2026-11-23T09:00:00+01:00", now));
        assertThrows(IllegalArgumentException.class, () -> OdooLog.parseSince("yesterday", now));
    }
}
