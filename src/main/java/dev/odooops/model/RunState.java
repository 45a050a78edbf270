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
    private volatile java.util.Map<String, Object> stepDetail = java.util.Map.of();
    private final java.util.Map<String, Object> swept = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.List<String> warnings = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

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
    /** The step running now: the route node id, set by the step journal (run.StepJournal), never by a step. */
    public String step() { return step; }
    public void step(String s) { this.step = s; }
    /** What the running step reports about itself, recorded with its step_completed event. */
    public void stepDetail(java.util.Map<String, ?> detail) { this.stepDetail = java.util.Map.copyOf(detail); }
    /** The running step's detail, handed once to the journal (and cleared). */
    public java.util.Map<String, Object> takeStepDetail() {
        java.util.Map<String, Object> d = stepDetail;
        stepDetail = java.util.Map.of();
        return d;
    }
    /** What a run that succeeds must still say (final_status.json, the result, the log), in the order said. */
    public java.util.List<String> warnings() { synchronized (warnings) { return java.util.List.copyOf(warnings); } }
    public void warn(String warning) { warnings.add(warning); }
    /** Runs this run's start found abandoned, with what was cleaned up after each. */
    public java.util.Map<String, Object> swept() { return swept; }
}
