package dev.odooops.config;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The project key {@code anonymization: {rules: PATH}}: the defaults without it, the file with it, refusals at start. */
@Tag("fast")
class AnonymizationSettingsTest {
    @TempDir
    Path dir;

    private OpsConfig load(String anonymization) throws Exception {
        Path f = dir.resolve("environments.yaml");
        Files.writeString(f, """
                store: {type: local, local: {path: /tmp/odoo-ops-store}}
                users:
                  - name: ops
                    permissions: [{project: "*", actions: [backup, copy]}]
                projects:
                  - name: acme
                %s
                    environments:
                      - name: prod
                        type: production
                        database: {name: acme, user: odoo, password: "${env:DB_PW}"}
                        filestore: /var/lib/odoo/filestore/acme
                        odoo_conf: /etc/odoo/acme.conf
                """.formatted(anonymization.indent(4).stripTrailing()));
        Files.writeString(dir.resolve("secrets.properties"), "");
        return EnvironmentsLoader.load(f, dir.resolve("secrets.properties"), Map.of("DB_PW", "pw")::get);
    }

    @Test
    void should_use_the_defaults_without_the_key_and_the_file_with_it() throws Exception {
        assertEquals("defaults", AnonymizationSettings.of(load("")).of("acme").source());
        Files.createDirectories(dir.resolve("rules"));
        Files.writeString(dir.resolve("rules/acme.yaml"), "rules: []\n");
        AnonymizationSettings s = AnonymizationSettings.of(load("anonymization: {rules: rules/acme.yaml}"));
        assertEquals(dir.resolve("rules/acme.yaml").toString(), s.of("acme").source());
    }

    @Test
    void should_refuse_a_missing_rules_file_or_an_unknown_key_naming_its_path() throws Exception {
        OpsConfig withMissing = load("anonymization: {rules: nowhere.yaml}");
        String missing = assertThrows(ConfigException.class, () -> AnonymizationSettings.of(withMissing)).getMessage();
        assertTrue(missing.contains("anonymization.rules") && missing.contains("nowhere.yaml"), missing);
        OpsConfig withTypo = load("anonymization: {rule: x.yaml}");
        String unknown = assertThrows(ConfigException.class, () -> AnonymizationSettings.of(withTypo)).getMessage();
        assertTrue(unknown.contains("anonymization.rule"), unknown);
    }
}
