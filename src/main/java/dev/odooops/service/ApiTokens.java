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
 * An address that failed {@code limit} times within a minute is refused (429) until its failures age out.
 */
public final class ApiTokens {
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

    /** The user whose token this is; empty for a missing or unknown token (a failure of {@code address}). */
    public Optional<String> user(String presented, String address) {
        if (presented != null && !presented.isEmpty()) {
            byte[] h = sha256(presented);
            String match = null;
            for (Map.Entry<String, byte[]> e : hashes.entrySet()) {
                if (MessageDigest.isEqual(h, e.getValue()) && match == null) match = e.getKey();
            }
            if (match != null) return Optional.of(match);
        }
        failed(address);
        return Optional.empty();
    }

    /** True while {@code address} has failed {@code limit} times within the last minute. */
    public boolean blocked(String address) {
        Deque<Instant> d = failures.get(address);
        if (d == null) return false;
        synchronized (d) {
            prune(d);
            return d.size() >= limit;
        }
    }

    private void failed(String address) {
        Deque<Instant> d = failures.computeIfAbsent(address, a -> new ArrayDeque<>());
        synchronized (d) {
            prune(d);
            d.addLast(clock.instant());
        }
    }

    private void prune(Deque<Instant> d) {
        Instant cut = clock.instant().minus(Duration.ofMinutes(1));
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
