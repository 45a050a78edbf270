package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The wording of the terminal's progress line. */
@Tag("fast")
class ProgressLineTest {
    private static final long MIB = 1024 * 1024;

    @Test
    void should_give_percentage_sizes_rate_and_time_left_when_the_total_is_known() {
        assertEquals("filestore  43%  12.9 MiB of 30.0 MiB  1.3 MiB/s  ETA 0:13",
                ProgressLine.format("filestore", Math.round(12.9 * MIB), 30 * MIB, 10));
        assertEquals("database  100%  2.0 GiB of 2.0 GiB  204.8 MiB/s  ETA 0:00",
                ProgressLine.format("database", 2048 * MIB, 2048 * MIB, 10));
        assertEquals("database  100%  2.1 GiB of 2.0 GiB  210.0 MiB/s  ETA 0:00",
                ProgressLine.format("database", 2100 * MIB, 2048 * MIB, 10), "past the estimate: capped at 100 %");
    }

    @Test
    void should_give_sizes_and_rate_only_when_the_total_is_unknown_and_no_eta_before_any_byte() {
        assertEquals("db.dump  12.0 MiB  1.2 MiB/s", ProgressLine.format("db.dump", 12 * MIB, 0, 10));
        assertEquals("filestore  0%  0 B of 30.0 MiB  0 B/s  ETA ?", ProgressLine.format("filestore", 0, 30 * MIB, 0));
    }

    @Test
    void should_write_durations_as_minutes_or_hours() {
        assertEquals("0:07", ProgressLine.duration(7));
        assertEquals("12:05", ProgressLine.duration(725));
        assertEquals("2:00:01", ProgressLine.duration(7201));
    }
}
