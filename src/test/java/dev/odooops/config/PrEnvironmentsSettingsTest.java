package dev.odooops.config;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pr_environments template of a project: its {pr} substitution, defaults and the errors naming the key's path. */
@Tag("fast")
class PrEnvironmentsSettingsTest {
    @TempDir
    Path dir;

    private static final String FILE = """
            store:
              type: local
              local: {path: store}
            users:
              - name: ops
                permissions: [{project: "*", actions: [pr-env]}]
            projects:
              - name: acme-shop
                environments:
                  - name: prod
                    type: production
                    database: {name: acme, user: odoo, password: "${env:DB_PW}"}
                    filestore: /var/lib/odoo/filestore/acme
                    odoo_conf: /etc/odoo/acme.conf
                pr_environments:
            %s
            """;

    private PrEnvironmentsSettings load(String block) throws Exception {
        Path f = dir.resolve("environments.yaml");
        Files.writeString(f, FILE.formatted(block.stripTrailing().indent(6).stripTrailing()));
        OpsConfig config = EnvironmentsLoader.load(f, null, Map.of("DB_PW", "pw", "PR_PW", "pr-pw")::get);
        return PrEnvironmentsSettings.of(config);
    }

    private String error(String block) {
        return assertThrows(ConfigException.class, () -> load(block)).getMessage();
    }

    private static final String VALID = """
            database: {user: odoo_pr, password: "${env:PR_PW}"}
            filestore: /srv/pr/filestore/acme_shop_pr_{pr}
            odoo_conf: /srv/pr/odoo-{pr}.conf
            env_dir: /srv/pr/env
            url: "https://pr-{pr}.acme.test"
            """;

    @Test
    void should_make_pr_n_from_the_template_with_the_default_database_name() throws Exception {
        PrEnvironmentsSettings.Template t = load(VALID).template("acme-shop").orElseThrow();
        EnvironmentConfig e = t.environment(12);
        assertEquals("acme-shop/pr-12", e.id());
        assertEquals("development", e.type());
        assertEquals("acme_shop_pr_12", e.database().name());
        assertEquals("odoo_pr", e.database().user());
        assertEquals("pr-pw", e.database().password().reveal());
        assertEquals(Path.of("/srv/pr/filestore/acme_shop_pr_12"), e.filestore());
        assertEquals(Path.of("/srv/pr/odoo-12.conf"), e.appConf());
        assertEquals(Path.of("/srv/pr/env/.env.pr-12"), t.envFile(12));
        assertEquals("https://pr-12.acme.test", t.url(12));
        assertEquals(Duration.ofDays(7), t.maxAge());
        assertEquals(PrEnvironmentsSettings.DEFAULT_EXPIRE_CRON, t.expireCron());
        assertEquals(OpsConfig.SCHEDULER, t.expireUser());
        assertEquals(List.of(), t.emptyCommand("x"));
    }

    @Test
    void should_substitute_database_in_the_empty_command_and_read_max_age() throws Exception {
        PrEnvironmentsSettings.Template t = load(VALID + """
                max_age: 36h
                expire_cron: "0 30 2 * * ?"
                empty_command: [odoo-bin, -d, "{database}", -i, base, --stop-after-init]
                """).template("acme-shop").orElseThrow();
        assertEquals(Duration.ofHours(36), t.maxAge());
        assertEquals("0 30 2 * * ?", t.expireCron());
        assertEquals(List.of("odoo-bin", "-d", "acme_shop_pr_3", "-i", "base", "--stop-after-init"), t.emptyCommand("acme_shop_pr_3"));
    }

