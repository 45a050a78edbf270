package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("fast")
class TrustedProxiesTest {
    private final TrustedProxies proxies = TrustedProxies.parse("127.0.0.1, 10.0.0.0/8, fd00::/8");

    @Test
    void should_take_x_forwarded_for_only_from_a_trusted_proxy() {
        assertEquals("198.51.100.7", proxies.client("127.0.0.1", "198.51.100.7"));
        assertEquals("203.0.113.9", proxies.client("203.0.113.9", "198.51.100.7"), "anyone else's header is its own word");
        assertEquals("203.0.113.9", TrustedProxies.NONE.client("203.0.113.9", "198.51.100.7"));
        assertEquals("127.0.0.1", proxies.client("127.0.0.1", null));
    }

    @Test
    void should_read_the_chain_from_the_right_up_to_the_first_untrusted_hop() {
        // the client forged the first entry; the proxies appended what they saw
        assertEquals("198.51.100.7", proxies.client("127.0.0.1", "1.2.3.4, 198.51.100.7, 10.1.2.3"));
        assertEquals("10.9.9.9", proxies.client("127.0.0.1", "10.9.9.9, 10.1.2.3"), "all trusted: the leftmost");
        assertEquals("2001:db8::1", proxies.client("fd12::5", "2001:db8::1"));
        assertEquals("not-an-address", proxies.client("127.0.0.1", "not-an-address"));
    }

    @Test
    void should_match_addresses_and_ranges_without_dns() {
        assertTrue(proxies.trusts("10.255.0.1"));
        assertTrue(proxies.trusts("::ffff:10.0.0.1"));
        assertFalse(proxies.trusts("11.0.0.1"));
        assertFalse(proxies.trusts("localhost"), "names are never resolved");
        assertFalse(proxies.trusts("999.0.0.1"));
        assertTrue(TrustedProxies.parse("0.0.0.0/0").trusts("192.0.2.1"));
        assertFalse(TrustedProxies.parse("").trusts("127.0.0.1"));
    }

    @Test
    void should_refuse_an_entry_that_is_not_an_address_or_range_naming_it() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrustedProxies.parse("127.0.0.1, proxy.example"))
                .getMessage().contains("proxy.example"));
        assertThrows(IllegalArgumentException.class, () -> TrustedProxies.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> TrustedProxies.parse("10.0.0.0/x"));
    }
}
