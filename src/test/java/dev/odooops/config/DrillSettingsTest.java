package dev.odooops.config;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code drills} block: at the top and per environment, key by key, each error naming the key. */
@Tag("fast")
class DrillSettingsTest {
    @TempDir
    Path dir;

    private OpsConfig load(String top, String prod) throws Exception {
        Path f = dir.resolve("environments.yaml");
        Files.writeString(f, """
                store: {type: local, local: {path: /tmp/odoo-ops-store}}
                %s
                users:
                  - name: ops
                    permissions: [{project: "*", actions: [backup]}]
                projects:
                  - name: acme
                    environments:
                      - name: prod
                        type: production
                        database: {name: acme, user: odoo}
                        filestore: /var/lib/odoo/filestore/acme
                        odoo_conf: /etc/odoo/acme.conf
                %s
                      - name: staging
                        type: staging
                        database: {name: acme_st, user: odoo}
                        filestore: /var/lib/odoo/filestore/acme_st
                        odoo_conf: /etc/odoo/acme_st.conf
                """.formatted(top, prod.indent(8).stripTrailing()));
        Files.writeString(dir.resolve("secrets.properties"), "drill_pw=S3cret-drill\n");
        return EnvironmentsLoader.load(f, dir.resolve("secrets.properties"), Map.<String, String>of()::get);
    }

    private static EnvironmentConfig env(OpsConfig c, String name) {
        return c.environment("acme", name).orElseThrow();
    }

    @Test
    void noBlockMeansTheEnvironmentsOwnServerAndNoCommand() throws Exception {
        OpsConfig c = load("", "");
        DrillSettings.Drill d = DrillSettings.of(c).forEnvironment(env(c, "prod"));
        assertTrue(d.onOwnServer());
        assertFalse(d.startsOdoo());
        assertFalse(d.afterBackup());
        assertEquals(env(c, "prod").database(), d.server(env(c, "prod")));
        assertEquals(List.of(), DrillSettings.of(c).afterBackup());
    }

    @Test
    void theEnvironmentsBlockOverridesTheTopOneKeyByKey() throws Exception {
        OpsConfig c = load("""
                drills:
                  database: {host: 127.0.0.1, port: 5433, user: drill, password: "${secret:drill_pw}"}
                  after_backup: true
                """, """
                drills:
                  command: [odoo-bin, -d, "{database}", --data-dir, "{data_dir}", --stop-after-init]
                  standby: true
                """);
        DrillSettings s = DrillSettings.of(c);
        DrillSettings.Drill prod = s.forEnvironment(env(c, "prod"));
        assertEquals(5433, prod.database().port());
        assertEquals("postgres", prod.database().name());
        assertTrue(prod.afterBackup());
        assertTrue(prod.standby());
        assertTrue(prod.startsOdoo());
        // a standby is kept on the environment's own server
        assertEquals(5432, prod.server(env(c, "prod")).port());
        DrillSettings.Drill staging = s.forEnvironment(env(c, "staging"));
        assertEquals(5433, staging.server(env(c, "staging")).port());
        assertFalse(staging.standby());
        assertEquals(List.of("acme/prod", "acme/staging"), s.afterBackup());
        assertEquals(List.of("S3cret-drill", "S3cret-drill"), s.secrets());
        assertFalse(prod.toString().contains("S3cret"));
        assertEquals(List.of("odoo-bin", "-d", "x", "--data-dir", "/d", "--stop-after-init"),
                DrillSettings.expand(prod.command(), Map.of("{database}", "x", "{data_dir}", "/d")));
    }

    @Test
    void errorsNameTheKey() {
        assertTrue(assertThrows(ConfigException.class, () -> DrillSettings.of(load("drills: {after_backup: yes please}", "")))
                .getMessage().contains("drills.after_backup"));
        assertTrue(assertThrows(ConfigException.class, () -> DrillSettings.of(load("", "drills: {command: [odoo-bin, '{nope}']}")))
                .getMessage().contains("command[1]"));
        assertTrue(assertThrows(ConfigException.class, () -> DrillSettings.of(load("", "drills: {health_url: 'http://x/web/health'}")))
                .getMessage().contains("health_url"));
        assertTrue(assertThrows(ConfigException.class, () -> DrillSettings.of(load("drills: {database: {port: 99999, user: u}}", "")))
                .getMessage().contains("drills.database.port"));
        assertTrue(assertThrows(ConfigException.class, () -> DrillSettings.of(load("drills: {work_dir: relative}", "")))
                .getMessage().contains("drills.work_dir"));
        assertTrue(assertThrows(ConfigException.class, () -> DrillSettings.of(load("drills: {standbye: true}", "")))
                .getMessage().contains("standbye"));
    }
}
