package dev.odooops.config;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The environment key {@code filestore_owner} (issue #6 item 14). */
@Tag("fast")
class FilestoreOwnerConfigTest {
    @TempDir
    Path dir;

    private static final String YAML = """
            store: {type: local, local: {path: /var/backups/odoo}}
            users: [{name: ops, permissions: [{project: "*", actions: [restore]}]}]
            projects:
              - name: acme
                environments:
                  - name: prod
                    type: production
                    database: {name: acme, user: odoo}
                    filestore: /var/lib/odoo/filestore/acme
                    odoo_conf: /etc/odoo/acme.conf
            %s""";

    private EnvironmentConfig load(String ownerLine) throws Exception {
        Path f = dir.resolve("environments.yaml");
        Files.writeString(f, YAML.formatted(ownerLine));
        return EnvironmentsLoader.load(f, null, Map.<String, String>of()::get).environment("acme", "prod").orElseThrow();
    }

    @Test
    void should_read_filestore_owner_and_default_to_none() throws Exception {
        assertNull(load("").filestoreOwner());
        assertEquals("odoo", load("        filestore_owner: odoo\n").filestoreOwner());
        assertEquals("odoo:www-data", load("        filestore_owner: \"odoo:www-data\"\n").filestoreOwner());
        assertEquals("1000:1000", load("        filestore_owner: \"1000:1000\"\n").filestoreOwner());
    }

    @Test
    void should_refuse_a_malformed_filestore_owner_naming_the_key() {
        String msg = assertThrows(ConfigException.class, () -> load("        filestore_owner: \"odoo:odoo:x\"\n")).getMessage();
        assertTrue(msg.contains("projects[0].environments[0].filestore_owner: expected user or user:group"), msg);
        msg = assertThrows(ConfigException.class, () -> load("        filestore_owner: \"../root\"\n")).getMessage();
        assertTrue(msg.contains("filestore_owner"), msg);
    }
}
