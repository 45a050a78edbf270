package dev.odooops.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsTest {
    @TempDir
    Path dir;

    private Settings load(String properties) throws Exception {
        Files.writeString(dir.resolve("application.properties"), properties);
        return Settings.load(dir, dir, Map.<String, String>of()::get);
    }

    @Test
    void should_refuse_work_and_evidence_directories_that_are_root_or_not_normalised() {
        for (String key : new String[]{"ops.work-dir", "ops.evidence-root"}) {
            for (String bad : new String[]{"/", "/var/tmp/../../etc", "work/./x"}) {
                String msg = assertThrows(ConfigException.class, () -> load(key + "=" + bad + "\n")).getMessage();
                assertTrue(msg.endsWith("application.properties: " + key
                        + ": expected a normalised directory other than '/' (no '..', '.' or '//' segment), got '" + bad + "'"), msg);
            }
        }
    }

    @Test
    void should_resolve_relative_directories_against_the_home() throws Exception {
        Settings s = load("ops.work-dir=work/\nops.evidence-root=/var/tmp/evidence\n");
        assertEquals(dir.resolve("work"), s.workDir());
        assertEquals(Path.of("/var/tmp/evidence"), s.evidenceRoot());
    }
}
