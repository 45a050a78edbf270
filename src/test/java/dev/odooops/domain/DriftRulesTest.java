package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("fast")
class DriftRulesTest {
    private static final Map<String, String> MODULES = Map.of("base", "17.0.1.3", "sale", "17.0.1.2");

    private static DriftRules.EnvironmentState prod(Map<String, String> modules, List<String> paths, Map<String, String> commits) {
        return new DriftRules.EnvironmentState("p/prod", "production", "17.0", paths, commits, modules, true, false, null, null);
    }

    private static DriftRules.EnvironmentState staging(String series, Map<String, String> modules, List<String> paths,
                                                       Map<String, String> commits, List<String> problems) {
        return new DriftRules.EnvironmentState("p/staging", "staging", series, paths, commits, modules, null, null, problems, null);
    }

    @Test
    void should_pass_when_staging_runs_what_production_runs_and_is_neutralised() {
        var out = DriftRules.judge(List.of(prod(MODULES, List.of("/a/enterprise", "/a/custom"), Map.of()),
                staging("17.0", MODULES, List.of("/b/enterprise/", "/b/custom"), Map.of(), List.of())));
        assertTrue(out.ok(), out.divergences().toString());
        assertEquals("p/prod", out.reference());
    }

    @Test
    void should_fail_on_a_missing_module_and_only_note_a_newer_version_or_an_extra_module() {
        var out = DriftRules.judge(List.of(prod(MODULES, List.of(), Map.of()),
                staging("17.0", Map.of("base", "17.0.1.4", "website", "17.0.1.0"), List.of(), Map.of(), List.of())));
        assertEquals(List.of("p/staging: module sale is installed in p/prod (17.0.1.2) but not here"), out.divergences());
        assertTrue(out.notes().contains("p/staging: module base 17.0.1.4, p/prod has 17.0.1.3"), out.notes().toString());
        assertTrue(out.notes().contains("p/staging: module website is installed here only (not in p/prod)"), out.notes().toString());
    }

    @Test
    void should_fail_on_another_order_of_the_common_addons_paths_and_note_an_extra_path_and_another_commit() {
        var out = DriftRules.judge(List.of(prod(MODULES, List.of("/a/enterprise", "/a/custom"), Map.of("/a/custom", "abc")),
                staging("17.0", MODULES, List.of("/b/custom", "/b/next", "/b/enterprise"), Map.of("/b/custom", "def"), List.of())));
        assertEquals(1, out.divergences().size(), out.divergences().toString());
        assertTrue(out.divergences().get(0).startsWith("p/staging: addons path order custom, enterprise differs from p/prod's "
                + "enterprise, custom"));
        assertTrue(out.notes().contains("p/staging: addons path next is not in p/prod"), out.notes().toString());
        assertTrue(out.notes().contains("p/staging: addons custom at commit def, p/prod at abc"), out.notes().toString());
    }

    @Test
    void should_fail_on_another_series_a_production_without_mail_server_and_a_copy_not_neutralised() {
        var production = new DriftRules.EnvironmentState("p/prod", "production", "17.0", List.of(), Map.of(), MODULES, false,
                true, null, null);
        var out = DriftRules.judge(List.of(production,
                staging("18.0", MODULES, List.of(), Map.of(), List.of("an active cron not allowed: Mail: Email Queue Manager"))));
        assertEquals(List.of(
                "p/prod: production has no active outgoing mail server (ir_mail_server): its mails are not sent",
                "p/prod: production is marked neutralised (ir_config_parameter database.is_neutralized): a copy was put in "
                        + "its place, or it was neutralised by mistake",
                "p/staging: not neutralised: an active cron not allowed: Mail: Email Queue Manager",
                "p/staging: Odoo series 18.0, p/prod runs 17.0"), out.divergences());
    }

    @Test
    void should_fail_on_an_unreadable_environment_and_compare_with_the_first_one_without_production() {
        var dev = new DriftRules.EnvironmentState("p/dev", "development", "17.0", List.of(), Map.of(), MODULES, null, null,
                List.of(), null);
        var broken = new DriftRules.EnvironmentState("p/staging", "staging", null, List.of(), Map.of(), Map.of(), null, null,
                null, "connection refused");
        var out = DriftRules.judge(List.of(broken, dev));
        assertEquals(List.of("p/staging: could not be read: connection refused"), out.divergences());
        assertEquals("p/dev", out.reference());
        assertTrue(out.notes().get(0).startsWith("no readable production environment"));
    }
}
