package dev.odooops.model;

import java.time.Instant;
import java.util.Map;

/**
 * The figures service mode's metrics show, read in one go: per "env|type" the newest successful backup, per
 * "env|operation" the last finished run's duration (seconds), per env the live artifacts' bytes, and per
 * "env|operation|failed_step" how many runs failed there.
 */
public record Figures(Map<String, Instant> lastSuccess, Map<String, Double> lastDuration, Map<String, Long> storedBytes,
                      Map<String, Long> failuresByStep) {
    public static final Figures EMPTY = new Figures(Map.of(), Map.of(), Map.of(), Map.of());
}
