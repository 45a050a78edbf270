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
    void should_read_odoo_conf_db_name_and_data_dir_as_odoo_does() {
        Path fs = Path.of("/srv/erp/data/filestore/erp");
        List<String> d = ConfBinding.differences(AppProfile.ODOO, Map.of("db_name", "other, third", "data_dir", "/srv/other"), "erp", fs);
        assertEquals(2, d.size(), d.toString());
        assertTrue(d.get(0).startsWith("db_name is 'other, third'") && d.get(0).contains("'erp'"), d.get(0));
        assertTrue(d.get(1).contains("/srv/other/filestore/erp") && d.get(1).contains(fs.toString()), d.get(1));
        for (String unset : List.of("", "False", "false", "None", " , ")) {
            assertEquals(List.of(), ConfBinding.differences(AppProfile.ODOO, Map.of("db_name", unset, "data_dir", unset), "erp", fs), unset);
        }
        assertEquals(List.of(), ConfBinding.differences(AppProfile.ODOO, Map.of("db_name", "other,erp", "data_dir", "/srv/erp/data/"), "erp", fs));
        // relative, ~ or a variable: the server's own working directory and account decide
        assertEquals(List.of(), ConfBinding.differences(AppProfile.ODOO, Map.of("data_dir", "~/.local/share/Odoo"), "erp", fs));
        assertEquals(List.of(), ConfBinding.differences(AppProfile.ODOO, Map.of("data_dir", "data"), "erp", fs));
    }

    @Test
    void should_leave_data_dir_to_the_server_with_a_custom_filestore_layout(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path conf = java.nio.file.Files.writeString(dir.resolve("odoo.conf"),
                "[options]\ndb_name = erp\ndata_dir = /var/lib/odoo\n");
        assertEquals(Map.of("db_name", "erp", "data_dir", "/var/lib/odoo"), ConfBinding.read(AppProfile.ODOO, conf, false));
        // a container's path: the host sees the filestore elsewhere (filestore_layout: custom)
        assertEquals(Map.of("db_name", "erp"), ConfBinding.read(AppProfile.ODOO, conf, true));
        assertEquals(List.of(), ConfBinding.differences(AppProfile.ODOO, ConfBinding.read(AppProfile.ODOO, conf, true),
                "erp", Path.of("/srv/volumes/odoo/filestore/erp")));
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

    @Test
    void should_take_a_first_match_as_final_when_nothing_is_connected_to_the_database() {
        Duration window = Duration.ofSeconds(61);
        // Odoo stopped: nothing writes, and every ended backend flushed its counters; a fast or untimed last copy
        // does not matter, and no window is waited
        for (Duration last : java.util.Arrays.asList(null, Duration.ofSeconds(8), Duration.ofSeconds(300))) {
            SettleDecision stopped = SettleDecision.of(last, window, 0, "erp");
            assertTrue(stopped.settle(), String.valueOf(last));
            assertFalse(stopped.waitFirst(), String.valueOf(last));
            assertEquals(SettleDecision.Case.APP_STOPPED, stopped.which());
            assertTrue(stopped.why().contains("nothing is connected to database 'erp'"), stopped.why());
        }
        // one session (a running Odoo): the last copy's time decides, as before
        assertEquals(SettleDecision.Case.FAST_LAST_COPY, SettleDecision.of(Duration.ofSeconds(8), window, 1, "erp").which());
        assertFalse(SettleDecision.of(Duration.ofSeconds(8), window, 1, "erp").settle());
        SettleDecision slow = SettleDecision.of(Duration.ofSeconds(300), window, 2, "erp");
        assertTrue(slow.settle() && slow.waitFirst());
        assertEquals("slow_last_copy", slow.which().wire());
        assertEquals(SettleDecision.Case.UNTIMED, SettleDecision.of(null, window, -1, null).which());
    }
}
