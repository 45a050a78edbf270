package dev.odooops.model;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.SecretRedactor;

import java.time.Instant;

/** A rekey run: the live artifacts of one environment (and the packs they need) re-encrypted to the current recipients. */
public final class RekeyJob extends RunState {
    public RekeyJob(EnvironmentConfig environment, Instant createdAt, SecretRedactor redactor) {
        super(environment, createdAt, redactor);
    }
}
