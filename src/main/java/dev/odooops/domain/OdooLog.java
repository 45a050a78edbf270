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
 * belong to the line before. A server start logs {@code ... INFO ? odoo: Odoo version 17.0}. Dolibarr's
 * {@code dolibarr.log} (its file log handler) writes {@code YYYY-MM-DD HH:MM:SS LEVEL IP message}, the level a
 * word padded to seven characters: {@code ERR}, {@code CRIT}, {@code ALERT} and {@code EMERG} are problems.
 */
public final class OdooLog {
    private static final Pattern STAMP = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}),(\\d{3}) ");
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final Pattern BAD = Pattern.compile("^\\S+ \\S+ \\d+ (ERROR|CRITICAL) ");
    private static final Pattern DOLIBARR_STAMP = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2})() ");
    private static final Pattern DOLIBARR_BAD = Pattern.compile("^\\S+ \\S+ (ERR|ERROR|CRIT|CRITICAL|ALERT|EMERG)\\b");
    private static final Pattern START = Pattern.compile(" INFO \\S+ odoo: Odoo version ");

    private OdooLog() {
    }

    /** The time of a line, or null for a continuation line. */
    public static Instant time(String line, ZoneId zone) {
        return time(line, zone, AppProfile.ODOO);
    }

    private static Instant time(String line, ZoneId zone, AppProfile app) {
        Matcher m = (app == AppProfile.ODOO ? STAMP : DOLIBARR_STAMP).matcher(line);
        if (!m.find()) return null;
        try {
            return LocalDateTime.parse(m.group(1), FORMAT).atZone(zone).toInstant()
                    .plusMillis(m.group(2).isEmpty() ? 0 : Integer.parseInt(m.group(2)));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** ERROR and CRITICAL lines logged at or after {@code since} (all of them when since is null), at most {@code max}. */
    public static List<String> problemsSince(List<String> lines, Instant since, ZoneId zone, int max) {
        return problemsSince(lines, since, zone, max, AppProfile.ODOO);
    }

    /** The same for an application's log: Odoo's or Dolibarr's line format. */
    public static List<String> problemsSince(List<String> lines, Instant since, ZoneId zone, int max, AppProfile app) {
        List<String> bad = new ArrayList<>();
        boolean inWindow = since == null;
        Pattern problem = app == AppProfile.ODOO ? BAD : DOLIBARR_BAD;
        for (String line : lines) {
            Instant t = time(line, zone, app);
            if (t != null && since != null) inWindow = !t.isBefore(since);
            if (inWindow && t != null && problem.matcher(line).find()) {
                bad.add(line.length() > 300 ? line.substring(0, 300) : line);
                if (bad.size() >= max) break;
            }
        }
        return bad;
    }

    /** Whether a log line reports a problem, wherever it starts (a log read from an offset). */
    public static boolean problem(String line, AppProfile app) {
        return app == AppProfile.ODOO ? ANY_ODOO_PROBLEM.matcher(line).find() : DOLIBARR_BAD.matcher(line).find();
    }

    private static final Pattern ANY_ODOO_PROBLEM = Pattern.compile("\\b(ERROR|CRITICAL)\\b");

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
