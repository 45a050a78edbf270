package dev.odooops.domain;

import java.util.Locale;

/**
 * The progress line a long step draws on a terminal (and only there: see {@code exec.ToolRunner}): what it
 * produces, how far, how fast and, when the total is known, the percentage and the time left. Plain Java, so the
 * wording is tested without a terminal.
 * <pre>
 *   filestore  43%  12.9 MiB of 30.0 MiB  1.2 MiB/s  ETA 0:11
 *   db.dump  12.9 MiB  1.2 MiB/s
 * </pre>
 */
public final class ProgressLine {
    private ProgressLine() {
    }

    /**
     * @param what    the name of what grows (a file, a directory, a database)
     * @param done    bytes so far
     * @param total   the bytes when done, or 0 (or less) when unknown: no percentage, no ETA
     * @param seconds since the step started
     */
    public static String format(String what, long done, long total, double seconds) {
        double rate = seconds > 0 ? done / seconds : 0;
        StringBuilder sb = new StringBuilder(what).append("  ");
        if (total > 0) {
            long pct = Math.min(100, Math.max(0, Math.round(100.0 * done / total)));
            sb.append(pct).append("%  ").append(bytes(done)).append(" of ").append(bytes(total));
        } else {
            sb.append(bytes(done));
        }
        sb.append("  ").append(bytes((long) rate)).append("/s");
        if (total > 0) sb.append("  ETA ").append(rate > 0 && done > 0 ? duration(Math.max(0, (total - done) / rate)) : "?");
        return sb.toString();
    }

    /** Seconds as {@code m:ss}, or {@code h:mm:ss} from an hour. */
    public static String duration(double seconds) {
        long s = Math.round(seconds);
        long h = s / 3600;
        long m = (s % 3600) / 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s % 60) : String.format(Locale.ROOT, "%d:%02d", m, s % 60);
    }

    /** Bytes in binary units, one decimal from KiB: {@code 512 B}, {@code 651.2 KiB}, {@code 1.6 GiB}. */
    public static String bytes(long n) {
        if (n < 1024) return n + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
