package dev.odooops.model;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.SecretRedactor;

import java.time.Instant;

/** A store copy run: the live artifacts of one environment (and the packs they need) copied to another store. */
public final class StoreCopyJob extends RunState {
    public StoreCopyJob(EnvironmentConfig environment, Instant createdAt, SecretRedactor redactor) {
        super(environment, createdAt, redactor);
    }
}
