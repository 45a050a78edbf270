package dev.odooops.config;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("fast")
class ZipSettingsTest {
    private static Properties of(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) p.setProperty(kv[i], kv[i + 1]);
        return p;
    }

    @Test
    void should_default_every_limit() {
        ZipSettings s = ZipSettings.of(of(), "application.properties");
        assertEquals(1_000_000, s.limits().maxMembers());
        assertEquals(256L << 30, s.limits().maxBytes());
        assertEquals(128L << 30, s.limits().maxMemberBytes());
        assertEquals(200, s.limits().maxRatio());
        assertEquals(21600, s.psqlTimeoutSeconds());
    }

    @Test
    void should_refuse_a_bad_or_unknown_zip_key_naming_it() {
        ConfigException bad = assertThrows(ConfigException.class, () -> ZipSettings.of(of("zip.max-ratio", "1"), "a.properties"));
        assertTrue(bad.getMessage().contains("zip.max-ratio"), bad.getMessage());
        ConfigException unknown = assertThrows(ConfigException.class, () -> ZipSettings.of(of("zip.max-size", "5"), "a.properties"));
        assertTrue(unknown.getMessage().contains("zip.max-size"), unknown.getMessage());
        assertEquals(5, ZipSettings.of(of("zip.max-members", "5"), "a.properties").limits().maxMembers());
    }
}
