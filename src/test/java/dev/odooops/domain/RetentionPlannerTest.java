package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
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
@Tag("fast")
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
            RetentionPlanner.Plan plan = planner.plan(live, policy.series("backup"), Set.of(made.id()), made.createdAt());
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
        RetentionPlanner.Plan plan = planner.plan(c, noWindow(1, 0, 0).series("backup"), Set.of(), day.atTime(23, 30).toInstant(ZoneOffset.UTC));
        assertEquals(Set.of("c"), plan.keep().keySet());
        assertEquals(List.of("a", "b"), plan.prune());
    }

    private static RetentionPolicy noWindow(int daily, int weekly, int monthly) {
        return new RetentionPolicy(daily, weekly, monthly, Duration.ZERO, 3, Duration.ZERO);
    }

    private static RetentionPlanner.Candidate at(String id, Instant createdAt) {
        return new RetentionPlanner.Candidate(id, createdAt, false);
    }

    @Test
    void should_keep_every_backup_younger_than_keep_within_even_two_of_one_day() {
        Instant now = Instant.parse("2026-03-03T18:00:00Z");
        List<RetentionPlanner.Candidate> c = List.of(
                at("yesterday-early", Instant.parse("2026-03-02T09:00:00Z")),   // 33 h old
                at("yesterday-late", Instant.parse("2026-03-02T19:00:00Z")),    // 23 h old
                at("morning-manual", Instant.parse("2026-03-03T08:00:00Z")),
                at("evening", Instant.parse("2026-03-03T17:30:00Z")));
        // daily 1: only the newest of today by GFS; the 24 h window keeps this morning's and yesterday evening's too
        RetentionPlanner.Plan plan = planner.plan(c, new RetentionPolicy(1, 0, 0).series("backup"), Set.of("evening"), now);
        assertEquals(List.of("yesterday-early"), plan.prune());
        assertTrue(plan.keep().get("morning-manual").contains("keep_within"), plan.keep().toString());
        assertTrue(plan.keep().get("yesterday-late").contains("keep_within"), plan.keep().toString());
    }

    @Test
    void should_keep_the_last_three_and_all_of_the_last_seven_days_of_pre_restore_backups() {
        Instant now = Instant.parse("2026-03-20T12:00:00Z");
        List<RetentionPlanner.Candidate> c = new ArrayList<>();
        for (String day : List.of("2026-02-01", "2026-02-10", "2026-02-20", "2026-03-01", "2026-03-02", "2026-03-14",
                "2026-03-20")) {
            c.add(at("safety-" + day + "a", Instant.parse(day + "T06:00:00Z")));
        }
        c.add(at("safety-2026-03-20b", Instant.parse("2026-03-20T07:00:00Z")));  // a second restore the same day
        // GFS counts do not apply to safety backups: with daily 0 they would all go
        RetentionPlanner.Plan plan = planner.plan(c, new RetentionPolicy(0, 0, 0).series("pre_restore"), Set.of(), now);
        // 7 days: 03-14 and both of 03-20; the last 3 are the same three plus nothing older, so 03-02 goes too
        assertEquals(List.of("safety-2026-02-01a", "safety-2026-02-10a", "safety-2026-02-20a", "safety-2026-03-01a",
                "safety-2026-03-02a"), plan.prune());
        // last 5 keeps two more, whatever their age
        RetentionPolicy five = new RetentionPolicy(0, 0, 0, Duration.ofHours(24), 5, Duration.ofDays(7));
        assertEquals(List.of("safety-2026-02-01a", "safety-2026-02-10a", "safety-2026-02-20a"),
                planner.plan(c, five.series("pre_restore"), Set.of(), now).prune());
    }

    @Test
    void should_apply_keep_within_to_safety_backups_when_it_is_longer_than_their_own_window() {
        Instant now = Instant.parse("2026-03-20T12:00:00Z");
        List<RetentionPlanner.Candidate> c = List.of(at("a", Instant.parse("2026-03-01T06:00:00Z")),
                at("b", Instant.parse("2026-03-02T06:00:00Z")), at("c", Instant.parse("2026-03-03T06:00:00Z")),
                at("d", Instant.parse("2026-03-04T06:00:00Z")));
        RetentionPolicy policy = new RetentionPolicy(7, 4, 3, Duration.ofDays(30), 1, Duration.ofDays(7));
        assertEquals(List.of(), planner.plan(c, policy.series("pre_restore"), Set.of(), now).prune());
    }

    @Test
    void should_apply_per_request_overrides() {
        Set<String> kept = simulate(30, RetentionPolicy.DEFAULT.with(3, 0, null), Set.of());
        // 3 daily (01-28..01-30) + monthly newest of January (01-30)
        assertEquals(ids("2026-01-28", "2026-01-29", "2026-01-30"), kept);
    }

    @Test
    void should_count_the_days_a_skipped_backup_covers_as_days_of_the_artifact_it_names() {
        // daily backups for ten days, then the environment stays unchanged: each later day's backup is a run
        // skipped_unchanged naming the last artifact, an occurrence of it at that day
        List<RetentionPlanner.Candidate> live = new ArrayList<>();
        for (int d = 0; d < 10; d++) live.add(daily(START.plusDays(d), false));
        RetentionPlanner.Candidate last = live.get(live.size() - 1);
        for (int d = 10; d < 17; d++) {
            live.add(new RetentionPlanner.Candidate(last.id(), START.plusDays(d).atTime(2, 0).toInstant(ZoneOffset.UTC), false));
        }
        RetentionPolicy daily7 = new RetentionPolicy(7, 0, 0, Duration.ZERO, 0, Duration.ZERO);
        RetentionPlanner.Plan plan = planner.plan(live, daily7.series("backup"), Set.of(),
                START.plusDays(16).atTime(3, 0).toInstant(ZoneOffset.UTC));
        // the last seven days are all covered by the artifact of day 10: the nine before it go
        assertEquals(Set.of(last.id()), plan.keep().keySet());
        assertEquals(9, plan.prune().size());
        assertEquals(List.copyOf(new java.util.LinkedHashSet<>(plan.prune())), plan.prune(), "each artifact once");
    }

    @Test
    void should_keep_an_artifact_a_recent_restore_recorded_as_its_safety_backup_whatever_its_series_says() {
        List<RetentionPlanner.Candidate> live = new ArrayList<>();
        for (int d = 0; d < 10; d++) live.add(daily(START.plusDays(d), false));
        RetentionPolicy.Series oneDay = new RetentionPolicy(1, 0, 0, Duration.ZERO, 3, Duration.ZERO).series("backup");
        Instant now = START.plusDays(9).atTime(3, 0).toInstant(ZoneOffset.UTC);
        String reused = "bk-" + START.plusDays(4);
        RetentionPlanner.Plan plan = planner.plan(live, oneDay, Set.of(), java.util.Map.of(reused, "safety_backup_of_recent_restore"), now);
        assertTrue(plan.keep().get(reused).contains("safety_backup_of_recent_restore"), plan.keep().toString());
        assertEquals(8, plan.prune().size(), "the newest and the held one stay: " + plan.prune());
        assertTrue(!plan.prune().contains(reused));
    }

    /** Issue 16: the newest artifact whose drill passed and those an active drill leases stay, whatever the counts. */
    @Test
    void should_keep_the_newest_drilled_ok_artifact_and_the_leased_ones_with_their_rule() {
        List<RetentionPlanner.Candidate> live = new ArrayList<>();
        for (int d = 0; d < 10; d++) live.add(daily(START.plusDays(d), false));
        RetentionPolicy.Series oneDay = new RetentionPolicy(1, 0, 0, Duration.ZERO, 3, Duration.ZERO).series("backup");
        Instant now = START.plusDays(9).atTime(3, 0).toInstant(ZoneOffset.UTC);
        String drilledOk = "bk-" + START.plusDays(2);
        String leased = "bk-" + START.plusDays(5);
        RetentionPlanner.Plan plan = planner.plan(live, oneDay, Set.of(), java.util.Map.of(),
                new RetentionPlanner.DrillHolds(java.util.Optional.of(drilledOk), Set.of(leased, "bk-not-a-candidate")), now);
        assertEquals(Set.of(RetentionPlanner.NEWEST_DRILLED_OK), plan.keep().get(drilledOk), plan.keep().toString());
        assertEquals(Set.of(RetentionPlanner.LEASED_BY_DRILL), plan.keep().get(leased), plan.keep().toString());
        assertEquals(7, plan.prune().size(), "the newest, the drilled-ok and the leased one stay: " + plan.prune());
        assertTrue(!plan.keep().containsKey("bk-not-a-candidate"), "a hold never adds an artifact of another series");
        RetentionPlanner.Plan without = planner.plan(live, oneDay, Set.of(), java.util.Map.of(), now);
        assertTrue(without.prune().contains(drilledOk) && without.prune().contains(leased), "without drills the counts decide");
    }

    @Test
    void should_add_the_drill_rule_to_the_others_that_keep_the_same_artifact() {
        List<RetentionPlanner.Candidate> live = new ArrayList<>();
        for (int d = 0; d < 3; d++) live.add(daily(START.plusDays(d), false));
        String newest = "bk-" + START.plusDays(2);
        RetentionPlanner.Plan plan = planner.plan(live, new RetentionPolicy(1, 0, 0).series("backup"), Set.of(), java.util.Map.of(),
                new RetentionPlanner.DrillHolds(java.util.Optional.of(newest), Set.of(newest)),
                START.plusDays(2).atTime(3, 0).toInstant(ZoneOffset.UTC));
        assertTrue(plan.keep().get(newest).containsAll(Set.of("newest", "daily", RetentionPlanner.NEWEST_DRILLED_OK,
                RetentionPlanner.LEASED_BY_DRILL)), plan.keep().toString());
    }
}
