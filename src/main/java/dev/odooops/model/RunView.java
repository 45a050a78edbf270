package dev.odooops.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** One run as the operator views show it (get-run), with the steps it completed in order. */
public record RunView(UUID runId, String environmentId, String operation, String status, String createdBy,
                      Instant createdAt, Instant finishedAt, String failedStep, String failureReason,
                      String evidenceDir, UUID parentRunId, Map<String, Object> metadata, List<String> stepsCompleted) {
}
