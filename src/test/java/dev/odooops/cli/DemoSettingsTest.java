package dev.odooops.cli;

import dev.odooops.config.ConfigException;
import dev.odooops.config.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where the demo builds its environment and under which database name: application.properties, then -D. */
@Tag("fast")
class DemoSettingsTest {
    @TempDir
    Path dir;

    @AfterEach
    void clear() {
        System.clearProperty("demo.root");
        System.clearProperty("demo.database");
    }

    private Settings load(String properties) throws Exception {
        Files.writeString(dir.resolve("application.properties"), properties);
        return Settings.load(dir, dir, Map.<String, String>of()::get);
    }

    @Test
    void should_take_demo_root_and_database_from_the_file_and_a_system_property_over_it() throws Exception {
        assertEquals(Path.of("/var/tmp/odoo-ops/demo"), DemoCommand.root(load("")));
        assertEquals("odoo_demo", DemoCommand.database(load("")));
        Settings file = load("demo.root=/var/tmp/from-file\ndemo.database=odoo_demo_file\n");
        assertEquals(Path.of("/var/tmp/from-file"), DemoCommand.root(file));
        assertEquals("odoo_demo_file", DemoCommand.database(file));
        System.setProperty("demo.root", "/var/tmp/from-flag");
        System.setProperty("demo.database", "odoo_demo_flag");
        Settings flagged = load("demo.root=/var/tmp/from-file\ndemo.database=odoo_demo_file\n");
        assertEquals(Path.of("/var/tmp/from-flag"), DemoCommand.root(flagged));
        assertEquals("odoo_demo_flag", DemoCommand.database(flagged));
    }

    @Test
    void should_resolve_a_relative_demo_root_against_the_home_not_the_working_directory() throws Exception {
        Files.writeString(dir.resolve("application.properties"), "demo.root=var/demo\n");
        Path home = dir.resolve("unpacked");
        Settings tarball = Settings.load(home, dir, Map.<String, String>of()::get);
        assertEquals(home.resolve("var/demo"), DemoCommand.root(tarball));
    }

    @Test
    void should_refuse_a_demo_database_that_is_not_a_plain_name() throws Exception {
        Settings bad = load("demo.database=odoo\"; drop\n");
        ConfigException e = assertThrows(ConfigException.class, () -> DemoCommand.database(bad));
        assertTrue(e.getMessage().contains("application.properties: demo.database: expected a lower-case PostgreSQL name"),
                e.getMessage());
    }
}
