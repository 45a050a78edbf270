package dev.odooops.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnvironmentsLoaderTest {
    @TempDir
    Path dir;

    private static final String VALID = """
            store:
              type: s3
              s3: {bucket: b, endpoint: "http://127.0.0.1:9000", access_key_id: "${env:S3_KEY}", secret_access_key: "${secret:s3}"}
            users:
              - name: ops
                permissions: [{project: "*", actions: [backup]}]
            projects:
              - name: acme
                environments:
                  - name: prod
                    type: production
                    database: {name: acme, user: odoo, password: "${env:DB_PW}"}
                    filestore: /var/lib/odoo/filestore/acme
                    odoo_conf: /etc/odoo/acme.conf
                    retention: {daily: 14}
                    odoo:
                      quiesce: {http: {url: "http://127.0.0.1:8069/ops/quiesce"}}
                      health_url: http://127.0.0.1:8069/web/health
            """;

    private OpsConfig load(String yaml) throws Exception {
        Path f = dir.resolve("environments.yaml");
        Files.writeString(f, yaml);
        Files.writeString(dir.resolve("secrets.properties"), "s3=from-file\n");
        Map<String, String> env = Map.of("S3_KEY", "key", "DB_PW", "pw");
        return EnvironmentsLoader.load(f, dir.resolve("secrets.properties"), env::get);
    }

    private String error(String yaml) {
        return assertThrows(ConfigException.class, () -> load(yaml)).getMessage();
    }

    @Test
    void should_load_a_valid_file_with_defaults_and_resolved_secrets() throws Exception {
        OpsConfig c = load(VALID);
        EnvironmentConfig e = c.environment("acme", "prod").orElseThrow();
        assertEquals("acme/prod", e.id());
        assertEquals(new RetentionPolicy(14, 4, 3), e.retention());
        assertEquals("pw", e.database().password().reveal());
        assertEquals("[REDACTED]", e.database().password().toString());
        assertEquals(5432, e.database().port());
        assertEquals("from-file", c.store().s3().secretAccessKey().reveal());
        assertEquals("odoo-ops", c.store().s3().prefix());
        assertEquals("POST", e.control().quiesce().httpMethod());
    }

    @Test
    void should_name_file_key_and_expected_value_on_a_bad_type() {
        String msg = error(VALID.replace("type: production", "type: prod"));
        assertTrue(msg.contains("environments.yaml: projects[0].environments[0].type: expected one of development|staging|production, got 'prod'"), msg);
    }

    @Test
    void should_reject_a_literal_secret_without_echoing_it() {
        String msg = error(VALID.replace("\"${env:DB_PW}\"", "Sup3rSecret"));
        assertTrue(msg.contains("projects[0].environments[0].database.password: expected a secret reference"), msg);
        assertFalse(msg.contains("Sup3rSecret"), msg);
    }

    @Test
    void should_say_which_secret_reference_is_unset() {
        String msg = error(VALID.replace("${env:DB_PW}", "${env:NOT_SET}"));
        assertTrue(msg.contains("database.password: ${env:NOT_SET} is not set in the environment"), msg);
    }

    @Test
    void should_reject_bad_numbers_urls_actions_and_missing_keys() {
        assertTrue(error(VALID.replace("daily: 14", "daily: -1")).contains("retention.daily: expected a whole number from 0 to 3650, got '-1'"));
        assertTrue(error(VALID.replace("http://127.0.0.1:8069/web/health", "not a url")).contains("odoo.health_url: expected an http(s) URL"));
        assertTrue(error(VALID.replace("actions: [backup]", "actions: [delete]")).contains("users[0].permissions[0].actions: expected actions from"));
        assertTrue(error(VALID.replace("filestore: /var", "filestore_path: /var")).contains("projects[0].environments[0].filestore_path: unknown key"));
        assertTrue(error(VALID.replace("name: acme, user: odoo", "user: odoo")).contains("projects[0].environments[0].database.name: expected a non-empty string (missing)"));
        assertTrue(error(VALID.replace("type: s3", "type: ftp")).contains("store.type: expected one of s3|local, got 'ftp'"));
    }

    @Test
    void should_load_the_committed_example_file() {
        Path example = Path.of("config/environments.example.yaml");
        Map<String, String> env = Map.of("ODOO_OPS_S3_ACCESS_KEY", "k", "ACME_STAGING_DB_PASSWORD", "pw");
        Path secrets = dir.resolve("example-secrets.properties");
        try {
            Files.writeString(secrets, "s3_secret_access_key=s\nacme_prod_db_password=p\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        OpsConfig c = EnvironmentsLoader.load(example, secrets, env::get);
        assertEquals(2, c.environments().size());
        assertEquals("require", c.environment("acme", "production").orElseThrow().database().sslmode());
        assertEquals(java.util.List.of("systemctl", "stop", "odoo-acme"),
                c.environment("acme", "production").orElseThrow().control().stop().command());
    }
}
