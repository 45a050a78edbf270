package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The .env.pr-N text and the ages of PR environments. */
@Tag("fast")
class PrEnvFileTest {
    private static Map<String, String> values() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("PGHOST", "127.0.0.1");
        v.put("PGDATABASE", "acme_pr_3");
        v.put("ODOO_URL", null);
        v.put("ODOO_CONF", "/srv/pr/odoo 3.conf");
        return v;
    }

    @Test
    void should_write_the_password_only_when_it_is_no_other_environments_secret() {
        String own = PrEnvFile.render("pr 3", values(), "pr-only-secret", List.of("prod-secret"));
        assertEquals("pr-only-secret", PrEnvFile.parse(own).get("PGPASSWORD"));
        String shared = PrEnvFile.render("pr 3", values(), "prod-secret", List.of("prod-secret"));
        assertFalse(shared.contains("prod-secret"), shared);
        assertFalse(PrEnvFile.parse(shared).containsKey("PGPASSWORD"));
    }

    @Test
    void should_leave_out_null_values_and_quote_the_others_that_need_it() {
        String text = PrEnvFile.render("a\nb", values(), null, List.of());
        assertTrue(text.startsWith("# a\n# b\n"), text);
        assertEquals(List.of("PGHOST", "PGDATABASE", "ODOO_CONF"), PrEnvFile.keys(text));
        assertTrue(text.contains("ODOO_CONF='/srv/pr/odoo 3.conf'\n"), text);
        assertEquals("/srv/pr/odoo 3.conf", PrEnvFile.parse(text).get("ODOO_CONF"));
    }

    @Test
    void should_refuse_a_value_with_a_line_break_or_a_quote() {
        Map<String, String> v = new LinkedHashMap<>(values());
        v.put("ODOO_URL", "https://x\nPGPASSWORD=stolen");
        assertThrows(IllegalArgumentException.class, () -> PrEnvFile.render("h", v, null, List.of()));
    }

    @Test
    void should_select_the_environments_older_than_max_age() {
        Instant now = Instant.parse("2026-12-05T12:00:00Z");
        List<PrEnvironmentAges.Aged> envs = List.of(
                new PrEnvironmentAges.Aged(1, now.minus(Duration.ofDays(8)), "ready"),
                new PrEnvironmentAges.Aged(2, now.minus(Duration.ofDays(6)), "ready"),
                new PrEnvironmentAges.Aged(3, now.minus(Duration.ofDays(9)), "creating"));
        assertEquals(List.of(1, 3), PrEnvironmentAges.stale(envs, now, Duration.ofDays(7)));
    }

    @Test
    void should_say_an_age_as_an_operator_reads_it() {
        assertEquals("3d 4h", PrEnvironmentAges.text(Duration.ofHours(76)));
        assertEquals("2h 5m", PrEnvironmentAges.text(Duration.ofMinutes(125)));
        assertEquals("5m 3s", PrEnvironmentAges.text(Duration.ofSeconds(303)));
        assertEquals("40s", PrEnvironmentAges.text(Duration.ofSeconds(40)));
        assertEquals("0s", PrEnvironmentAges.text(Duration.ofSeconds(-5)));
    }
}
