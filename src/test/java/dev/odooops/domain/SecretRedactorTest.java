package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("fast")
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
    void should_redact_the_whole_user_info_of_every_url() {
        SecretRedactor r = new SecretRedactor(List.of());
        assertEquals("postgres://[REDACTED]@db:5432/acme and https://[REDACTED]@x? no: https://[REDACTED]@x/p",
                r.scrub("postgres://odoo:s3cr3t@db:5432/acme and https://[REDACTED]@x? no: https://u:p%40ss@x/p"));
        assertEquals("http://host:8069/web/health", r.scrub("http://host:8069/web/health"));
    }

    @Test
    void should_redact_a_url_password_given_with_an_empty_user_name() {
        SecretRedactor r = new SecretRedactor(List.of());
        assertEquals("session_redis_url = redis://[REDACTED]@127.0.0.1:6379/0",
                r.scrub("session_redis_url = redis://:Redis-Pw-1@127.0.0.1:6379/0"));
        assertEquals("{\"url\": \"rediss://[REDACTED]@cache:6380\"}", r.scrub("{\"url\": \"rediss://:Redis-Pw-1@cache:6380\"}"));
    }

    @Test
    void should_redact_a_url_user_name_alone_and_a_password_holding_an_at_sign() {
        SecretRedactor r = new SecretRedactor(List.of());
        assertEquals("https://[REDACTED]@git.example/acme.git", r.scrub("https://ghp_tokenvalue123@git.example/acme.git"));
        assertEquals("redis://[REDACTED]@host:6379/0", r.scrub("redis://:p@ss@host:6379/0"));
        assertEquals("jdbc:postgresql://[REDACTED]@h/db", r.scrub("jdbc:postgresql://u:pw@h/db"));
    }

    @Test
    void should_leave_addresses_and_text_after_a_url_alone() {
        SecretRedactor r = new SecretRedactor(List.of());
        assertEquals("see https://host/a, mail ops@example.com", r.scrub("see https://host/a, mail ops@example.com"));
        assertEquals("{\"u\":\"http://h\",\"e\":\"a@b\"}", r.scrub("{\"u\":\"http://h\",\"e\":\"a@b\"}"));
    }

    @Test
    void should_redact_secret_query_parameters() {
        SecretRedactor r = new SecretRedactor(List.of());
        assertEquals("jdbc:postgresql://h/db?user=ops&password=[REDACTED]&ssl=true",
                r.scrub("jdbc:postgresql://h/db?user=ops&password=hunter22&ssl=true"));
        assertEquals("https://s3/b/k?X-Amz-Credential=[REDACTED]&X-Amz-Signature=[REDACTED]",
                r.scrub("https://s3/b/k?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=abcdef"));
    }

    @Test
    void should_strip_credentials_from_url_keyed_values_even_without_a_scheme() {
        SecretRedactor r = new SecretRedactor(List.of());
        assertTrue(SecretRedactor.isUrlKey("session_redis_url"));
        assertTrue(SecretRedactor.isUrlKey("db_uri"));
        assertTrue(SecretRedactor.isUrlKey("sentry_dsn"));
        assertFalse(SecretRedactor.isUrlKey("curl_options"));
        assertEquals("[REDACTED]@cache:6379/0", r.redactValue("session_redis_url", ":Redis-Pw-1@cache:6379/0"));
        assertEquals("redis://[REDACTED]@cache:6379/0", r.redactValue("redis_uri", "redis://:Redis-Pw-1@cache:6379/0"));
        assertEquals("[REDACTED]", r.redactValue("admin_passwd", "x"));
        assertEquals("ops@example.com", r.redactValue("email_from", "ops@example.com"));
        Map<String, Object> out = r.redactMap(Map.of("cache_url", "u:pw@cache"));
        assertEquals("[REDACTED]@cache", out.get("cache_url"));
    }
}
