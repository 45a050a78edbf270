package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue #13 A17 and A9: the plain decisions behind them (BackupGaps, ConfBinding, FilestoreCheck.wrongTree, SettleDecision). */
@Tag("fast")
class RestoreJudgementTest {
    @Test
    void should_report_what_the_artifact_already_lacked_and_fail_on_anything_else() {
        BackupGaps gaps = BackupGaps.of(Map.of("missing_paths", List.of("ab/lost"), "corrupt_paths", List.of("cd/bad")));
        BackupGaps.Judged j = gaps.judge(List.of("ab/lost", "ef/new"), List.of("cd/bad", "gh/new"));
        assertEquals(List.of("ef/new missing", "gh/new sha1 differs"), j.failures());
        assertEquals(2, j.recorded().size());
        assertTrue(j.recorded().get(0).startsWith("ab/lost missing (already missing at backup time)"), j.recorded().toString());
    }

    @Test
    void should_accept_as_many_unnamed_missing_files_as_an_older_artifact_counted() {
        BackupGaps gaps = BackupGaps.of(Map.of("missing_files", 1));
        BackupGaps.Judged j = gaps.judge(List.of("a", "b"), List.of());
        assertEquals(1, j.recorded().size());
        assertEquals(List.of("b missing"), j.failures());
        assertTrue(BackupGaps.of(null).isEmpty());
        assertEquals(List.of("x missing"), BackupGaps.NONE.judge(List.of("x"), List.of()).failures());
    }

    @Test
    void should_name_each_difference_of_a_conf_php_describing_another_installation() {
        Map<String, String> conf = Map.of("dolibarr_main_db_name", "other", "dolibarr_main_data_root", "/srv/other/");
        List<String> d = ConfBinding.differences(AppProfile.DOLIBARR, conf, "erp", Path.of("/srv/erp/documents"));
        assertEquals(2, d.size(), d.toString());
        assertTrue(d.get(0).contains("'other'") && d.get(0).contains("'erp'"), d.get(0));
        assertEquals(List.of(), ConfBinding.differences(AppProfile.DOLIBARR, Map.of("dolibarr_main_db_name", "erp",
                "dolibarr_main_data_root", "/srv/erp/documents/"), "erp", Path.of("/srv/erp/documents")));
        assertEquals(List.of(), ConfBinding.differences(AppProfile.ODOO, conf, "erp", Path.of("/x")));
    }

    @Test
    void should_call_a_tree_holding_none_of_the_referenced_files_the_wrong_one() {
        Map<String, String> refs = new java.util.HashMap<>();
        FilestoreCheck.References.addPresence(refs, "facture/a.pdf");
        FilestoreCheck.References.addPresence(refs, "facture/b.pdf");
        var r = new FilestoreCheck.References(refs, null);
        assertTrue(FilestoreCheck.wrongTree(r, Set.of("other.txt"), "the tree").isPresent());
        assertFalse(FilestoreCheck.wrongTree(r, Set.of("facture/b.pdf"), "the tree").isPresent(), "a few lost files are warnings");
        assertFalse(FilestoreCheck.wrongTree(new FilestoreCheck.References(Map.of(), null), Set.of(), "the tree").isPresent());
    }

    @Test
    void should_settle_only_when_the_last_copy_took_longer_than_the_window() {
        Duration window = Duration.ofSeconds(61);
        assertFalse(SettleDecision.of(Duration.ofSeconds(8), window).settle());
        assertFalse(SettleDecision.of(null, window).settle());
        assertTrue(SettleDecision.of(Duration.ofSeconds(300), window).settle());
        assertTrue(SettleDecision.of(Duration.ofSeconds(8), window).why().contains("faster than settling"));
        // a window of 0 s costs nothing: always read again, however fast (or untimed) the last copy was
        assertTrue(SettleDecision.of(Duration.ZERO, Duration.ZERO).settle());
        assertTrue(SettleDecision.of(null, Duration.ZERO).settle());
    }
}
