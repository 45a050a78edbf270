package dev.odooops.model;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.Evidence;
import dev.odooops.domain.SecretRedactor;

import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;

/** What every run carries: its id, environment, evidence, work directory, lease and current step. */
public abstract class RunState {
    private final UUID runId;
    private final EnvironmentConfig environment;
    private final Instant createdAt;
    private final SecretRedactor redactor;
    private volatile Path workDir;
    private volatile Evidence evidence;
    private volatile AutoCloseable lease;
    private volatile String step = "validate-request";
    private final java.util.Map<String, Object> swept = new java.util.concurrent.ConcurrentHashMap<>();

    protected RunState(EnvironmentConfig environment, Instant createdAt, SecretRedactor redactor) {
        this(UUID.randomUUID(), environment, createdAt, redactor);
    }

    /** State of work done within an existing run (same id in the catalog and events). */
    protected RunState(UUID runId, EnvironmentConfig environment, Instant createdAt, SecretRedactor redactor) {
        this.runId = runId;
        this.environment = environment;
        this.createdAt = createdAt;
        this.redactor = redactor;
    }

    public UUID runId() { return runId; }
    public EnvironmentConfig environment() { return environment; }
    public Instant createdAt() { return createdAt; }
    public SecretRedactor redactor() { return redactor; }
    public Path workDir() { return workDir; }
    public void workDir(Path dir) { this.workDir = dir; }
    public Evidence evidence() { return evidence; }
    public void evidence(Evidence e) { this.evidence = e; }
    public AutoCloseable lease() { return lease; }
    public void lease(AutoCloseable l) { this.lease = l; }
    public String step() { return step; }
    public void step(String s) { this.step = s; }
    /** Runs this run's start found abandoned, with what was cleaned up after each. */
    public java.util.Map<String, Object> swept() { return swept; }
}
