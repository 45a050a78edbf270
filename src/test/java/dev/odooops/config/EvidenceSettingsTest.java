package dev.odooops.config;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("fast")
class EvidenceSettingsTest {
    @TempDir
    Path dir;

    private EvidenceSettings load(String properties) throws Exception {
        Files.writeString(dir.resolve("application.properties"), properties);
        return EvidenceSettings.of(Settings.load(dir, dir, name -> null));
    }

    @Test
    void should_default_to_30_and_90_days_daily_at_0430_utc_as_the_scheduler() throws Exception {
        EvidenceSettings s = load("");
        assertEquals(30, s.compressAfterDays());
        assertEquals(90, s.deleteAfterDays());
        assertEquals("0 30 4 * * ?", s.cron());
        assertEquals("UTC", s.timeZone().getId());
        assertEquals(OpsConfig.SCHEDULER, s.user());
        assertTrue(s.scheduled());
        assertFalse(load("evidence.retention-cron=off\n").scheduled());
    }

    @Test
    void should_refuse_bad_keys_naming_them() {
        String order = assertThrows(ConfigException.class, () -> load("evidence.compress-after-days=60\nevidence.delete-after-days=60\n"))
                .getMessage();
        assertTrue(order.contains("evidence.delete-after-days"), order);
        String cron = assertThrows(ConfigException.class, () -> load("evidence.retention-cron=every day\n")).getMessage();
        assertTrue(cron.contains("evidence.retention-cron"), cron);
        String days = assertThrows(ConfigException.class, () -> load("evidence.compress-after-days=0\n")).getMessage();
        assertTrue(days.contains("evidence.compress-after-days"), days);
        String zone = assertThrows(ConfigException.class, () -> load("evidence.retention-time-zone=Mars/Olympus\n")).getMessage();
        assertTrue(zone.contains("evidence.retention-time-zone"), zone);
    }
}
