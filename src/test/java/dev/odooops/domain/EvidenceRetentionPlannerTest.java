package dev.odooops.domain;

import dev.odooops.domain.EvidenceRetentionPlanner.Action;
import dev.odooops.domain.EvidenceRetentionPlanner.Candidate;
import dev.odooops.domain.EvidenceRetentionPlanner.Policy;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Evidence retention's decisions over a fixed clock (30 and 90 days). */
@Tag("fast")
class EvidenceRetentionPlannerTest {
    private static final Instant NOW = Instant.parse("2026-12-01T04:30:00Z");
    private static final Policy POLICY = Policy.days(30, 90);

    private static Instant daysAgo(double days) {
        return NOW.minus(Duration.ofMinutes((long) (days * 24 * 60)));
    }

    private static Candidate run(double endedDaysAgo, boolean local, boolean stored) {
        return new Candidate(UUID.randomUUID(), daysAgo(endedDaysAgo + 0.01), daysAgo(endedDaysAgo), false, local, stored, null, null);
    }

    private static EvidenceRetentionPlanner.Decision decide(Candidate c) {
        return EvidenceRetentionPlanner.plan(List.of(c), POLICY, NOW).get(0);
    }

    @Test
    void should_keep_evidence_younger_than_30_days_and_compress_it_from_30_days() {
        assertEquals(Action.KEEP, decide(run(29.9, true, false)).action());
        assertEquals(Action.COMPRESS, decide(run(30, true, false)).action());
        assertEquals(Action.COMPRESS, decide(run(89.9, true, false)).action());
    }

    @Test
    void should_keep_stored_evidence_until_90_days_then_delete_it_and_any_local_copy() {
        assertEquals(Action.KEEP, decide(run(60, false, true)).action());
        assertEquals(Action.DELETE, decide(run(90, false, true)).action());
        assertEquals(Action.DELETE, decide(run(200, true, false)).action(), "a local copy past its whole retention");
        assertEquals(Action.KEEP, decide(run(200, false, false)).action(), "nothing left anywhere");
    }

    @Test
    void should_upload_again_what_an_interrupted_job_uploaded_but_did_not_remove_locally() {
        var d = decide(run(45, true, true));
        assertEquals(Action.COMPRESS, d.action());
        assertTrue(d.why().contains("interrupted"), d.why());
    }

    @Test
    void should_keep_the_evidence_of_a_live_artifact_pinned_or_not_whatever_its_age() {
        var live = new Candidate(UUID.randomUUID(), daysAgo(400), daysAgo(400), false, true, false, "acme-prod-1", null);
        var d = decide(live);
        assertEquals(Action.KEEP, d.action());
        assertTrue(d.why().contains("live artifact acme-prod-1"), d.why());
    }

    @Test
    void should_count_the_age_of_a_pruned_artifacts_evidence_from_its_pruning() {
        var pruned10 = new Candidate(UUID.randomUUID(), daysAgo(400), daysAgo(400), false, true, false, "a", daysAgo(10));
        assertEquals(Action.KEEP, decide(pruned10).action());
        var pruned40 = new Candidate(UUID.randomUUID(), daysAgo(400), daysAgo(400), false, true, false, "a", daysAgo(40));
        assertEquals(Action.COMPRESS, decide(pruned40).action());
        var pruned95 = new Candidate(UUID.randomUUID(), daysAgo(400), daysAgo(400), false, false, true, "a", daysAgo(95));
        assertEquals(Action.DELETE, decide(pruned95).action());
    }

    @Test
    void should_never_touch_an_active_run_and_refuse_a_policy_that_deletes_before_compressing() {
        var active = new Candidate(UUID.randomUUID(), daysAgo(100), null, true, true, false, null, null);
        assertEquals(Action.KEEP, decide(active).action());
        var unfinished = new Candidate(UUID.randomUUID(), daysAgo(31), null, false, true, false, null, null);
        assertEquals(Action.COMPRESS, decide(unfinished).action(), "an abandoned run without an end: from its start");
        assertThrows(IllegalArgumentException.class, () -> Policy.days(30, 30));
        assertThrows(IllegalArgumentException.class, () -> Policy.days(0, 30));
    }
}
