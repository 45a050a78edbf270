package dev.odooops.staging;

import dev.odooops.domain.RequestRejected;
import dev.odooops.domain.RetentionPolicy;
import dev.odooops.model.SnapshotRequest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The sanitised snapshot's plain rules: its request, its scratch names, its retention series. */
@Tag("fast")
class SnapshotRulesTest {
    @Test
    void should_refuse_a_request_without_sanitize_naming_the_field() {
        RequestRejected r = assertThrows(RequestRejected.class,
                () -> new SnapshotRequest("p", "prod", false, null, "operator", "cli"));
        assertEquals("sanitize", r.field());
        assertEquals("artifact", assertThrows(RequestRejected.class,
                () -> new SnapshotRequest("p", "prod", true, "a b/../c", "operator", "cli")).field());
        assertEquals("copy", new SnapshotRequest("p", "prod", true, null, "operator", null).action());
    }

    @Test
    void should_recognise_the_scratch_copies_of_a_run_by_their_tag() {
        UUID run = UUID.fromString("0123abcd-0000-4000-8000-000000000000");
        assertEquals("0123abcd", ScratchCopies.tagOf(ScratchCopies.database("snapshot", run)));
        assertEquals("0123abcd", ScratchCopies.tagOf(ScratchCopies.directory(Path.of("/w"), "snapshot", run).getFileName().toString()));
        assertNull(ScratchCopies.tagOf("prod__restore_0123abcd"));
        assertNull(ScratchCopies.tagOf("0123abcd-0000-4000-8000-000000000000"));
    }

    @Test
    void should_keep_the_last_three_snapshots_as_a_series_of_their_own() {
        RetentionPolicy.Series s = new RetentionPolicy(7, 4, 3).series("sanitized_snapshot");
        assertEquals(RetentionPolicy.SANITIZED_SNAPSHOT_LAST, s.last());
        assertEquals(0, s.daily() + s.weekly() + s.monthly() + s.yearly());
        java.time.Instant now = java.time.Instant.parse("2026-06-30T12:00:00Z");
        java.util.List<dev.odooops.domain.RetentionPlanner.Candidate> five = new java.util.ArrayList<>();
        for (int d = 1; d <= 5; d++) {
            five.add(new dev.odooops.domain.RetentionPlanner.Candidate("snap-" + d, now.minus(java.time.Duration.ofDays(d)), false));
        }
        var plan = new dev.odooops.domain.RetentionPlanner(java.time.ZoneOffset.UTC).plan(five, s, java.util.Set.of(), now);
        assertEquals(java.util.List.of("snap-5", "snap-4"), plan.prune());
    }
}
