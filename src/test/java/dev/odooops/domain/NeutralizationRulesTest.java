package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("fast")
class NeutralizationRulesTest {
    @Test
    void should_cover_the_ground_of_odoo_17_and_18_neutralize_sql_files() {
        NeutralizationRules rules = NeutralizationRules.defaults();
        Set<String> from = rules.rules().stream().map(NeutralizationRules.Rule::from).collect(Collectors.toSet());
        for (String module : List.of("base", "web", "website", "mail", "iap", "sms", "payment", "payment_stripe",
                "delivery", "google_calendar", "microsoft_calendar", "google_gmail", "microsoft_outlook")) {
            assertTrue(from.contains(module), "no rule from " + module);
        }
        Set<String> tables = rules.rules().stream().flatMap(r -> r.needs().keySet().stream()).collect(Collectors.toSet());
        for (String t : List.of("ir_cron", "ir_mail_server", "fetchmail_server", "ir_config_parameter", "res_users",
                "res_users_apikeys", "payment_provider", "mail_mail", "mail_template", "website", "iap_account",
                "delivery_carrier", "auth_oauth_provider")) {
            assertTrue(tables.contains(t), "no rule on " + t);
        }
        assertTrue(rules.removeParameters().contains("database.enterprise_code"));
        assertTrue(rules.secrets().stream().anyMatch(s -> s.toString().equals("ir_mail_server.smtp_pass")));
    }

    @Test
    void should_bind_named_parameters_and_leave_casts_and_literals_alone() {
        NeutralizationRules r = NeutralizationRules.parse("t", """
                rules:
                  - id: one
                    needs: {t: [a]}
                    sql: "UPDATE t SET a = :base_url::text, b = 'x:y :sink_host' WHERE c = :sink_port AND d = :base_url;"
                """, null);
        NeutralizationRules.Rule rule = r.rules().get(0);
        assertEquals(List.of("base_url", "sink_port", "base_url"), rule.parameters());
        assertEquals("UPDATE t SET a = ?::text, b = 'x:y :sink_host' WHERE c = ? AND d = ?", rule.jdbcSql());
        assertEquals("custom", rule.from());
    }

    @Test
    void should_refuse_unknown_parameters_keys_duplicates_and_several_statements_naming_the_field() {
        RequestRejected e = assertThrows(RequestRejected.class, () -> NeutralizationRules.parse("f.yaml",
                "rules: [{id: a, needs: {t: [a]}, sql: 'UPDATE t SET a = :password'}]", null));
        assertTrue(e.getMessage().contains("f.yaml: rules[0].sql") && e.getMessage().contains(":password"), e.getMessage());
        e = assertThrows(RequestRejected.class, () -> NeutralizationRules.parse("f.yaml",
                "rules: [{id: a, needs: {t: [a]}, sql: 'DELETE FROM t', when: x}]", null));
        assertTrue(e.getMessage().contains("rules[0].when: unknown key"), e.getMessage());
        e = assertThrows(RequestRejected.class, () -> NeutralizationRules.parse("f.yaml",
                "rules: [{id: a, needs: {t: [a]}, sql: 'DELETE FROM t'}, {id: a, needs: {t: [a]}, sql: 'DELETE FROM t'}]", null));
        assertTrue(e.getMessage().contains("rules[1].id"), e.getMessage());
        e = assertThrows(RequestRejected.class, () -> NeutralizationRules.parse("f.yaml",
                "rules: [{id: a, needs: {t: [a]}, sql: 'DELETE FROM t; DROP TABLE t'}]", null));
        assertTrue(e.getMessage().contains("one statement"), e.getMessage());
        e = assertThrows(RequestRejected.class, () -> NeutralizationRules.parse("f.yaml",
                "rules: [{id: a, needs: {}, sql: 'DELETE FROM t'}]", null));
        assertTrue(e.getMessage().contains("rules[0].needs"), e.getMessage());
        assertEquals("rules", e.field());
    }

    @Test
    void should_keep_the_built_in_lists_when_an_override_gives_only_rules() {
        NeutralizationRules r = NeutralizationRules.parse("o.yaml",
                "rules: [{id: nothing, needs: {ir_cron: [id]}, sql: 'SELECT 1'}]", NeutralizationRules.defaults());
        assertEquals(NeutralizationRules.defaults().secrets(), r.secrets());
        assertEquals(NeutralizationRules.defaults().removeParameters(), r.removeParameters());
        assertEquals(1, r.rules().size());
    }
}
