package dev.odooops.model;

import java.util.UUID;

/** A queued run carrying a request, waiting for a worker. */
public record PendingRequest(UUID runId, String environmentId, String operation, String createdBy, String request,
                             String requestId, String channel) {
}
