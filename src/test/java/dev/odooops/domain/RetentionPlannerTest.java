package dev.odooops.domain;

import dev.odooops.config.RetentionPolicy;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GFS over a fixed calendar: one backup a day at 02:00 UTC from Thu 2026-01-01 to Thu 2026-04-30 (120 days),
 * retention applied after each backup, as the backup route does.
 */
class RetentionPlannerTest {
    private static final LocalDate START = LocalDate.of(2026, 1, 1);
    private final RetentionPlanner planner = new RetentionPlanner(ZoneOffset.UTC);

    private static RetentionPlanner.Candidate daily(LocalDate day, boolean pinned) {
        return new RetentionPlanner.Candidate("bk-" + day, day.atTime(2, 0).toInstant(ZoneOffset.UTC), pinned);
    }

    private Set<String> simulate(int days, RetentionPolicy policy, Set<LocalDate> pinned) {
        List<RetentionPlanner.Candidate> live = new ArrayList<>();
        for (int d = 0; d < days; d++) {
            LocalDate day = START.plusDays(d);
            RetentionPlanner.Candidate made = daily(day, pinned.contains(day));
            live.add(made);
            RetentionPlanner.Plan plan = planner.plan(live, policy, Set.of(made.id()));
            assertTrue(plan.keep().containsKey(made.id()), "the artifact just made is never pruned");
            live.removeIf(c -> plan.prune().contains(c.id()));
        }
        Set<String> ids = new TreeSet<>();
        live.forEach(c -> ids.add(c.id()));
        return ids;
    }

    private static Set<String> ids(String... days) {
        Set<String> out = new TreeSet<>();
        for (String d : days) out.add("bk-" + d);
        return out;
    }

    @Test
    void should_keep_exactly_what_gfs_7_4_3_says_after_120_days() {
        Set<String> kept = simulate(120, RetentionPolicy.DEFAULT, Set.of());
        assertEquals(ids(
                // daily: the 7 most recent days
                "2026-04-24", "2026-04-25", "2026-04-26", "2026-04-27", "2026-04-28", "2026-04-29", "2026-04-30",
                // weekly: newest of the 4 most recent ISO weeks: Thu 04-30 (week 18), Sun 04-26, Sun 04-19, Sun 04-12
                "2026-04-19", "2026-04-12",
                // monthly: newest of April (04-30), March, February
                "2026-03-31", "2026-02-28"), kept);
    }

    @Test
    void should_never_prune_a_pinned_artifact() {
        Set<String> kept = simulate(120, RetentionPolicy.DEFAULT, Set.of(LocalDate.of(2026, 1, 10)));
        assertTrue(kept.contains("bk-2026-01-10"));
        assertEquals(12, kept.size());
    }

    @Test
    void should_keep_the_newest_even_with_all_counts_zero() {
        Set<String> kept = simulate(10, new RetentionPolicy(0, 0, 0), Set.of());
        assertEquals(ids("2026-01-10"), kept);
    }

    @Test
    void should_keep_only_the_newest_of_several_backups_in_one_day() {
        LocalDate day = LocalDate.of(2026, 3, 3);
        List<RetentionPlanner.Candidate> c = List.of(
                new RetentionPlanner.Candidate("a", day.atTime(1, 0).toInstant(ZoneOffset.UTC), false),
                new RetentionPlanner.Candidate("b", day.atTime(13, 0).toInstant(ZoneOffset.UTC), false),
                new RetentionPlanner.Candidate("c", day.atTime(23, 0).toInstant(ZoneOffset.UTC), false));
        RetentionPlanner.Plan plan = planner.plan(c, new RetentionPolicy(1, 0, 0), Set.of());
        assertEquals(Set.of("c"), plan.keep().keySet());
        assertEquals(List.of("a", "b"), plan.prune());
    }

    @Test
    void should_apply_per_request_overrides() {
        Set<String> kept = simulate(30, RetentionPolicy.DEFAULT.with(3, 0, null), Set.of());
        // 3 daily (01-28..01-30) + monthly newest of January (01-30)
        assertEquals(ids("2026-01-28", "2026-01-29", "2026-01-30"), kept);
    }
}
