package dev.odooops.model;

import java.util.UUID;

/**
 * A run a service request started, by the request's id (idempotency): its operation, and whether its recorded
 * request has the fingerprint of the request asked about ({@code ops.request_fingerprint}, V16; null when the run
 * recorded no request, as a schedule's skipped firing).
 */
public record RequestedRun(UUID runId, String status, String operation, Boolean sameRequest) {
}
