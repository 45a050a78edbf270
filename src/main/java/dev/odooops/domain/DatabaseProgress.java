package dev.odooops.domain;

import java.util.HashMap;
import java.util.Map;

/**
 * How far a pg_dump or a pg_restore is, for the terminal's progress line ({@link ProgressLine}): observations of the
 * server turned into bytes against a total. Plain Java, so the arithmetic is tested without a server.
 * <ul>
 *   <li>pg_restore ({@link #restored}): the size of the database being restored ({@code pg_database_size}) against
 *   the source database's size at dump time ({@code database_bytes} in db.dump.meta.json). A restored database
 *   holds no dead rows and fresh indexes, so it usually ends below its source: the line is capped at 99 % until
 *   pg_restore ends, and then cleared.</li>
 *   <li>pg_dump ({@link Copy}): the heap sizes ({@code pg_table_size}) of the tables whose data is dumped; a table
 *   counts in full once pg_dump's COPY of it has been seen and has ended, the table being copied counts with the
 *   bytes its COPY has sent so far ({@code pg_stat_progress_copy.bytes_processed}), at most its own size. COPY's
 *   text is not the heap's size, so the percentage is the share of table data dumped, an estimate; also capped at
 *   99 %.</li>
 * </ul>
 */
public final class DatabaseProgress {
    private DatabaseProgress() {
    }

    /** {@code done} against {@code total}, at most 99 % of it while the tool runs; {@code done} as is without a total. */
    public static long capped(long done, long total) {
        return total > 0 ? Math.max(0, Math.min(done, total / 100 * 99 + total % 100 * 99 / 100)) : Math.max(0, done);
    }

    /** pg_restore: the size of the database being restored against the source's size at dump time (0: unknown). */
    public static long restored(long databaseBytes, long sourceBytes) {
        return capped(databaseBytes, sourceBytes);
    }

    /**
     * pg_dump's COPY progress, fed one observation at a time (each second at most): the tables being copied now
     * ({@code relid} to {@code bytes_processed}) against the heap size of every dumped table.
     */
    public static final class Copy {
        private final Map<Long, Long> tableBytes;
        private final long total;
        private final Map<Long, Boolean> seen = new HashMap<>();
        private long finished;

        /** {@code tableBytes}: each dumped table's oid and heap size. */
        public Copy(Map<Long, Long> tableBytes) {
            this.tableBytes = Map.copyOf(tableBytes);
            this.total = tableBytes.values().stream().mapToLong(Long::longValue).sum();
        }

        public long total() {
            return total;
        }

        /** One observation: the COPYs running now. Returns the bytes dumped so far, capped at 99 % of the total. */
        public synchronized long observe(Map<Long, Long> copying) {
            for (var e : seen.entrySet()) {
                if (e.getValue() && !copying.containsKey(e.getKey())) {
                    e.setValue(false);
                    finished += tableBytes.getOrDefault(e.getKey(), 0L);
                }
            }
            long current = 0;
            for (var e : copying.entrySet()) {
                Long size = tableBytes.get(e.getKey());
                if (size == null) continue; // not a dumped table (another session's COPY under the same name)
                if (seen.putIfAbsent(e.getKey(), true) == null || seen.get(e.getKey())) {
                    seen.put(e.getKey(), true);
                    current += Math.min(Math.max(0, e.getValue()), size);
                }
            }
            return capped(finished + current, total);
        }
    }
}
