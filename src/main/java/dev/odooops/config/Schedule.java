package dev.odooops.config;

import java.time.ZoneId;

/**
 * A backup schedule of an environment (its {@code schedules:} in the environments file): a Quartz cron expression
 * (seconds first, e.g. {@code 0 0 3 * * ?}) read in an explicit time zone, the backup type, the user the backup
 * runs as (default the built-in {@code scheduler}, backup rights only) and an optional retention override.
 */
public record Schedule(String name, String cron, ZoneId timeZone, String type, String user, Integer keepDaily,
                       Integer keepWeekly, Integer keepMonthly) {
}
