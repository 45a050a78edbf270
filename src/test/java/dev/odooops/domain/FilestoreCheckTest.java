package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("fast")
class FilestoreCheckTest {
    private static final String A = "a".repeat(40);
    private static final String B = "b".repeat(40);
    private static final String C = "c".repeat(40);

    @Test
    void should_report_missing_and_corrupt_referenced_files_and_count_the_unreferenced() {
        Map<String, String> refs = new HashMap<>();
        FilestoreCheck.References.add(refs, "aa/" + A, A);
        FilestoreCheck.References.add(refs, "aa/" + A, A); // a second row sharing the file
        FilestoreCheck.References.add(refs, "bb/" + B, null); // no checksum column: the name is the SHA-1
        FilestoreCheck.References.add(refs, "cc/" + C, C.toUpperCase());
        FilestoreCheck.References.add(refs, "legacy-name", null); // not content-addressed: presence only
        Map<String, String> archived = Map.of("aa/" + A, A, "bb/" + B, "0".repeat(40), "legacy-name", "1".repeat(40),
                "checklist/aa/" + A, "2".repeat(40), "dd/" + "d".repeat(40), "d".repeat(40));

        FilestoreCheck check = FilestoreCheck.of(new FilestoreCheck.References(refs, null), archived,
                List.of("symlink ab/link"), List.of());

        assertEquals(4, check.referenced());
        assertEquals(3, check.present());
        assertEquals(1, check.missing());
        assertEquals(List.of("cc/" + C), check.missingSample());
        assertEquals(1, check.corrupt());
        assertEquals(List.of("bb/" + B), check.corruptSample());
        assertEquals(2, check.unreferenced());
        assertEquals(3, check.warnings().size());
        assertTrue(check.warnings().get(0).contains("1 referenced file(s) missing"), check.warnings().get(0));
        assertTrue(check.warnings().get(2).contains("symlink ab/link"), check.warnings().get(2));
        assertEquals(1, check.evidence().get("missing"));
        assertEquals(false, check.evidence().get("ok"));
    }

    @Test
    void should_cap_the_lists_and_be_quiet_when_all_is_well() {
        Map<String, String> refs = new HashMap<>();
        for (int i = 0; i < 250; i++) FilestoreCheck.References.add(refs, String.format("%02x/%040x", i % 256, i), null);
        FilestoreCheck missingAll = FilestoreCheck.of(new FilestoreCheck.References(refs, null), Map.of(), List.of(), List.of());
        assertEquals(250, missingAll.missing());
        assertEquals(FilestoreCheck.SAMPLE, missingAll.missingSample().size());

        FilestoreCheck none = FilestoreCheck.of(new FilestoreCheck.References(Map.of(), null), Map.of("x", A), List.of(), List.of());
        assertEquals(List.of(), none.warnings());
        assertEquals(1, none.unreferenced());
    }

    @Test
    void should_warn_when_the_references_could_not_be_read() {
        FilestoreCheck check = FilestoreCheck.of(FilestoreCheck.References.unavailable("no ir_attachment"), Map.of(), List.of(), List.of());
        assertEquals(List.of("filestore check: attachment references not read (no ir_attachment)"), check.warnings());
    }
}
