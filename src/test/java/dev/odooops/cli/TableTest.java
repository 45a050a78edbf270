package dev.odooops.cli;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The human-readable views: plain Java over the rows the JSON carries. */
@Tag("fast")
class TableTest {
    private static Map<String, Object> artifact(String id, String at, long size, boolean pinned, String label) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("artifact_id", id);
        row.put("created_at", at);
        row.put("backup_type", "full");
        row.put("kind", "backup");
        row.put("label", label);
        row.put("pinned", pinned);
        row.put("uri", "file:///store/" + id + "/");
        row.put("size_bytes", size);
        row.put("pruned_at", null);
        row.put("last_drill_status", pinned ? "failed" : null);
        row.put("last_drill_at", pinned ? "2026-12-06T01:00:00.5Z" : null);
        return row;
    }

    @Test
    void should_align_columns_under_a_header_with_short_instants_binary_sizes_and_dashes() {
        String table = Table.rows(List.of(
                artifact("perf-src-20261206T004731Z-6d8956", "2026-12-06T00:47:31Z", 666_817, false, null),
                artifact("perf-src-1", "2026-12-05T23:00:00.123456Z", 1_717_986_918L, true, "before upgrade")), Table.ARTIFACTS);
        assertEquals("""
                ARTIFACT                          CREATED               TYPE  KIND    SIZE       PINNED  LABEL           PRUNED  DRILL    DRILLED
                perf-src-20261206T004731Z-6d8956  2026-12-06 00:47:31Z  full  backup  651.2 KiB  no      -               -       none     -
                perf-src-1                        2026-12-05 23:00:00Z  full  backup  1.6 GiB    yes     before upgrade  -       FAILED!  2026-12-06 01:00:00Z
                """, table);
    }

    @Test
    void should_say_none_for_no_row_and_cut_long_cells() {
        assertEquals("(none)\n", Table.rows(List.of(), Table.RUNS));
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("run_id", "r1");
        run.put("failed_step", "x".repeat(100));
        String table = Table.rows(List.of(run), Table.RUNS);
        String line = table.lines().toList().get(1);
        assertTrue(line.endsWith("x".repeat(Table.MAX_CELL - 1) + "…"), line);
    }

    @Test
    void should_print_a_record_one_field_a_line_with_lists_below_their_key() {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("run_id", "989f93bb");
        run.put("status", "skipped_unchanged");
        run.put("created_at", "2026-12-06T00:47:34.961439Z");
        run.put("parent_run_id", null);
        run.put("steps_completed", List.of("create-run", "check-unchanged"));
        run.put("warnings", List.of());
        run.put("figures", Map.of("files", 3));
        assertEquals("""
                run_id:          989f93bb
                status:          skipped_unchanged
                created_at:      2026-12-06 00:47:34Z
                parent_run_id:   -
                steps_completed:
                  - create-run
                  - check-unchanged
                warnings:        -
                figures:         files=3
                """, Table.record(run));
    }

    @Test
    void should_write_sizes_in_binary_units() {
        assertEquals("0 B", Table.bytes(0));
        assertEquals("1023 B", Table.bytes(1023));
        assertEquals("1.0 KiB", Table.bytes(1024));
        assertEquals("30.0 MiB", Table.bytes(30L * 1024 * 1024));
        assertEquals("2.0 TiB", Table.bytes(2L << 40));
    }

    @Test
    void should_take_dev_pts_and_ttys_as_terminals_and_files_pipes_as_not() {
        assertTrue(Terminal.isTerminalDevice("/dev/pts/3"));
        assertTrue(Terminal.isTerminalDevice("/dev/tty1"));
        assertTrue(Terminal.isTerminalDevice("/dev/ttyS0"));
        assertEquals(false, Terminal.isTerminalDevice("pipe:[12345]"));
        assertEquals(false, Terminal.isTerminalDevice("/tmp/out.json"));
        assertEquals(false, Terminal.isTerminalDevice("/dev/null"));
    }

    @Test
    void should_print_a_page_of_rows_with_the_option_for_the_next_page() {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("run_id", "r1");
        run.put("status", "success");
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("runs", List.of(run));
        page.put("next_cursor", "abc");
        String table = Table.answer(page, "runs", Table.RUNS);
        assertTrue(table.startsWith("RUN  OPERATION  STATUS "), table);
        assertTrue(table.endsWith("(more: add --cursor abc)\n"), table);
        page.put("next_cursor", null);
        assertEquals(Table.rows(List.of(run), Table.RUNS), Table.answer(page, "runs", Table.RUNS), "the last page: no more line");
        assertEquals(Table.rows(List.of(run), Table.RUNS), Table.answer(List.of(run), "runs", Table.RUNS), "a plain list");
    }
}
