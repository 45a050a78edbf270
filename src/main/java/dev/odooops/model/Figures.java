package dev.odooops.model;

import java.time.Instant;
import java.util.Map;

/**
 * The figures service mode's metrics show, read in one go: per "env|type" the newest successful backup, per
 * "env|operation" the last finished run's duration (seconds), per env the live artifacts' bytes, and per
 * "env|operation|failed_step" how many runs failed there, and per env the downtime (seconds, quiesce to maintenance
 * lifted) of its last successful restore.
 */
public record Figures(Map<String, Instant> lastSuccess, Map<String, Double> lastDuration, Map<String, Long> storedBytes,
                      Map<String, Long> failuresByStep, Map<String, Double> restoreDowntime) {
    public static final Figures EMPTY = new Figures(Map.of(), Map.of(), Map.of(), Map.of(), Map.of());

    public Figures(Map<String, Instant> lastSuccess, Map<String, Double> lastDuration, Map<String, Long> storedBytes,
                   Map<String, Long> failuresByStep) {
        this(lastSuccess, lastDuration, storedBytes, failuresByStep, Map.of());
    }
}
