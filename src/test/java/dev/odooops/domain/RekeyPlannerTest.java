package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("fast")
class RekeyPlannerTest {
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);
    private static final String C = "c".repeat(64);

    @Test
    void should_call_another_generation_and_plaintext_stale_only_while_encryption_is_configured() {
        assertTrue(RekeyPlanner.stale("1111222233334444", "5555666677778888"));
        assertTrue(RekeyPlanner.stale(null, "5555666677778888"), "plaintext is another generation");
        assertFalse(RekeyPlanner.stale("5555666677778888", "5555666677778888"));
        assertFalse(RekeyPlanner.stale("1111222233334444", null), "no encryption configured: nothing is rewritten");
        assertFalse(RekeyPlanner.stale(null, null));
    }

    @Test
    void should_name_a_run_s_packs_after_the_run() {
        UUID run = UUID.fromString("1a2b3c4d-0000-0000-0000-000000000000");
        assertEquals("rekey-1a2b3c4d-0001", RekeyPlanner.packId(run, 1));
        assertEquals("rekey-1a2b3c4d-0042", RekeyPlanner.packId(run, 42));
        assertTrue(RekeyPlanner.packId(run, 9999).matches("[0-9a-z-]{1,80}"), "a pack id the index accepts");
        assertThrows(IllegalArgumentException.class, () -> RekeyPlanner.packId(run, 0));
    }

    @Test
    void should_rewrite_the_sums_of_the_objects_written_again_and_of_the_packs_that_hold_the_files_now() {
        String before = A + "  filestore.index.tsv\n" + B + "  ../../_packs/p-1.tar.zst\n" + C + "  ../../_packs/p-2.tar.zst\n";
        String after = RekeyPlanner.rewriteSums(before, Map.of("filestore.index.tsv", C),
                Map.of("p-1", new ArtifactManifest.PackRef("rekey-1a2b3c4d-0001", A, 10),
                        "p-2", new ArtifactManifest.PackRef("rekey-1a2b3c4d-0001", A, 10)), "filestore.tar.zst.sha256");
        assertEquals(C + "  filestore.index.tsv\n" + A + "  ../../_packs/rekey-1a2b3c4d-0001.tar.zst\n", after,
                "two packs moved into one: one line");
    }

    @Test
    void should_keep_a_line_it_has_no_new_digest_for() {
        String dump = A + "  db.dump\n";
        assertEquals(dump, RekeyPlanner.rewriteSums(dump, Map.of(), Map.of(), "db.dump.sha256"));
        assertEquals(B + "  db.dump\n", RekeyPlanner.rewriteSums(dump, Map.of("db.dump", B), Map.of(), "db.dump.sha256"));
    }

    @Test
    void should_refuse_a_sums_file_that_is_not_in_sha256sum_format_naming_it() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RekeyPlanner.rewriteSums("not a line\n", Map.of(), Map.of(), "db.dump.sha256"));
        assertTrue(e.getMessage().contains("db.dump.sha256"), e.getMessage());
    }
}
