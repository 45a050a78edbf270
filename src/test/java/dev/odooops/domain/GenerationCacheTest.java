package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Tag("fast")
class GenerationCacheTest {
    private final GenerationCache<String, Integer, String> cache = new GenerationCache<>();
    private final AtomicInteger reads = new AtomicInteger();

    private String read(String group, int key) {
        return cache.get(group, key, () -> group + key + "#" + reads.incrementAndGet());
    }

    @Test
    void should_load_every_time_while_nobody_announces_changes() {
        assertEquals("a1#1", read("a", 1));
        assertEquals("a1#2", read("a", 1));
    }

    @Test
    void should_serve_what_it_loaded_until_its_group_changes() {
        cache.enabled(true);
        assertEquals("a1#1", read("a", 1));
        assertEquals("a1#1", read("a", 1));
        assertEquals("b1#2", read("b", 1));
        cache.changed("a");
        assertEquals("a1#3", read("a", 1));
        assertEquals("b1#2", read("b", 1), "another group is not touched");
        assertEquals(2, cache.hits());
    }

    @Test
    void should_not_keep_a_value_whose_load_overlapped_a_change() {
        cache.enabled(true);
        // the change is announced while the load reads: what it read may predate the change
        assertEquals("x", cache.get("a", 1, () -> {
            cache.changed("a");
            return "x";
        }));
        assertEquals("a1#1", read("a", 1));
        assertEquals("a1#1", read("a", 1));
    }

    @Test
    void should_drop_everything_when_the_announcements_stop() {
        cache.enabled(true);
        read("a", 1);
        cache.enabled(false);
        cache.enabled(true);
        assertEquals("a1#2", read("a", 1));
    }
}
