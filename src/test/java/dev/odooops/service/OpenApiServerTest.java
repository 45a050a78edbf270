package dev.odooops.service;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The OpenAPI document's servers entry names an address a client can call, never a wildcard. */
@Tag("fast")
class OpenApiServerTest {
    @Test
    void should_name_the_configured_host_and_port() {
        assertEquals("127.0.0.1:8780", HttpApi.documentedHost("127.0.0.1", 8780));
        assertEquals("ops.example.org:9000", HttpApi.documentedHost("ops.example.org", 9000));
    }

    @Test
    void should_name_localhost_for_a_wildcard_host() {
        assertEquals("localhost:8780", HttpApi.documentedHost("0.0.0.0", 8780));
        assertEquals("localhost:8780", HttpApi.documentedHost("::", 8780));
        assertEquals("localhost:8780", HttpApi.documentedHost("", 8780));
    }

    @Test
    void should_bracket_an_ipv6_address() {
        assertEquals("[::1]:8780", HttpApi.documentedHost("::1", 8780));
    }
}
