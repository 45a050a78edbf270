package dev.odooops.model;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.SecretRedactor;

import java.time.Instant;
import java.util.UUID;

/** An import-odoo-zip or export-odoo-zip run of one environment. */
public final class OdooZipJob extends RunState {
    public OdooZipJob(EnvironmentConfig environment, Instant createdAt, SecretRedactor redactor) {
        super(environment, createdAt, redactor);
    }

    /** Within a run a service channel queued (its id; the lease is given with {@link #lease(AutoCloseable)}). */
    public OdooZipJob(UUID runId, EnvironmentConfig environment, Instant createdAt, SecretRedactor redactor) {
        super(runId, environment, createdAt, redactor);
    }
}
