package dev.odooops.service;

import dev.odooops.config.OpsConfig;
import dev.odooops.config.Secret;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bearer tokens of the HTTP API: each user's {@code api_token} (a secret reference in the environments file)
 * is kept only as its SHA-256, and a presented token is hashed and compared with every one in constant time.
 * A valid token is never refused by the failure limit. Missing or unknown tokens are counted per client address
 * (behind trusted proxies, the forwarded client: {@link dev.odooops.domain.TrustedProxies}); a client with
 * {@code limit} of them within a minute is refused (429, {@code Retry-After}) until the oldest ages out.
 */
public final class ApiTokens {
    private static final Duration WINDOW = Duration.ofMinutes(1);
    /** Beyond this many clients with failures, those whose failures aged out are forgotten. */
    private static final int MAX_CLIENTS = 10_000;

    private final Map<String, byte[]> hashes = new LinkedHashMap<>();
    private final int limit;
    private final Clock clock;
    private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();

    public ApiTokens(OpsConfig config, int failuresPerMinute, Clock clock) {
        for (Map.Entry<String, Secret> t : config.apiTokens().entrySet()) hashes.put(t.getKey(), sha256(t.getValue().reveal()));
        this.limit = failuresPerMinute;
        this.clock = clock;
    }

    /** How many users have a token. */
    public int count() {
        return hashes.size();
    }

    /** The user whose token this is; empty for a missing or unknown token. Never limited, records nothing. */
    public Optional<String> user(String presented) {
        if (presented == null || presented.isEmpty()) return Optional.empty();
        byte[] h = sha256(presented);
        String match = null;
        for (Map.Entry<String, byte[]> e : hashes.entrySet()) {
            if (MessageDigest.isEqual(h, e.getValue()) && match == null) match = e.getKey();
        }
        return Optional.ofNullable(match);
    }

    /**
     * A failed authentication of {@code client}: zero when it is counted (answer 401), else the seconds until the
     * client may try again (answer 429; the failure is not counted, so the wait does not grow).
     */
    public long failed(String client) {
        if (failures.size() > MAX_CLIENTS) forgetAgedOut();
        Deque<Instant> d = failures.computeIfAbsent(client, a -> new ArrayDeque<>());
        synchronized (d) {
            prune(d);
            if (d.size() >= limit) {
                long wait = Duration.between(clock.instant(), d.peekFirst().plus(WINDOW)).toSeconds() + 1;
                return Math.max(1, wait);
            }
            d.addLast(clock.instant());
            return 0;
        }
    }

    private void forgetAgedOut() {
        for (Map.Entry<String, Deque<Instant>> e : failures.entrySet()) {
            synchronized (e.getValue()) {
                prune(e.getValue());
                if (e.getValue().isEmpty()) failures.remove(e.getKey(), e.getValue());
            }
        }
    }

    private void prune(Deque<Instant> d) {
        Instant cut = clock.instant().minus(WINDOW);
        while (!d.isEmpty() && d.peekFirst().isBefore(cut)) d.removeFirst();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
