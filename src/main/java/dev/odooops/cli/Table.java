package dev.odooops.cli;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The human-readable form of the views ({@code artifacts}, {@code runs}, {@code run}) on a terminal: plain Java over
 * the same rows the JSON carries, so the two never say different things. A table has one line per row, columns
 * padded to their widest cell, a header; instants shortened to the second in UTC ({@code 2026-12-06 00:47:31Z}),
 * sizes in binary units, missing values as {@code -}. A record ({@code run}) is one {@code key: value} line per field.
 */
public final class Table {
    private static final DateTimeFormatter SHORT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    /** Cells wider than this are cut with an ellipsis (evidence paths, failure reasons). */
    static final int MAX_CELL = 60;

    /** A column: its header and the row key it shows. */
    public record Column(String header, String key) {
    }

    private Table() {
    }

    /** The columns of {@code artifacts}. */
    public static final List<Column> ARTIFACTS = List.of(new Column("ARTIFACT", "artifact_id"), new Column("CREATED", "created_at"),
            new Column("TYPE", "backup_type"), new Column("KIND", "kind"), new Column("SIZE", "size_bytes"),
            new Column("PINNED", "pinned"), new Column("LABEL", "label"), new Column("PRUNED", "pruned_at"),
            new Column("DRILL", "last_drill_status"), new Column("DRILLED", "last_drill_at"));

    /** The columns of {@code runs}. */
    public static final List<Column> RUNS = List.of(new Column("RUN", "run_id"), new Column("OPERATION", "operation"),
            new Column("STATUS", "status"), new Column("CREATED", "created_at"), new Column("FINISHED", "finished_at"),
            new Column("BY", "created_by"), new Column("ARTIFACT", "artifact_id"), new Column("FAILED STEP", "failed_step"));

    /**
     * A list view's answer as JSON reads it: a list of rows, or a page ({@code {runs: [...], next_cursor}}) whose rows
     * are under {@code key}; the table of the rows, and under it how to ask for the next page when there is one.
     */
    @SuppressWarnings("unchecked")
    public static String answer(Object answer, String key, List<Column> columns) {
        if (!(answer instanceof Map<?, ?> page)) return rows((List<Map<String, Object>>) answer, columns);
        List<Map<String, Object>> rows = (List<Map<String, Object>>) page.get(key);
        String table = rows(rows == null ? List.of() : rows, columns);
        Object next = page.get("next_cursor");
        return next == null ? table : table + "(more: add --cursor " + next + ")\n";
    }

    /** Rows as a table with {@code columns}; "(none)" when there is no row. */
    public static String rows(List<? extends Map<String, ?>> rows, List<Column> columns) {
        if (rows.isEmpty()) return "(none)\n";
        List<String[]> lines = new ArrayList<>();
        lines.add(columns.stream().map(Column::header).toArray(String[]::new));
        for (Map<String, ?> row : rows) {
            lines.add(columns.stream().map(c -> cell(c.key(), row.get(c.key()))).toArray(String[]::new));
        }
        int[] width = new int[columns.size()];
        for (String[] line : lines) {
            for (int i = 0; i < line.length; i++) width[i] = Math.max(width[i], line[i].length());
        }
        StringBuilder sb = new StringBuilder();
        for (String[] line : lines) {
            StringBuilder l = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                if (i > 0) l.append("  ");
                l.append(line[i]);
                if (i < line.length - 1) l.append(" ".repeat(width[i] - line[i].length()));
            }
            sb.append(l.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    /** One record ({@code run}): {@code key: value} lines, keys padded; lists one item a line below their key. */
    public static String record(Map<String, ?> fields) {
        int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0) + 1;
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, ?> e : fields.entrySet()) {
            String key = (e.getKey() + ":") + " ".repeat(width - e.getKey().length() - 1);
            if (e.getValue() instanceof Collection<?> items) {
                sb.append(key).append(items.isEmpty() ? " -" : "").append('\n');
                for (Object item : items) sb.append("  - ").append(item instanceof Map<?, ?> m ? inline(m) : String.valueOf(item)).append('\n');
            } else if (e.getValue() instanceof Map<?, ?> m) {
                sb.append(key).append(' ').append(m.isEmpty() ? "-" : inline(m)).append('\n');
            } else {
                sb.append(key).append(' ').append(value(e.getKey(), e.getValue())).append('\n');
            }
        }
        return sb.toString();
    }

    private static String inline(Map<?, ?> m) {
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> {
            if (v == null) return;
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(k).append('=').append(value(String.valueOf(k), v));
        });
        return sb.toString();
    }

    /** A table cell: {@link #value}, cut to {@link #MAX_CELL}. */
    static String cell(String key, Object v) {
        String s = value(key, v);
        return s.length() > MAX_CELL ? s.substring(0, MAX_CELL - 1) + "…" : s;
    }

    /** A value as a person reads it: null as -, instants to the second, sizes ({@code *_bytes}) in KiB/MiB/GiB, yes/no. */
    static String value(String key, Object v) {
        if (v == null) return key.equals("last_drill_status") ? "none" : "-";
        if (v instanceof Boolean b) return b ? "yes" : "no";
        // an artifact whose last drill failed stands out in the artifacts table
        if (key.equals("last_drill_status") && "failed".equals(v)) return "FAILED!";
        if (v instanceof Number n && key.endsWith("_bytes")) return bytes(n.longValue());
        String s = String.valueOf(v).replace('\n', ' ');
        if (key.endsWith("_at") || key.equals("until")) return instant(s);
        return s;
    }

    /** {@code 2026-12-06T00:47:34.961439Z} as {@code 2026-12-06 00:47:34Z}; anything else as it is. */
    static String instant(String s) {
        try {
            return SHORT.format(Instant.parse(s));
        } catch (DateTimeParseException e) {
            return s;
        }
    }

    /** Bytes in binary units with one decimal from KiB up (as the progress lines write them). */
    public static String bytes(long n) {
        return dev.odooops.domain.ProgressLine.bytes(n);
    }
}
