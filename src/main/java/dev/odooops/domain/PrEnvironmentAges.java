package dev.odooops.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Ages of pull-request environments: which are stale (older than the project's {@code max_age}) for the expiry
 * schedule, and an age as an operator reads it ({@code 3d 4h}, {@code 2h 5m}, {@code 40s}).
 */
public final class PrEnvironmentAges {
    private PrEnvironmentAges() {
    }

    /** One environment as the expiry sees it. */
    public record Aged(int pr, Instant createdAt, String status) {
    }

    /**
     * The PR numbers to remove at {@code now}: made more than {@code maxAge} ago, in any status (a create or delete
     * that died half-way is as stale as a ready one once old; one that is at work now is skipped by its run's lease).
     */
    public static List<Integer> stale(List<Aged> envs, Instant now, Duration maxAge) {
        return envs.stream().filter(e -> Duration.between(e.createdAt(), now).compareTo(maxAge) > 0).map(Aged::pr).toList();
    }

    /** {@code 3d 4h}, {@code 2h 5m}, {@code 5m 3s}, {@code 40s}. */
    public static String text(Duration age) {
        long s = Math.max(0, age.getSeconds());
        long d = s / 86400;
        long h = s % 86400 / 3600;
        long m = s % 3600 / 60;
        if (d > 0) return d + "d " + h + "h";
        if (h > 0) return h + "h " + m + "m";
        if (m > 0) return m + "m " + (s % 60) + "s";
        return s + "s";
    }
}
