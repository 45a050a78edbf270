package dev.odooops.app;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.OpsConfig;
import dev.odooops.domain.RequestRejected;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Tag("fast")
class EnvironmentLookupTest {
    private static EnvironmentConfig env(String project, String name) {
        return new EnvironmentConfig(project, name, "staging", null, null, null, List.of(), null, null);
    }

    private static final OpsConfig CONFIG = new OpsConfig("environments.yaml", null, Map.of(),
            List.of(env("acc", "odoo17"), env("acc", "prod"), env("beta", "prod")));

    private static String id(String project, String envOption) {
        return EnvironmentLookup.resolve(CONFIG, project, envOption).id();
    }

    private static String rejected(String project, String envOption) {
        return assertThrows(RequestRejected.class, () -> EnvironmentLookup.resolve(CONFIG, project, envOption)).getMessage();
    }

    @Test
    void should_accept_every_consistent_form() {
        assertEquals("acc/odoo17", id(null, "odoo17"));
        assertEquals("acc/odoo17", id(null, "acc/odoo17"));
        assertEquals("acc/odoo17", id("acc", "odoo17"));
        assertEquals("acc/odoo17", id("acc", "acc/odoo17"));
        assertEquals("beta/prod", id("beta", "prod"));
        assertEquals("beta/prod", id(null, "beta/prod"));
    }

    @Test
    void should_reject_a_project_that_contradicts_the_env_naming_both_fields() {
        assertEquals("project: --project 'beta' does not match the project of --env 'acc/odoo17'; give the same project "
                + "in both, or only --env P/E", rejected("beta", "acc/odoo17"));
    }

    @Test
    void should_reject_an_ambiguous_environment_name_saying_how_to_choose() {
        assertEquals("env: 'prod' exists in several projects (acc, beta): add --project P or write --env P/prod",
                rejected(null, "prod"));
    }

    @Test
    void should_reject_unknown_and_malformed_names_naming_the_field() {
        assertEquals("env: is required: E or P/E (project/environment)", rejected("acc", null));
        assertEquals("project: unknown project 'nope' (not in environments.yaml)", rejected(null, "nope/prod"));
        assertEquals("project: unknown project 'nope' (not in environments.yaml)", rejected("nope", "prod"));
        assertEquals("env: project 'acc' has no environment 'staging'", rejected(null, "acc/staging"));
        assertEquals("env: no project has an environment 'staging' (not in environments.yaml)", rejected(null, "staging"));
        for (String bad : List.of("acc/", "/prod", "acc/prod/x", "/")) {
            assertEquals("env: expected E or P/E (project/environment), got '" + bad + "'", rejected(null, bad));
        }
        assertEquals("project: --project is empty", rejected(" ", "prod"));
    }
}
