package dev.odooops.domain;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Grandfather-father-son retention. Buckets are calendar days, ISO weeks (Monday to Sunday) and calendar
 * months in the given zone. Walking the artifacts newest first:
 * <ul>
 *   <li>daily N keeps the newest artifact of each of the N most recent days that have an artifact;</li>
 *   <li>weekly N keeps the newest artifact of each of the N most recent ISO weeks that have one;</li>
 *   <li>monthly N keeps the newest artifact of each of the N most recent months that have one;</li>
 *   <li>yearly N keeps the newest artifact of each of the N most recent calendar years that have one.</li>
 * </ul>
 * Then {@code last N} keeps the N newest, and {@code keep_within} keeps every artifact younger than the window
 * (its age counted from {@code now}). An artifact may be kept by several rules. Pinned artifacts, the newest
 * one and the protected ids (the artifact just made) are always kept, and so are (issue 16) the environment's newest
 * artifact whose last restore drill passed and the artifacts an active drill holds a lease on. Everything else is
 * pruned.
 * <p>
 * An artifact may be a candidate more than once: at its creation and at each later time a backup found the
 * environment unchanged since it (a run {@code skipped_unchanged}). Each occurrence fills its own day, week and
 * month, so seven days of unchanged backups are seven daily backups, all kept by the one artifact, and
 * {@code keep_within} counts the newest occurrence. {@code last N} counts distinct artifacts.
 */
public final class RetentionPlanner {

    public record Candidate(String id, Instant createdAt, boolean pinned) {
    }

    /** What to keep (with the rules that keep each artifact) and what to prune, oldest first. */
    public record Plan(Map<String, Set<String>> keep, List<String> prune) {
    }

    private final ZoneId zone;

    public RetentionPlanner(ZoneId zone) {
        this.zone = zone;
    }

    public Plan plan(List<Candidate> candidates, RetentionPolicy.Series policy, Set<String> protectedIds, Instant now) {
        return plan(candidates, policy, protectedIds, Map.of(), now);
    }

    /** The rule that keeps an artifact a restore recorded as its safety backup (reused, see CheckUnchanged). */
    public static final String SAFETY_BACKUP_OF_RECENT_RESTORE = "safety_backup_of_recent_restore";

    /** The artifacts recent restores recorded as their safety backup, each with the rule that keeps it. */
    public static Map<String, String> heldAsSafetyBackups(java.util.Collection<String> ids) {
        Map<String, String> out = new LinkedHashMap<>();
        ids.forEach(id -> out.put(id, SAFETY_BACKUP_OF_RECENT_RESTORE));
        return out;
    }

    /** The rule that keeps the environment's newest artifact whose last drill passed (restorability proven). */
    public static final String NEWEST_DRILLED_OK = "newest_drilled_ok";
    /** The rule that keeps an artifact an active drill (run queued or running) holds a lease on. */
    public static final String LEASED_BY_DRILL = "leased_by_drill";

    /**
     * What drills hold: the environment's newest artifact whose last drill passed (if any) and the artifacts active
     * drills hold a lease on.
     */
    public record DrillHolds(java.util.Optional<String> newestDrilledOk, Set<String> leased) {
        public static final DrillHolds NONE = new DrillHolds(java.util.Optional.empty(), Set.of());

        public DrillHolds {
            newestDrilledOk = newestDrilledOk == null ? java.util.Optional.empty() : newestDrilledOk;
            leased = leased == null ? Set.of() : Set.copyOf(leased);
        }
    }

    /** @param held artifacts kept whatever the policy, with the rule that keeps each (a recent restore's safety backup) */
    public Plan plan(List<Candidate> candidates, RetentionPolicy.Series policy, Set<String> protectedIds,
                     Map<String, String> held, Instant now) {
        return plan(candidates, policy, protectedIds, held, DrillHolds.NONE, now);
    }

    /**
     * @param held   artifacts kept whatever the policy, with the rule that keeps each (a recent restore's safety backup)
     * @param drills kept whatever the policy: the newest drilled-ok artifact ({@value #NEWEST_DRILLED_OK}) and those
     *               an active drill leases ({@value #LEASED_BY_DRILL})
     */
    public Plan plan(List<Candidate> candidates, RetentionPolicy.Series policy, Set<String> protectedIds,
                     Map<String, String> held, DrillHolds drills, Instant now) {
        List<Candidate> newestFirst = candidates.stream()
                .sorted(Comparator.comparing(Candidate::createdAt).reversed().thenComparing(Candidate::id))
                .toList();
        Map<String, Set<String>> keep = new LinkedHashMap<>();
        keepNewestPerBucket(newestFirst, policy.daily(), "daily", t -> t.toLocalDate().toString(), keep);
        keepNewestPerBucket(newestFirst, policy.weekly(), "weekly",
                t -> t.get(IsoFields.WEEK_BASED_YEAR) + "-W" + t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR), keep);
        keepNewestPerBucket(newestFirst, policy.monthly(), "monthly", t -> t.getYear() + "-" + t.getMonthValue(), keep);
        keepNewestPerBucket(newestFirst, policy.yearly(), "yearly", t -> String.valueOf(t.getYear()), keep);
        List<String> distinct = newestFirst.stream().map(Candidate::id).distinct().toList();
        for (int i = 0; i < Math.min(policy.last(), distinct.size()); i++) {
            keep.computeIfAbsent(distinct.get(i), k -> new TreeSet<>()).add("last");
        }
        if (!newestFirst.isEmpty()) keep.computeIfAbsent(newestFirst.get(0).id(), k -> new TreeSet<>()).add("newest");
        Instant youngFrom = now.minus(policy.keepWithin());
        for (Candidate c : newestFirst) {
            if (c.createdAt().isAfter(youngFrom)) keep.computeIfAbsent(c.id(), k -> new TreeSet<>()).add("keep_within");
            if (c.pinned()) keep.computeIfAbsent(c.id(), k -> new TreeSet<>()).add("pinned");
            if (protectedIds.contains(c.id())) keep.computeIfAbsent(c.id(), k -> new TreeSet<>()).add("protected");
            if (held.containsKey(c.id())) keep.computeIfAbsent(c.id(), k -> new TreeSet<>()).add(held.get(c.id()));
            if (drills.newestDrilledOk().filter(c.id()::equals).isPresent()) {
                keep.computeIfAbsent(c.id(), k -> new TreeSet<>()).add(NEWEST_DRILLED_OK);
            }
            if (drills.leased().contains(c.id())) keep.computeIfAbsent(c.id(), k -> new TreeSet<>()).add(LEASED_BY_DRILL);
        }
        List<String> prune = new ArrayList<>();
        for (int i = distinct.size() - 1; i >= 0; i--) {
            String id = distinct.get(i);
            if (!keep.containsKey(id)) prune.add(id);
        }
        return new Plan(keep, prune);
    }

    private void keepNewestPerBucket(List<Candidate> newestFirst, int count, String rule,
                                     Function<ZonedDateTime, String> bucketOf, Map<String, Set<String>> keep) {
        String lastBucket = null;
        int kept = 0;
        for (Candidate c : newestFirst) {
            if (kept >= count) return;
            String bucket = bucketOf.apply(c.createdAt().atZone(zone));
            if (!bucket.equals(lastBucket)) {
                keep.computeIfAbsent(c.id(), k -> new TreeSet<>()).add(rule);
                lastBucket = bucket;
                kept++;
            }
        }
    }
}
