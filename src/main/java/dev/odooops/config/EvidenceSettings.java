package dev.odooops.config;

/**
 * {@code evidence.*} of application.properties (docs/configuration.md): evidence retention's ages and schedule, read
 * and validated when the runtime starts, each error naming its key.
 * <ul>
 *   <li>{@code evidence.compress-after-days} (default 30, 1 to 3650): local evidence older is compressed, uploaded to
 *   the store, read back and removed locally;</li>
 *   <li>{@code evidence.delete-after-days} (default 90, more than compress-after-days, at most 36500): evidence older
 *   is deleted, the store's copy too;</li>
 *   <li>{@code evidence.retention-cron} (default {@code 0 30 4 * * ?}, Quartz syntax, seconds first) and
 *   {@code evidence.retention-time-zone} (default UTC): when serve queues one evidence_retention run per environment;
 *   {@code evidence.retention-cron=off} turns the schedule off;</li>
 *   <li>{@code evidence.retention-user} (default {@code scheduler}): the principal of the scheduled runs; it needs
 *   {@code evidence} on each project (the built-in scheduler has it).</li>
 * </ul>
 */
public record EvidenceSettings(int compressAfterDays, int deleteAfterDays, String cron, java.time.ZoneId timeZone, String user) {
    public static final String OFF = "off";

    public boolean scheduled() {
        return !OFF.equals(cron);
    }

    public static EvidenceSettings of(Settings settings) {
        String file = settings.configDir().resolve("application.properties").toString();
        int compress = integer(settings, file, "evidence.compress-after-days", 30, 1, 3650);
        int delete = integer(settings, file, "evidence.delete-after-days", 90, 2, 36500);
        if (delete <= compress) {
            throw new ConfigException(file, "evidence.delete-after-days", "more days than evidence.compress-after-days (" + compress
                    + ")", String.valueOf(delete));
        }
        String cron = string(settings, "evidence.retention-cron", "0 30 4 * * ?");
        if (!cron.equals(OFF) && !org.quartz.CronExpression.isValidExpression(cron)) {
            throw new ConfigException(file, "evidence.retention-cron", "a Quartz cron expression with seconds first (e.g. '0 30 4 * * ?') "
                    + "or off", cron);
        }
        String zone = string(settings, "evidence.retention-time-zone", "UTC");
        java.time.ZoneId timeZone;
        try {
            timeZone = java.time.ZoneId.of(zone);
        } catch (java.time.DateTimeException e) {
            throw new ConfigException(file, "evidence.retention-time-zone", "a time zone id (e.g. Europe/Brussels or UTC)", zone);
        }
        return new EvidenceSettings(compress, delete, cron, timeZone, string(settings, "evidence.retention-user", OpsConfig.SCHEDULER));
    }

    private static String string(Settings s, String key, String fallback) {
        String v = s.property(key, null);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    private static int integer(Settings s, String file, String key, int fallback, int min, int max) {
        String v = string(s, key, null);
        if (v == null) return fallback;
        try {
            int i = Integer.parseInt(v);
            if (i >= min && i <= max) return i;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ConfigException(file, key, "a whole number from " + min + " to " + max, v);
    }
}
