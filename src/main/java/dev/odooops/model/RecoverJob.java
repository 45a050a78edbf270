package dev.odooops.model;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.SecretRedactor;

import java.time.Instant;

/** A recover run: its start is the whole of its work. */
public final class RecoverJob extends RunState {
    public RecoverJob(EnvironmentConfig environment, Instant createdAt, SecretRedactor redactor) {
        super(environment, createdAt, redactor);
    }
}
