package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The bytes and totals of pg_dump's and pg_restore's progress lines. */
@Tag("fast")
class DatabaseProgressTest {
    @Test
    void should_measure_a_restore_against_the_source_size_capped_at_99_percent() {
        assertEquals(400, DatabaseProgress.restored(400, 1000));
        assertEquals(990, DatabaseProgress.restored(990, 1000));
        assertEquals(990, DatabaseProgress.restored(1500, 1000), "a restored database larger than its source: 99 % until the end");
        assertEquals(1500, DatabaseProgress.restored(1500, 0), "no total (an older artifact): the size as is");
        assertEquals("database x  99%  990 B of 1000 B  99 B/s  ETA 0:00",
                ProgressLine.format("database x", DatabaseProgress.restored(2000, 1000), 1000, 10));
    }

    @Test
    void should_count_finished_tables_in_full_and_the_one_being_copied_by_its_bytes() {
        DatabaseProgress.Copy copy = new DatabaseProgress.Copy(Map.of(1L, 600L, 2L, 300L, 3L, 100L));
        assertEquals(1000, copy.total());
        assertEquals(0, copy.observe(Map.of()), "before any COPY");
        assertEquals(250, copy.observe(Map.of(1L, 250L)));
        assertEquals(600 + 50, copy.observe(Map.of(2L, 50L)), "table 1 ended between two observations");
        assertEquals(600 + 300, copy.observe(Map.of(2L, 5000L)), "COPY's text beyond the heap size: the table's size at most");
        assertEquals(900, copy.observe(Map.of(99L, 10L)), "a COPY of a table not dumped counts nothing; table 2 ended");
        assertEquals(990, copy.observe(Map.of(3L, 100L)), "all of it while pg_dump runs: 99 %");
        assertEquals(990, copy.observe(Map.of()));
    }

    @Test
    void should_skip_a_table_never_seen_and_count_it_nothing() {
        DatabaseProgress.Copy copy = new DatabaseProgress.Copy(Map.of(1L, 600L, 2L, 400L));
        assertEquals(0, copy.observe(Map.of(2L, 0L)));
        assertEquals(400, copy.observe(Map.of()), "table 1 copied between two observations is not counted: an underestimate");
    }
}
