package dev.odooops.model;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The downtime's laps: nothing before quiesce counts, the parts come in order and sum to at most the total. */
@Tag("fast")
class RestoreDowntimeLapsTest {
    @Test
    void should_count_only_from_begin_to_end_with_parts_that_sum_to_at_most_the_total() throws Exception {
        RestoreJob.Downtime d = new RestoreJob.Downtime();
        d.lap("before_quiesce_ms"); // a step before quiesce: not downtime
        assertFalse(d.started());
        assertNull(d.millis());
        d.begin();
        Thread.sleep(3);
        d.lap("quiesce_ms");
        d.begin(); // a second begin does not restart it
        Thread.sleep(2);
        d.lap("swap_database_ms");
        Thread.sleep(2);
        d.end("finalize_ms");
        d.lap("after_ms"); // after maintenance is lifted: not downtime
        d.end("again_ms");

        Map<String, Long> parts = d.parts();
        assertEquals(List.of("quiesce_ms", "swap_database_ms", "finalize_ms"), List.copyOf(parts.keySet()));
        long sum = parts.values().stream().mapToLong(Long::longValue).sum();
        assertTrue(d.millis() >= 7, d.toMap().toString());
        assertTrue(sum <= d.millis(), d.toMap().toString());
        assertEquals(d.millis(), d.toMap().get("downtime_ms"));
    }

    @Test
    void should_report_no_downtime_while_maintenance_is_on() {
        RestoreJob.Downtime d = new RestoreJob.Downtime();
        d.begin();
        d.lap("quiesce_ms");
        assertTrue(d.started());
        assertNull(d.millis(), "maintenance not lifted: no downtime figure yet");
    }
}
