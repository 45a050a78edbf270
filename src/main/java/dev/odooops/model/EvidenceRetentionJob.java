package dev.odooops.model;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.SecretRedactor;

import java.time.Instant;
import java.util.UUID;

/** An evidence retention run of one environment (a new run, or the run a service channel queued: {@code runId}). */
public final class EvidenceRetentionJob extends RunState {
    public EvidenceRetentionJob(EnvironmentConfig environment, Instant createdAt, SecretRedactor redactor) {
        super(environment, createdAt, redactor);
    }

    public EvidenceRetentionJob(UUID runId, EnvironmentConfig environment, Instant createdAt, SecretRedactor redactor) {
        super(runId, environment, createdAt, redactor);
    }
}
