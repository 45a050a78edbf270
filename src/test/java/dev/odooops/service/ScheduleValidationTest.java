package dev.odooops.service;

import dev.odooops.config.ConfigException;
import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.OpsConfig;
import dev.odooops.config.Schedule;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Service start refuses a schedule of another operation than backup that no channel could queue. */
@Tag("fast")
class ScheduleValidationTest {
    private static OpsConfig config(Schedule s) {
        EnvironmentConfig env = new EnvironmentConfig("acme", "prod", "production", null, Path.of("/srv/fs/acme"), null,
                List.of(), null, null, null, List.of(s));
        return new OpsConfig("environments.yaml", null, Map.of("scheduler", List.of(new OpsConfig.Permission("*", "backup"))),
                List.of(env));
    }

    private static Schedule of(String operation, Map<String, Object> request) {
        return new Schedule("nightly", "0 0 3 * * ?", ZoneId.of("UTC"), "full", "scheduler", null, null, null, operation, request);
    }

    @Test
    void should_refuse_at_start_a_schedule_of_an_operation_no_channel_can_queue_naming_the_schedule() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new Schedules(config(of("paint", Map.of())), null, null, "t", null).validate());
        assertTrue(e.getMessage().contains("schedule acme.prod.nightly: operation: expected one of backup|restore"), e.getMessage());
    }

    @Test
    void should_accept_backup_schedules_without_a_request() {
        assertDoesNotThrow(() -> new Schedules(config(of("backup", Map.of())), null, null, "t", null).validate());
    }
}
