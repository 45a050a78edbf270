package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which members of a pack live artifacts need, and when a pack is worth writing again, without Camel. */
@Tag("fast")
class RepackPlannerTest {
    private static FilestoreIndex.Entry e(String path, String sha, long size, String pack) {
        return new FilestoreIndex.Entry(path, sha.repeat(40).substring(0, 40), size, pack);
    }

    @Test
    void should_count_each_live_member_once_across_indexes_and_follow_moved_packs() {
        FilestoreIndex a = FilestoreIndex.of(List.of(e("ab/1", "a", 10, "p1"), e("cd/2", "b", 20, "p1"), e("ef/3", "c", 5, "p2")));
        FilestoreIndex b = FilestoreIndex.of(List.of(e("ab/1", "a", 10, "p1"), e("gh/4", "d", 7, "p0")));
        // p0 was repacked into p1 earlier: its files are p1's now
        List<FilestoreIndex.Entry> live = RepackPlanner.liveMembers(List.of(a, b), id -> id.equals("p0") ? "p1" : id, "p1");
        assertEquals(List.of("ab/1", "cd/2", "gh/4"), live.stream().map(FilestoreIndex.Entry::path).toList());
        assertTrue(live.stream().allMatch(x -> x.pack().equals("p1")));
    }

    @Test
    void should_repack_only_when_enough_of_the_pack_is_dead() {
        assertTrue(RepackPlanner.worthRepacking(1000, 500, 50));
        assertFalse(RepackPlanner.worthRepacking(1000, 501, 50));
        assertFalse(RepackPlanner.worthRepacking(1000, 0, 0), "0 turns repacking off");
        assertTrue(RepackPlanner.worthRepacking(1000, 0, 100));
    }

    @Test
    void should_name_the_new_pack_after_the_old_one() {
        assertEquals("art-0001-r1", RepackPlanner.nextId("art-0001"));
        assertEquals("art-0001-r2", RepackPlanner.nextId("art-0001-r1"));
    }
}
