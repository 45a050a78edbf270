package dev.odooops.service;

import dev.odooops.config.OpsConfig;
import dev.odooops.config.Secret;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The failure limit of the HTTP API's tokens, over a clock the test moves (issue 13, A13). */
@Tag("fast")
class ApiTokensTest {
    private static final String TOKEN = "a-valid-token-of-at-least-24-chars";

    /** A clock the test sets. */
    private static final class Moving extends Clock {
        Instant now = Instant.parse("2026-12-01T10:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final Moving clock = new Moving();
    private final ApiTokens tokens = new ApiTokens(new OpsConfig("environments.yaml", null, Map.of(), List.of(),
            Map.of("ci", new Secret(TOKEN))), 3, clock);

    @Test
    void should_never_limit_a_valid_token_and_hold_back_unknown_ones_per_client_with_the_time_to_wait() {
        for (int i = 0; i < 3; i++) assertEquals(0, tokens.failed("198.51.100.7"), "counted: answer 401");
        clock.now = clock.now.plusSeconds(20);
        assertEquals(41, tokens.failed("198.51.100.7"), "the oldest failure ages out in 40 s (rounded up)");
        assertEquals(Optional.of("ci"), tokens.user(TOKEN), "a valid token from the limited client");
        assertEquals(0, tokens.failed("198.51.100.8"), "another client is not limited");
        clock.now = clock.now.plus(Duration.ofSeconds(41));
        assertEquals(0, tokens.failed("198.51.100.7"), "the oldest aged out: counted again");
        assertEquals(Optional.empty(), tokens.user("not-the-token"));
        assertEquals(Optional.empty(), tokens.user(null));
    }
}
