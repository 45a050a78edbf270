package dev.odooops.config;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("fast")
class NeutralizationSettingsTest {
    @TempDir
    Path dir;

    private OpsConfig load(String neutralization, java.util.function.Function<String, String> env) throws Exception {
        Path file = dir.resolve("environments.yaml");
        Files.writeString(file, """
                store: {type: local, local: {path: /srv/backups}}
                users: [{name: ops, permissions: [{project: "*", actions: [copy]}]}]
                projects:
                  - name: acme
                    environments:
                      - name: staging
                        type: staging
                        database: {host: 127.0.0.1, name: acme_staging, user: odoo}
                        filestore: /var/lib/odoo/filestore/acme_staging
                        odoo_conf: /etc/odoo/staging.conf
                        neutralization:
                """ + neutralization.indent(10));
        return EnvironmentsLoader.load(file, dir.resolve("none.properties"), env);
    }

    @Test
    void should_read_every_key_and_default_the_cron_allow_list() throws Exception {
        Files.writeString(dir.resolve("rules.yaml"), "rules: []\n");
        OpsConfig c = load("""
                mail_sink: {host: mailpit.internal, port: 1025}
                base_url: https://staging.acme.example
                catchall_domain: staging.acme.example
                default_from: odoo@staging.acme.example
                admin_password: "${env:ADMIN_PW}"
                config_parameters: [acme.api_key]
                rules: rules.yaml
                odoo_bin: [/opt/odoo/odoo-bin]
                """, Map.of("ADMIN_PW", "pw")::get);
        NeutralizationSettings s = NeutralizationSettings.of(c).get("acme/staging");
        assertEquals("mailpit.internal", s.sinkHost());
        assertEquals(1025, s.sinkPort());
        assertEquals("pw", s.adminPassword().reveal());
        assertEquals(List.of("base.autovacuum_job"), s.cronAllow());
        assertEquals(dir.resolve("rules.yaml"), s.rules());
        assertEquals(List.of("/opt/odoo/odoo-bin"), s.odooBin());
        assertTrue(!s.toString().contains("pw,") && !s.toString().contains("=pw"), "the secret never prints");
    }

    @Test
    void should_refuse_a_bad_key_naming_its_path() throws Exception {
        String msg = assertThrows(ConfigException.class, () -> NeutralizationSettings.of(load("mail_sinc: {host: x}\n",
                Map.<String, String>of()::get))).getMessage();
        assertTrue(msg.contains("projects[0].environments[0].neutralization.mail_sinc: unknown key"), msg);
        msg = assertThrows(ConfigException.class, () -> NeutralizationSettings.of(load("admin_password: plain-text\n",
                Map.<String, String>of()::get))).getMessage();
        assertTrue(msg.contains("neutralization.admin_password") && !msg.contains("plain-text"), msg);
        msg = assertThrows(ConfigException.class, () -> NeutralizationSettings.of(load("mail_sink: {host: x, port: 0}\n",
                Map.<String, String>of()::get))).getMessage();
        assertTrue(msg.contains("neutralization.mail_sink.port"), msg);
        msg = assertThrows(ConfigException.class, () -> NeutralizationSettings.of(load("base_url: staging\n",
                Map.<String, String>of()::get))).getMessage();
        assertTrue(msg.contains("neutralization.base_url"), msg);
    }

    @Test
    void should_give_defaults_to_an_environment_without_the_block() throws Exception {
        Path file = dir.resolve("plain.yaml");
        Files.writeString(file, """
                store: {type: local, local: {path: /srv/backups}}
                users: [{name: ops, permissions: [{project: "*", actions: [copy]}]}]
                projects:
                  - name: acme
                    environments:
                      - {name: staging, type: staging, database: {name: s, user: odoo}, filestore: /var/lib/odoo/filestore/s, odoo_conf: /etc/o.conf}
                """);
        OpsConfig c = EnvironmentsLoader.load(file, dir.resolve("none.properties"), k -> null);
        assertEquals(NeutralizationSettings.defaults(), NeutralizationSettings.of(c).get("acme/staging"));
    }

    @Test
    void should_refuse_at_start_a_rules_file_with_an_unknown_parameter_and_a_block_that_is_not_a_mapping() throws Exception {
        Files.writeString(dir.resolve("bad-rules.yaml"), "rules: [{id: a, needs: {t: [a]}, sql: 'UPDATE t SET a = :nope'}]\n");
        OpsConfig c = load("rules: bad-rules.yaml\n", k -> null);
        String msg = assertThrows(ConfigException.class, () -> new dev.odooops.odoo.NeutralizationCheck(
                NeutralizationSettings.of(c))).getMessage();
        assertTrue(msg.contains("acme/staging: neutralization.rules") && msg.contains("bad-rules.yaml: rules[0].sql")
                && msg.contains(":nope"), msg);
        msg = assertThrows(ConfigException.class, () -> NeutralizationSettings.of(load("yes\n", k -> null))).getMessage();
        assertTrue(msg.contains("neutralization: expected a mapping"), msg);
    }
}
