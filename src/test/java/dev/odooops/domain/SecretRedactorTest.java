package dev.odooops.domain;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretRedactorTest {
    @Test
    void should_treat_keys_naming_a_password_secret_token_or_key_as_secret() {
        for (String k : List.of("admin_passwd", "db_password", "smtp_password", "api_key", "secret", "database.secret",
                "access_token", "KEY", "stripe_secret_key", "private_key_file", "aws_secret_access_key")) {
            assertTrue(SecretRedactor.isSecretKey(k), k);
        }
        for (String k : List.of("db_user", "db_host", "addons_path", "workers", "keyboard_layout", "monkey", "db_name")) {
            assertFalse(SecretRedactor.isSecretKey(k), k);
        }
    }

    @Test
    void should_redact_nested_maps_and_scrub_known_values_from_text() {
        SecretRedactor r = new SecretRedactor(List.of("hunter22"));
        Map<String, Object> out = r.redactMap(Map.of("db", Map.of("password", "hunter22", "user", "odoo"),
                "note", "login failed for hunter22"));
        assertEquals("[REDACTED]", ((Map<?, ?>) out.get("db")).get("password"));
        assertEquals("odoo", ((Map<?, ?>) out.get("db")).get("user"));
        assertEquals("login failed for [REDACTED]", out.get("note"));
    }

    @Test
    void should_scrub_passwords_inside_urls() {
        SecretRedactor r = new SecretRedactor(List.of());
        assertEquals("postgres://odoo:[REDACTED]@db:5432/acme and https://[REDACTED]@x? no: https://u:[REDACTED]@x/p",
                r.scrub("postgres://odoo:s3cr3t@db:5432/acme and https://[REDACTED]@x? no: https://u:p%40ss@x/p"));
        assertEquals("http://host:8069/web/health", r.scrub("http://host:8069/web/health"));
    }
}
