package dev.odooops.config;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import dev.odooops.domain.RetentionPolicy;

@Tag("fast")
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

    private static final String PREVIOUS = """
              s3: {bucket: b, endpoint: "http://127.0.0.1:9000", access_key_id: "${env:S3_KEY}", secret_access_key: "${secret:s3}"}
              previous:
                - name: old-disk
                  type: local
                  local: {path: /srv/old}
                - name: old-s3
                  type: s3
                  s3: {bucket: older, prefix: ops, endpoint: "http://127.0.0.1:9001", access_key_id: "${env:S3_KEY}", secret_access_key: "${secret:s3}"}
            """;

    @Test
    void should_load_previous_stores_each_with_its_own_name_and_place() throws Exception {
        StoreConfig store = load(VALID.replace(VALID.lines().filter(l -> l.contains("s3: {bucket: b")).findFirst().orElseThrow() + "\n",
                PREVIOUS)).store();
        assertEquals(StoreConfig.CURRENT, store.name());
        assertEquals(java.util.List.of("current", "old-disk", "old-s3"), store.all().stream().map(StoreConfig::name).toList());
        assertEquals(Path.of("/srv/old"), store.previous().get(0).localPath());
        assertEquals("http://127.0.0.1:9001", store.previous().get(1).s3().endpoint().toString());
        assertEquals("s3://older/ops/", store.previous().get(1).where());
    }

    @Test
    void should_refuse_a_previous_store_that_repeats_a_name_or_a_place() {
        String firstLine = VALID.lines().filter(l -> l.contains("s3: {bucket: b")).findFirst().orElseThrow() + "\n";
        assertTrue(error(VALID.replace(firstLine, PREVIOUS.replace("name: old-s3", "name: old-disk")))
                .contains("store.previous[1].name"));
        assertTrue(error(VALID.replace(firstLine, PREVIOUS.replace("bucket: older, prefix: ops", "bucket: b, prefix: odoo-ops")))
                .contains("store.previous[1]"));
        assertTrue(error(VALID.replace(firstLine, PREVIOUS.replace("type: local", "type: local\n                  prefix: x")))
                .contains("prefix"));
    }

    @Test
    void should_load_keep_within_and_the_pre_restore_policy_with_their_defaults() throws Exception {
        RetentionPolicy defaults = load(VALID).environment("acme", "prod").orElseThrow().retention();
        assertEquals(java.time.Duration.ofHours(24), defaults.keepWithin());
        assertEquals(3, defaults.preRestoreLast());
        assertEquals(java.time.Duration.ofDays(7), defaults.preRestoreKeepWithin());
        RetentionPolicy set = load(VALID.replace("retention: {daily: 14}",
                "retention: {daily: 14, keep_within: 36h, pre_restore: {last: 5, keep_within: 30d}}"))
                .environment("acme", "prod").orElseThrow().retention();
        assertEquals(new RetentionPolicy(14, 4, 3, java.time.Duration.ofHours(36), 5, java.time.Duration.ofDays(30)), set);
        assertEquals(java.time.Duration.ZERO, load(VALID.replace("retention: {daily: 14}", "retention: {keep_within: 0h}"))
                .environment("acme", "prod").orElseThrow().retention().keepWithin());
    }

    @Test
    void should_give_each_odoo_action_its_own_time_out() throws Exception {
        var control = load(VALID.replace("quiesce: {http: {url: \"http://127.0.0.1:8069/ops/quiesce\"}}",
                "quiesce: {http: {url: \"http://127.0.0.1:8069/ops/quiesce\"}}\n"
                        + "          start: {command: [systemctl, start, odoo], timeout_seconds: 300}\n"
                        + "          stop: {command: [systemctl, stop, odoo]}"))
                .environment("acme", "prod").orElseThrow().control();
        assertEquals(java.time.Duration.ofSeconds(300), control.start().timeout("start"));
        assertEquals(java.time.Duration.ofSeconds(120), control.stop().timeout("stop"), "a service stop gets 120 s by default");
        assertEquals(java.time.Duration.ofSeconds(30), control.quiesce().timeout("quiesce"), "a maintenance page 30 s");
        String msg = error(VALID.replace("quiesce: {http: {url: \"http://127.0.0.1:8069/ops/quiesce\"}}",
                "quiesce: {http: {url: \"http://127.0.0.1:8069/ops/quiesce\"}, timeout_seconds: 0}"));
        assertTrue(msg.contains("odoo.quiesce.timeout_seconds"), msg);
    }

    @Test
    void should_read_the_version_command_of_an_odoo_and_refuse_an_empty_one() throws Exception {
        String quiesce = "quiesce: {http: {url: \"http://127.0.0.1:8069/ops/quiesce\"}}";
        var control = load(VALID.replace(quiesce, quiesce + "\n          version_command: [/opt/odoo/odoo-bin, --version]"))
                .environment("acme", "prod").orElseThrow().control();
        assertEquals(java.util.List.of("/opt/odoo/odoo-bin", "--version"), control.versionCommand());
        assertEquals(java.util.List.of(), load(VALID).environment("acme", "prod").orElseThrow().control().versionCommand());
        String msg = error(VALID.replace(quiesce, quiesce + "\n          version_command: []"));
        assertTrue(msg.contains("odoo.version_command: expected a non-empty argument list"), msg);
    }

    @Test
    void should_name_the_key_of_a_bad_retention_window_or_count() {
        String msg = error(VALID.replace("retention: {daily: 14}", "retention: {keep_within: 1 day}"));
        assertTrue(msg.contains("projects[0].environments[0].retention.keep_within: expected a duration like 90m, 24h or 7d"), msg);
        msg = error(VALID.replace("retention: {daily: 14}", "retention: {pre_restore: {last: -1}}"));
        assertTrue(msg.contains("retention.pre_restore.last: expected a whole number from 0 to 1000, got '-1'"), msg);
        msg = error(VALID.replace("retention: {daily: 14}", "retention: {pre_restore: {keep: 3}}"));
        assertTrue(msg.contains("retention.pre_restore.keep: unknown key"), msg);
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

    private static final String FS = "projects[0].environments[0].filestore: expected ";

    @Test
    void should_refuse_the_root_directory_as_filestore() {
        String msg = error(VALID.replace("filestore: /var/lib/odoo/filestore/acme", "filestore: /"));
        assertTrue(msg.contains(FS + "a filestore directory, not '/', got '/'"), msg);
    }

    @Test
    void should_refuse_a_relative_filestore() {
        String msg = error(VALID.replace("filestore: /var/lib/odoo/filestore/acme", "filestore: filestore/acme"));
        assertTrue(msg.contains(FS + "an absolute path"), msg);
        assertTrue(msg.endsWith("got 'filestore/acme'"), msg);
    }

    @Test
    void should_refuse_a_filestore_path_that_is_not_normalised() {
        for (String bad : new String[]{"/var/lib/odoo/filestore/../filestore/acme", "/var/lib/odoo/./filestore/acme",
                "/var/lib/odoo//filestore/acme", "/srv/x/../../etc"}) {
            String msg = error(VALID.replace("filestore: /var/lib/odoo/filestore/acme", "filestore: " + bad));
            assertTrue(msg.contains(FS + "a normalised absolute path (no '..', '.' or '//' segment), got '" + bad + "'"), msg);
        }
    }

    @Test
    void should_refuse_system_directories_and_those_directly_below_them_even_with_a_custom_layout() {
        for (String bad : new String[]{"/etc", "/usr", "/var", "/home", "/tmp", "/lib64", "/data", "/etc/odoo", "/var/lib",
                "/home/odoo", "/tmp/acme", "/proc/1/root/filestore/acme", "/sys/fs/filestore/acme", "/dev/shm/filestore/acme"}) {
            String msg = error(VALID.replace("filestore: /var/lib/odoo/filestore/acme", "filestore: " + bad + "\n"
                    + "        filestore_layout: custom"));
            assertTrue(msg.contains(FS + "a filestore directory at least two levels below '/' and below a system directory"), msg);
            assertTrue(msg.endsWith("got '" + bad + "'"), msg);
        }
    }

    @Test
    void should_require_the_odoo_layout_named_after_the_database_by_default() {
        String msg = error(VALID.replace("filestore: /var/lib/odoo/filestore/acme", "filestore: /var/lib/odoo/filestore/other"));
        assertTrue(msg.contains(FS + "Odoo's layout <data_dir>/filestore/acme (Odoo finds a database's files by the database's name"), msg);
        assertTrue(msg.endsWith("got '/var/lib/odoo/filestore/other'"), msg);
        msg = error(VALID.replace("filestore: /var/lib/odoo/filestore/acme", "filestore: /srv/odoo/files/acme"));
        assertTrue(msg.contains(FS + "Odoo's layout"), msg);
    }

    @Test
    void should_accept_a_custom_filestore_layout_when_declared_and_a_trailing_slash() throws Exception {
        OpsConfig c = load(VALID.replace("filestore: /var/lib/odoo/filestore/acme",
                "filestore: /srv/volumes/acme-files/\n        filestore_layout: custom"));
        assertEquals(Path.of("/srv/volumes/acme-files"), c.environment("acme", "prod").orElseThrow().filestore());
        assertTrue(error(VALID.replace("filestore: /var/lib/odoo/filestore/acme", "filestore: /srv/a/acme\n"
                + "        filestore_layout: any")).contains("filestore_layout: expected one of odoo|custom, got 'any'"));
        assertEquals(Path.of("/var/lib/odoo/filestore/acme"), load(VALID.replace("filestore/acme", "filestore/acme/"))
                .environment("acme", "prod").orElseThrow().filestore());
    }

    @Test
    void should_refuse_a_store_prefix_or_local_path_that_climbs_out() {
        String msg = error(VALID.replace("bucket: b,", "bucket: b, prefix: backups/../other,"));
        assertTrue(msg.contains("store.s3.prefix: expected a key prefix of '/'-separated names (no '..', '.' or empty segment), got 'backups/../other'"), msg);
        assertTrue(error(VALID.replace("bucket: b,", "bucket: b, prefix: a//b,")).contains("store.s3.prefix: expected"));
        assertEquals("a/b", assertDoesNotThrow(() -> load(VALID.replace("bucket: b,", "bucket: b, prefix: /a/b/,"))).store().s3().prefix());
        String local = VALID.replaceFirst("(?s)store:.*?users:", "store: {type: local, local: {path: PATH}}\nusers:");
        msg = error(local.replace("PATH", "/srv/backups/../etc"));
        assertTrue(msg.contains("store.local.path: expected a normalised directory other than '/' (no '..', '.' or '//' segment), got '/srv/backups/../etc'"), msg);
        assertTrue(error(local.replace("PATH", "/")).contains("store.local.path: expected a normalised directory other than '/'"));
    }

    @Test
    void should_load_the_committed_example_file() {
        Path example = Path.of("config/environments.example.yaml");
        Map<String, String> env = Map.of("ODOO_OPS_S3_ACCESS_KEY", "k", "ACME_STAGING_DB_PASSWORD", "pw");
        Path secrets = dir.resolve("example-secrets.properties");
        try {
            Files.writeString(secrets, "s3_secret_access_key=s\nacme_prod_db_password=p\nci_api_token=" + "t".repeat(32)
                    + "\nci_jms_password=" + "j".repeat(32) + "\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        OpsConfig c = EnvironmentsLoader.load(example, secrets, env::get);
        assertEquals(2, c.environments().size());
        assertEquals("require", c.environment("acme", "production").orElseThrow().database().sslmode());
        assertEquals(java.util.List.of("systemctl", "stop", "odoo-acme"),
                c.environment("acme", "production").orElseThrow().control().stop().command());
        assertEquals(java.util.Set.of("ci"), c.apiTokens().keySet());
        assertEquals("j".repeat(32), c.jmsCredentials().get("ci").reveal());
    }

    private static final String SCHEDULED = VALID + """
                    schedules:
                      - {name: nightly, cron: "0 0 3 * * ?", time_zone: UTC USER}
            """;

    @Test
    void should_run_a_schedule_as_the_built_in_scheduler_with_backup_rights_only() throws Exception {
        OpsConfig c = load(SCHEDULED.replace(" USER", ""));
        assertEquals(OpsConfig.SCHEDULER, c.environment("acme", "prod").orElseThrow().schedules().get(0).user());
        assertTrue(c.allows(OpsConfig.SCHEDULER, "acme", "backup"));
        assertFalse(c.allows(OpsConfig.SCHEDULER, "acme", "restore"));
        assertFalse(c.jmsCredentials().containsKey(OpsConfig.SCHEDULER), "no channel but the schedules acts as it");
    }

    @Test
    void should_refuse_a_schedule_whose_user_lacks_the_backup_permission_naming_the_key() throws Exception {
        String yaml = SCHEDULED.replace(" USER", ", user: viewer").replace("users:\n", "users:\n  - name: viewer\n"
                + "    permissions: [{project: \"*\", actions: [restore, drill, copy, pr-env, evidence]}]\n");
        String msg = error(yaml);
        assertTrue(msg.contains("projects[0].environments[0].schedules[0].user: 'viewer' has no backup permission on project 'acme'"), msg);
        assertTrue(error(SCHEDULED.replace(" USER", ", user: nobody")).contains("schedules[0].user: no user 'nobody'"));
        assertEquals("ops", load(SCHEDULED.replace(" USER", ", user: ops")).environment("acme", "prod").orElseThrow()
                .schedules().get(0).user());
    }

    @Test
    void should_read_a_schedule_of_another_operation_with_its_request_and_refuse_backup_fields_in_it() throws Exception {
        Schedule s = load(SCHEDULED.replace(" USER", ", operation: snapshot, request: {sanitize: true}"))
                .environment("acme", "prod").orElseThrow().schedules().get(0);
        assertEquals("snapshot", s.operation());
        assertEquals(Map.of("sanitize", true), s.request());
        assertTrue(load(SCHEDULED.replace(" USER", "")).environment("acme", "prod").orElseThrow().schedules().get(0).isBackup());
        String msg = error(SCHEDULED.replace(" USER", ", operation: snapshot, type: full"));
        assertTrue(msg.contains("schedules[0].type") && msg.contains("its fields go in request"), msg);
        msg = error(SCHEDULED.replace(" USER", ", request: {sanitize: true}"));
        assertTrue(msg.contains("schedules[0].request") && msg.contains("no request in a backup schedule"), msg);
        msg = error(SCHEDULED.replace(" USER", ", operation: \"Drop table\""));
        assertTrue(msg.contains("schedules[0].operation"), msg);
    }

    @Test
    void should_refuse_a_short_or_literal_api_token_without_echoing_it() throws Exception {
        Path secrets = dir.resolve("token-secrets.properties");
        Files.writeString(secrets, "short=abc\n");
        Path file = dir.resolve("tokens.yaml");
        String base = "store: {type: local, local: {path: /var/tmp/odoo-ops-test-store}}\nusers:\n  - name: ci\n    api_token: %s\n"
                + "    permissions: []\nprojects: []\n";
        Files.writeString(file, base.formatted("\"${secret:short}\""));
        String msg = assertThrows(ConfigException.class, () -> EnvironmentsLoader.load(file, secrets, n -> null)).getMessage();
        assertTrue(msg.contains("users[0].api_token: expected a token of at least 24 characters"), msg);
        Files.writeString(file, base.formatted("literal-token-value-1234567890"));
        msg = assertThrows(ConfigException.class, () -> EnvironmentsLoader.load(file, secrets, n -> null)).getMessage();
        assertTrue(msg.contains("users[0].api_token: expected a secret reference"), msg);
        assertFalse(msg.contains("literal-token-value"), msg);
    }

    private static final String DOLIBARR = VALID
            .replace("type: production", "type: production\n        app: dolibarr")
            .replace("filestore: /var/lib/odoo/filestore/acme", "filestore: /var/lib/dolibarr/documents")
            .replace("odoo_conf: /etc/odoo/acme.conf", "dolibarr_conf: /var/www/dolibarr/htdocs/conf/conf.php")
            .replace("    odoo:\n", "    dolibarr:\n");

    @Test
    void should_load_a_dolibarr_environment_with_its_profile_defaults() throws Exception {
        EnvironmentConfig e = load(DOLIBARR).environment("acme", "prod").orElseThrow();
        assertEquals(dev.odooops.domain.AppProfile.DOLIBARR, e.app());
        assertEquals(Path.of("/var/www/dolibarr/htdocs/conf/conf.php"), e.appConf());
        assertTrue(e.volatileTables().contains("llx_events"), e.volatileTables().toString());
        assertFalse(e.volatileTables().contains("llx_const"), "Dolibarr's settings are not volatile");
        assertFalse(e.volatileTables().contains("bus_bus"), "Odoo's volatile tables are not Dolibarr's");
        assertEquals("POST", e.control().quiesce().httpMethod());
        // Odoo stays the default, with its own volatile tables
        EnvironmentConfig odoo = load(VALID).environment("acme", "prod").orElseThrow();
        assertEquals(dev.odooops.domain.AppProfile.ODOO, odoo.app());
        assertTrue(odoo.volatileTables().contains("bus_bus"));
    }

    @Test
    void should_name_the_key_that_belongs_to_the_other_application() {
        String msg = error(DOLIBARR.replace("dolibarr_conf:", "odoo_conf:"));
        assertTrue(msg.contains("projects[0].environments[0].odoo_conf: expected no odoo_conf in an environment of app dolibarr"
                + " (it has dolibarr_conf and dolibarr)"), msg);
        msg = error(VALID.replace("    odoo:\n", "    dolibarr:\n"));
        assertTrue(msg.contains("projects[0].environments[0].dolibarr: expected no dolibarr in an environment of app odoo"), msg);
        msg = error(VALID.replace("type: production", "type: production\n        app: erpnext"));
        assertTrue(msg.contains("projects[0].environments[0].app: expected one of odoo|dolibarr, got 'erpnext'"), msg);
        msg = error(DOLIBARR.replace("        dolibarr_conf: /var/www/dolibarr/htdocs/conf/conf.php\n", ""));
        assertTrue(msg.contains("projects[0].environments[0].dolibarr_conf: expected"), msg);
    }
}
