package dev.odooops.config;

import java.time.ZoneId;
import java.util.Map;

/**
 * A schedule of an environment (its {@code schedules:} in the environments file): a Quartz cron expression (seconds
 * first, e.g. {@code 0 0 3 * * ?}) read in an explicit time zone, the user it runs as (default the built-in
 * {@code scheduler}, backup rights only) and its operation: {@code backup} (the default: {@code type} and an optional
 * retention override) or any other operation a service channel may queue (a sanitised snapshot, ...), whose fields
 * are {@code request} (as a {@code POST /api/v1/runs} body would carry them, without operation, project and
 * environment). Service mode checks at start that such a request is valid and that the user holds its action.
 */
public record Schedule(String name, String cron, ZoneId timeZone, String type, String user, Integer keepDaily,
                       Integer keepWeekly, Integer keepMonthly, String operation, Map<String, Object> request) {
    public static final String BACKUP = "backup";

    public Schedule {
        operation = operation == null ? BACKUP : operation;
        request = request == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(request));
    }

    /** A backup schedule. */
    public Schedule(String name, String cron, ZoneId timeZone, String type, String user, Integer keepDaily,
                    Integer keepWeekly, Integer keepMonthly) {
        this(name, cron, timeZone, type, user, keepDaily, keepWeekly, keepMonthly, BACKUP, Map.of());
    }

    public boolean isBackup() {
        return BACKUP.equals(operation);
    }
}
