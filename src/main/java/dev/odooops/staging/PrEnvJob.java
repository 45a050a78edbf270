package dev.odooops.staging;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.model.RunState;

import java.time.Instant;
import java.util.UUID;

/** The run of a pull-request environment's create, delete or expiry. */
public final class PrEnvJob extends RunState {
    public PrEnvJob(UUID runId, EnvironmentConfig environment, Instant createdAt, SecretRedactor redactor) {
        super(runId, environment, createdAt, redactor);
    }
}
