package dev.odooops.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What evidence retention does with each run's evidence (issue 14, section 7), decided over a fixed "now" (no I/O):
 * <ul>
 *   <li>{@link Action#KEEP} a run still active; the evidence of a <b>live artifact</b> (not pruned, pinned or not),
 *   kept local and uncompressed as long as the artifact lives, since a restore or an audit of that artifact reads it;
 *   evidence younger than {@code compressAfter}; evidence already in the store and younger than {@code deleteAfter};</li>
 *   <li>{@link Action#COMPRESS} local evidence at least {@code compressAfter} old: compressed (tar.zst), uploaded, read
 *   back and verified (SHA-256), then removed locally (also when an interrupted job already uploaded it);</li>
 *   <li>{@link Action#DELETE} evidence at least {@code deleteAfter} old, wherever it is (the store's copy and any local
 *   copy left).</li>
 * </ul>
 * A run's age is counted from when it ended (its start when it has no end), or from its artifact's pruning when that
 * is later: the evidence of an artifact kept a year starts its 30 and 90 days when the artifact goes, never before.
 */
public final class EvidenceRetentionPlanner {
    public enum Action { KEEP, COMPRESS, DELETE }

    /** {@code compressAfter} before {@code deleteAfter}, both at least a day. */
    public record Policy(Duration compressAfter, Duration deleteAfter) {
        public Policy {
            if (compressAfter.compareTo(Duration.ofDays(1)) < 0 || deleteAfter.compareTo(compressAfter) <= 0) {
                throw new IllegalArgumentException("compress after (" + compressAfter.toDays() + " days) must be at least a day "
                        + "and less than delete after (" + deleteAfter.toDays() + " days)");
            }
        }

        public static Policy days(int compressAfter, int deleteAfter) {
            return new Policy(Duration.ofDays(compressAfter), Duration.ofDays(deleteAfter));
        }
    }

    /**
     * One run with evidence. {@code localPresent}: its evidence directory exists; {@code stored}: an uploaded copy is
     * recorded and not deleted; {@code artifactId}: the artifact the run made, or null; {@code artifactPrunedAt}: null
     * while that artifact lives.
     */
    public record Candidate(UUID runId, Instant startedAt, Instant endedAt, boolean active, boolean localPresent,
                            boolean stored, String artifactId, Instant artifactPrunedAt) {
        public boolean artifactLive() {
            return artifactId != null && artifactPrunedAt == null;
        }
    }

    public record Decision(Candidate run, Action action, String why) {
    }

    private EvidenceRetentionPlanner() {
    }

    public static List<Decision> plan(List<Candidate> runs, Policy policy, Instant now) {
        List<Decision> out = new ArrayList<>();
        for (Candidate c : runs) out.add(decide(c, policy, now));
        return out;
    }

    static Decision decide(Candidate c, Policy policy, Instant now) {
        if (c.active()) return new Decision(c, Action.KEEP, "the run is still active");
        if (c.artifactLive()) {
            return new Decision(c, Action.KEEP, "evidence of live artifact " + c.artifactId() + ": kept, uncompressed, as long as it is");
        }
        if (!c.localPresent() && !c.stored()) return new Decision(c, Action.KEEP, "no evidence left, local or stored");
        Instant from = c.endedAt() != null ? c.endedAt() : c.startedAt();
        if (c.artifactPrunedAt() != null && c.artifactPrunedAt().isAfter(from)) from = c.artifactPrunedAt();
        Duration age = Duration.between(from, now);
        long days = age.toDays();
        if (age.compareTo(policy.deleteAfter()) >= 0) {
            return new Decision(c, Action.DELETE, days + " days old, at least " + policy.deleteAfter().toDays()
                    + (c.artifactPrunedAt() != null ? " (counted from its artifact's pruning)" : ""));
        }
        if (c.localPresent() && age.compareTo(policy.compressAfter()) >= 0) {
            return new Decision(c, Action.COMPRESS, days + " days old, at least " + policy.compressAfter().toDays()
                    + (c.stored() ? " (already uploaded by an interrupted job: uploaded again, then removed locally)" : ""));
        }
        return new Decision(c, Action.KEEP, c.localPresent() ? days + " days old, younger than " + policy.compressAfter().toDays()
                : "in the store, " + days + " days old, younger than " + policy.deleteAfter().toDays());
    }
}
