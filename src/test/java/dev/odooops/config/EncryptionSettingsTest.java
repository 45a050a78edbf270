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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code encryption} block: at the top and per project, recipients and identity validated, the identity never shown. */
@Tag("fast")
class EncryptionSettingsTest {
    /** Test keys (age-keygen), used nowhere else. */
    static final String R1 = "age1x39vg0z5nk4ly6awxkryka8fvqh7mkjn9wvkqmuz0ujzrm2z2p3spx54f8";
    static final String I1 = "AGE-SECRET-KEY-1ATWJ6PP4MA9QSR9MLSNMX0VTRMUV6LVWUM4PJT6RQ78CE0MER7HSQ66ZDA";
    static final String R2 = "age1d2rlp042gtmttcxnr4kxzhfzculnze7dlrdrltg7wcjw8mnlgacss0zlny";
    static final String I2 = "AGE-SECRET-KEY-1FL60MJPF86NGFW7UE0YG4KF9J77NZKCCWG345DAMW0DQ66462Y9Q8KRX6Z";

    @TempDir
    Path dir;

    private OpsConfig load(String top, String acme, String secrets) throws Exception {
        Path f = dir.resolve("environments.yaml");
        Files.writeString(f, """
                store: {type: local, local: {path: /tmp/odoo-ops-store}}
                %s
                users:
                  - name: ops
                    permissions: [{project: "*", actions: [backup]}]
                projects:
                  - name: acme
                %s
                    environments:
                      - name: prod
                        type: production
                        database: {name: acme, user: odoo}
                        filestore: /var/lib/odoo/filestore/acme
                        odoo_conf: /etc/odoo/acme.conf
                  - name: other
                    environments:
                      - name: prod
                        type: production
                        database: {name: other, user: odoo}
                        filestore: /var/lib/odoo/filestore/other
                        odoo_conf: /etc/odoo/other.conf
                """.formatted(top, acme.indent(4).stripTrailing()));
        Files.writeString(dir.resolve("secrets.properties"), secrets);
        return EnvironmentsLoader.load(f, dir.resolve("secrets.properties"), Map.<String, String>of()::get);
    }

    private static String message(Runnable r) {
        return assertThrows(ConfigException.class, r::run).getMessage();
    }

    @Test
    void should_leave_every_project_in_plain_text_without_the_key() throws Exception {
        EncryptionSettings s = EncryptionSettings.of(load("", "", ""));
        assertTrue(s.of("acme").isEmpty());
        assertTrue(s.secrets().isEmpty());
    }

    @Test
    void should_read_the_top_block_and_let_a_project_override_it_key_by_key() throws Exception {
        EncryptionSettings s = EncryptionSettings.of(load("encryption: {recipients: [" + R1 + "], identity: \"${secret:AGE_KEY}\"}",
                "encryption: {recipients: [" + R1 + ", " + R2 + "]}", "AGE_KEY=" + I1 + "\n"));
        assertEquals(List.of(R1), s.of("other").orElseThrow().recipients());
        assertEquals(List.of(R1, R2), s.of("acme").orElseThrow().recipients());
        assertEquals(I1, s.of("acme").orElseThrow().identity().reveal()); // inherited
        assertNotEquals(s.of("acme").orElseThrow().generation(), s.of("other").orElseThrow().generation());
        assertTrue(s.secrets().contains(I1));
        assertFalse(s.of("acme").orElseThrow().toString().contains(I1));
    }

    @Test
    void should_name_a_generation_by_the_set_of_recipients_whatever_their_order() {
        assertEquals(EncryptionSettings.generationOf(List.of(R1, R2)), EncryptionSettings.generationOf(List.of(R2, R1)));
        assertEquals(16, EncryptionSettings.generationOf(List.of(R1)).length());
        assertNotEquals(EncryptionSettings.generationOf(List.of(R1)), EncryptionSettings.generationOf(List.of(R1, R2)));
    }

    @Test
    void should_encrypt_only_the_project_with_a_block_and_read_only_with_an_identity() throws Exception {
        EncryptionSettings s = EncryptionSettings.of(load("", "encryption: {recipients: [" + R2 + "]}", ""));
        assertTrue(s.of("other").isEmpty());
        assertFalse(s.of("acme").orElseThrow().canRead()); // a host that backs up but cannot read
    }

    @Test
    void should_refuse_a_bad_recipient_naming_its_place() {
        String bad = R2.substring(0, 61) + (R2.endsWith("y") ? "q" : "y"); // checksum broken
        String m = message(() -> {
            try {
                EncryptionSettings.of(load("encryption: {recipients: [" + R1 + ", " + bad + "]}", "", ""));
            } catch (Exception e) {
                throw e instanceof RuntimeException r ? r : new RuntimeException(e);
            }
        });
        assertTrue(m.contains("encryption.recipients[1]") && m.contains("age1"), m);
        String upper = message(() -> run(() -> EncryptionSettings.of(load("", "encryption: {recipients: [ssh-ed25519 AAAA]}", ""))));
        assertTrue(upper.contains("projects[0].encryption.recipients[0]"), upper);
        String none = message(() -> run(() -> EncryptionSettings.of(load("", "encryption: {identity: \"${secret:K}\"}", "K=" + I1))));
        assertTrue(none.contains("projects[0].encryption.recipients") && none.contains("missing"), none);
        String typo = message(() -> run(() -> EncryptionSettings.of(load("encryption: {recipient: [" + R1 + "]}", "", ""))));
        assertTrue(typo.contains("encryption.recipient") && typo.contains("unknown key"), typo);
    }

    @Test
    void should_refuse_a_literal_or_malformed_identity_without_showing_it() throws Exception {
        String literal = message(() -> run(() -> EncryptionSettings.of(load("encryption: {recipients: [" + R1 + "], identity: " + I1 + "}", "", ""))));
        assertTrue(literal.contains("encryption.identity") && !literal.contains(I1), literal);
        String broken = I2.substring(0, 70) + "QQQQ";
        String malformed = message(() -> run(() -> EncryptionSettings.of(load("encryption: {recipients: [" + R1
                + "], identity: \"${secret:K}\"}", "", "K=" + broken + "\n"))));
        assertTrue(malformed.contains("encryption.identity") && malformed.contains("line 1") && !malformed.contains(broken), malformed);
        EncryptionSettings two = EncryptionSettings.of(load("encryption: {recipients: [" + R1 + "], identity: \"${secret:K}\"}", "",
                "K=# created: today\\n" + I1 + "\\n" + I2 + "\\n"));
        assertEquals(List.of("# created: today", I1, I2).subList(1, 3),
                EncryptionSettings.identities(two.of("acme").orElseThrow().identity().reveal()));
    }

    private interface Loading {
        void run() throws Exception;
    }

    private static void run(Loading l) {
        try {
            l.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