    @Test
    void should_name_the_path_of_a_bad_key_at_start() {
        assertTrue(error(VALID + "max_age: soon\n").contains("projects[0].pr_environments.max_age: expected a duration"),
                error(VALID + "max_age: soon\n"));
        assertTrue(error(VALID + "expire_cron: nightly\n").contains("projects[0].pr_environments.expire_cron"));
        assertTrue(error(VALID + "empty_command: []\n").contains("projects[0].pr_environments.empty_command"));
        assertTrue(error(VALID + "expire_user: nobody\n").contains("projects[0].pr_environments.expire_user"));
        assertTrue(error(VALID + "name: pr\n").contains("projects[0].pr_environments.name"));
        assertTrue(error(VALID + "colour: red\n").contains("projects[0].pr_environments.colour: unknown key"),
                error(VALID + "colour: red\n"));
        String noEnvDir = error(VALID.replace("env_dir: /srv/pr/env\n", ""));
        assertTrue(noEnvDir.contains("projects[0].pr_environments.env_dir"), noEnvDir);
        // the filestore must be in Odoo's layout, named after the PR's database
        String layout = error(VALID.replace("filestore: /srv/pr/filestore/acme_shop_pr_{pr}", "filestore: /srv/pr/files/{pr}"));
        assertTrue(layout.contains("projects[0].pr_environments.filestore"), layout);
    }

    @Test
    void should_read_pr_numbers_only_from_pr_names() {
        assertEquals(12, PrEnvironmentsSettings.number("pr-12"));
        assertNull(PrEnvironmentsSettings.number("pr-0"));
        assertNull(PrEnvironmentsSettings.number("pr-012"));
        assertNull(PrEnvironmentsSettings.number("prod"));
        assertNull(PrEnvironmentsSettings.number("pr-1x"));
    }

    @Test
    void should_read_the_templates_own_neutralization_block_with_the_pr_number_substituted() throws Exception {
        PrEnvironmentsSettings s = load(VALID + """
                neutralization:
                  mail_sink: {host: sink.test, port: 1025}
                  base_url: "https://pr-{pr}.acme.test"
                """);
        NeutralizationSettings n = s.neutralization("acme-shop/pr-12", List.of(), Map.of()).orElseThrow();
        assertEquals("https://pr-12.acme.test", n.baseUrl());
        assertEquals("sink.test", n.sinkHost());
        assertTrue(s.neutralization("acme-shop/prod", List.of(), Map.of()).isEmpty(), "not a PR environment");
        assertTrue(s.neutralization("other/pr-12", List.of(), Map.of()).isEmpty(), "no pr_environments");
    }

    @Test
    void should_refuse_a_bad_key_of_the_templates_neutralization_block_at_start_naming_its_path() {
        String message = error(VALID + """
                neutralization:
                  base_url: not-a-url
                """);
        assertTrue(message.contains("pr_environments.neutralization.base_url"), message);
    }

    @Test
    void should_take_the_one_staging_environments_block_with_the_pr_url_when_the_template_has_none() throws Exception {
        Path f = dir.resolve("environments.yaml");
        String staging = """
                  - name: staging
                    type: staging
                    database: {name: acme_stg, user: odoo, password: "${env:DB_PW}"}
                    filestore: /var/lib/odoo/filestore/acme_stg
                    odoo_conf: /etc/odoo/acme_stg.conf
                    neutralization:
                      mail_sink: {host: sink.test, port: 1025}
                      base_url: https://staging.acme.test
            """;
        Files.writeString(f, FILE.replace("    pr_environments:\n", staging + "    pr_environments:\n")
                .formatted(VALID.stripTrailing().indent(6).stripTrailing()));
        OpsConfig config = EnvironmentsLoader.load(f, null, Map.of("DB_PW", "pw", "PR_PW", "pr-pw")::get);
        PrEnvironmentsSettings s = PrEnvironmentsSettings.of(config);
        NeutralizationSettings n = s.neutralization("acme-shop/pr-3", config.environments(), NeutralizationSettings.of(config))
                .orElseThrow();
        assertEquals("sink.test", n.sinkHost());
        assertEquals("https://pr-3.acme.test", n.baseUrl(), "the PR's own url, not staging's");
    }
}
