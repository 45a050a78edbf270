package dev.odooops.drill;

import dev.odooops.config.DatabaseConfig;
import dev.odooops.domain.BackupGaps;
import dev.odooops.staging.ScratchCopies;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The drill's names and the judgement of its checks, without a database or a file. */
@Tag("fast")
class DrillChecksTest {
    private static final UUID RUN = UUID.fromString("1234abcd-0000-4000-8000-000000000001");

    @Test
    void should_name_the_scratch_copies_after_the_run_so_the_sweeps_recognise_them() {
        assertEquals("odoo_ops_scratch_drill_1234abcd", DrillNames.database(RUN));
        assertEquals("odoo_ops_scratch_drillodoo_1234abcd", DrillNames.clone(RUN));
        assertTrue(ScratchCopies.isScratchOf(DrillNames.clone(RUN), RUN));
        Path data = DrillNames.dataDir(Path.of("/var/lib/odoo-ops/drills"), RUN);
        assertEquals(Path.of("/var/lib/odoo-ops/drills/scratch-drill-1234abcd"), data);
        Path fs = DrillNames.filestore(data, DrillNames.database(RUN));
        assertEquals(data.resolve("filestore/odoo_ops_scratch_drill_1234abcd"), fs);
        assertEquals(data, DrillNames.dataDirOf(fs.toString()));
        assertEquals("1234abcd", ScratchCopies.tagOf(data.getFileName().toString()));
        assertEquals("db:5433", DrillNames.server(new DatabaseConfig("db", 5433, "postgres", "u", null, "prefer")));
    }

    @Test
    void should_remove_nothing_on_the_say_so_of_a_path_not_laid_out_as_a_drill_s() {
        assertNull(DrillNames.dataDirOf(null));
        assertNull(DrillNames.dataDirOf("relative/scratch-drill-1234abcd/filestore/x"));
        assertNull(DrillNames.dataDirOf("/srv/odoo/filestore/prod"));
        assertNull(DrillNames.dataDirOf("/srv/scratch-drill-1234abcd/other/x"));
        assertNull(DrillNames.dataDirOf("/srv/scratch-snapshot-1234abcd/filestore/x"));
        assertNull(DrillNames.dataDirOf("/srv/scratch-drill-1234abcd/filestore/../../etc"));
    }

    @Test
    void should_judge_row_counts_modules_and_samples() {
        assertEquals("passed", DrillChecks.rowCounts(Map.of("public.a", 3L), Map.of("public.a", 3L, "public.b", 0L)).status());
        DrillChecks.Check rows = DrillChecks.rowCounts(Map.of("public.a", 3L, "public.b", 1L), Map.of("public.a", 2L));
        assertEquals("failed", rows.status());
        assertTrue(rows.detail().contains("public.b=dump 1, scratch missing"), rows.detail());
        assertEquals("skipped", DrillChecks.rowCounts(null, Map.of()).status());

        assertEquals("passed", DrillChecks.modules(Map.of("base", "17.0.1.3"), Map.of("base", "17.0.1.3")).status());
        DrillChecks.Check modules = DrillChecks.modules(Map.of("base", "17.0.1.3", "sale", "17.0.1.0"), Map.of("base", "17.0.1.2", "crm", "1"));
        assertEquals("failed", modules.status());
        assertTrue(modules.detail().contains("3 module(s)"), modules.detail());
        assertEquals("skipped", DrillChecks.modules(Map.of(), Map.of("base", "1")).status());

        assertEquals("passed", DrillChecks.samples(Map.of("res_users", 2L)).status());
        assertEquals("failed", DrillChecks.samples(Map.of("res_users", 0L, "res_company", -1L)).status());
    }

    @Test
    void should_fail_a_missing_or_altered_attachment_unless_the_backup_already_lacked_it() {
        Map<String, String> refs = new HashMap<>();
        refs.put("ab/abc", "1111");
        refs.put("cd/cde", "2222");
        refs.put("ef/presence", null);
        assertEquals("passed", DrillChecks.attachments(refs, null, Map.of("ab/abc", "1111", "cd/cde", "2222", "ef/presence", "present"),
                BackupGaps.NONE).status());
        DrillChecks.Check bad = DrillChecks.attachments(refs, null, Map.of("ab/abc", "9999", "ef/presence", "present"), BackupGaps.NONE);
        assertEquals("failed", bad.status());
        assertTrue(bad.detail().contains("ab/abc sha1 differs") && bad.detail().contains("cd/cde missing"), bad.detail());
        BackupGaps gaps = new BackupGaps(Set.of("cd/cde"), Set.of("ab/abc"), 0);
        DrillChecks.Check known = DrillChecks.attachments(refs, null, Map.of("ab/abc", "9999", "ef/presence", "present"), gaps);
        assertEquals("passed", known.status(), known.detail());
        assertTrue(known.detail().contains("reported, not failed: 2"), known.detail());
        assertEquals("skipped", DrillChecks.attachments(Map.of(), "no ir_attachment table", Map.of(), BackupGaps.NONE).status());
    }

    @Test
    void should_compare_the_tree_digest_and_summarise() {
        assertEquals("passed", DrillChecks.treeDigest("d1", "d1", 3).status());
        assertEquals("failed", DrillChecks.treeDigest("d1", "d2", 3).status());
        assertEquals("skipped", DrillChecks.treeDigest(null, "d2", 3).status());
        List<DrillChecks.Check> all = List.of(DrillChecks.treeDigest("d1", "d2", 3), DrillChecks.command(false, false, null),
                DrillChecks.samples(Map.of("t", 1L)));
        Map<String, Object> s = DrillChecks.summary(all);
        assertEquals(1L, s.get("passed"));
        assertEquals(1L, s.get("failed"));
        assertEquals(1L, s.get("skipped"));
        assertEquals(List.of("tree_digest"), s.get("failed_checks"));
        assertEquals(Map.of("status", "skipped", "detail", "no drills.command configured"), DrillChecks.toMap(all).get("odoo_start"));
    }
}
