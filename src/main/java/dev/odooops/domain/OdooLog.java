package dev.odooops.domain;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reading an Odoo server log by time. Odoo writes {@code YYYY-MM-DD HH:MM:SS,mmm PID LEVEL DB logger: message}
 * in the server's local time (Python logging's default); continuation lines (tracebacks) carry no time and
 * belong to the line before. A server start logs {@code ... INFO ? odoo: Odoo version 17.0}.
 */
public final class OdooLog {
    private static final Pattern STAMP = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}),(\\d{3}) ");
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final Pattern BAD = Pattern.compile("^\\S+ \\S+ \\d+ (ERROR|CRITICAL) ");
    private static final Pattern START = Pattern.compile(" INFO \\S+ odoo: Odoo version ");

    private OdooLog() {
    }

    /** The time of a line, or null for a continuation line. */
    public static Instant time(String line, ZoneId zone) {
        Matcher m = STAMP.matcher(line);
        if (!m.find()) return null;
        try {
            return LocalDateTime.parse(m.group(1), FORMAT).atZone(zone).toInstant().plusMillis(Integer.parseInt(m.group(2)));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** ERROR and CRITICAL lines logged at or after {@code since} (all of them when since is null), at most {@code max}. */
    public static List<String> problemsSince(List<String> lines, Instant since, ZoneId zone, int max) {
        List<String> bad = new ArrayList<>();
        boolean inWindow = since == null;
        for (String line : lines) {
            Instant t = time(line, zone);
            if (t != null && since != null) inWindow = !t.isBefore(since);
            if (inWindow && t != null && BAD.matcher(line).find()) {
                bad.add(line.length() > 300 ? line.substring(0, 300) : line);
                if (bad.size() >= max) break;
            }
        }
        return bad;
    }

    /** The time of the last server start the log shows, or null. */
    public static Instant lastStart(List<String> lines, ZoneId zone) {
        Instant last = null;
        for (String line : lines) {
            if (START.matcher(line).find()) {
                Instant t = time(line, zone);
                if (t != null) last = t;
            }
        }
        return last;
    }

    /** {@code --since}: an ISO-8601 instant or offset time, or an age such as {@code 30m}, {@code 2h}, {@code 1d}. */
    public static Instant parseSince(String value, Instant now) {
        Matcher age = Pattern.compile("^(\\d{1,6})([smhd])$").matcher(value.strip());
        if (age.matches()) {
            long n = Long.parseLong(age.group(1));
            long seconds = switch (age.group(2)) {
                case "s" -> n;
                case "m" -> n * 60;
                case "h" -> n * 3600;
                default -> n * 86400;
            };
            return now.minusSeconds(seconds);
        }
        try {
            return java.time.OffsetDateTime.parse(value.strip()).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("an ISO-8601 time with offset (2026-11-23T08:00:00Z) or an age (30m, 2h, 1d)");
        }
    }
}
