package dev.odooops.service;

import dev.odooops.model.RunStatus;
import dev.odooops.app.EnvironmentLookup;
import dev.odooops.app.Operations;
import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.Settings;
import dev.odooops.domain.Json;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.EnvironmentRequest;
import dev.odooops.model.QueuedRun;
import dev.odooops.domain.RequestRejected;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.ops.OpsDatabase;
import dev.odooops.ops.RunLease;
import dev.odooops.exec.CrashPoints;
import dev.odooops.model.RequestedRun;
import dev.odooops.model.PendingRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Service mode's one way into the application layer for long operations (backup, restore), whatever the channel.
 * <ol>
 *   <li>{@link #submit}: the checks a channel answers at once (environment, permission, a restore's production
 *   confirmation and artifact), made by the application layer's {@code admit} route, not here; then the request is
 *   recorded as a {@code queued} run carrying the request, under a lease this
 *   process holds, and only then acknowledged (the caller answers 202 / replies / writes the result file);</li>
 *   <li>a worker of a bounded pool ({@code service.workers}) runs the operation through {@link Operations} in
 *   that run: the full checks (a restore's nine preflight checks) happen there, and a refusal ends the queued run
 *   {@code failed} in the preflight step with the reason;</li>
 *   <li>{@link #pickUpPending}: at start, queued runs whose accepting process died are taken over and run, so a
 *   crash loses no accepted request and runs none twice (the run's advisory lock decides who owns it).</li>
 * </ol>
 * An instance runs only the operations of {@code service.run-operations} (default every one): a request for another
 * is accepted and recorded the same way, then left queued with its lease released at once, and an instance that runs
 * it picks it up (its own pick-up skips the operations it does not run): a drill host, production hosts without drills.
 * More than {@code service.workers + service.queue-capacity} runs at once are refused (UNAVAILABLE) before any
 * run row exists. A {@code request_id} is an idempotency key per environment: the same id with the same operation and
 * request returns the first run; with anything else it is refused (409, naming request_id and the earlier run).
 */
public final class RunQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunQueue.class);

    private final OpsDatabase db;
    private final OpsCatalog catalog;
    private final Operations operations;
    private final EnvironmentLookup environments;
    private final Settings.Ops ops;
    private final ServiceSettings service;
    private final ThreadPoolExecutor pool;
    private final Semaphore slots;
    private final AtomicInteger running = new AtomicInteger();
    private final Object[] requestLocks = java.util.stream.Stream.generate(Object::new).limit(64).toArray();
    private volatile boolean accepting = true;
    private final java.util.concurrent.ScheduledExecutorService pickUp =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "odoo-ops-pickup");
                t.setDaemon(true);
                return t;
            });

    /** What a channel answers: the run, {@code queued} (or, for a repeated request_id, the first run's status). */
    public record Accepted(UUID runId, String status, boolean duplicate) {
        public Map<String, Object> toJson() {
            return duplicate ? Map.of("run_id", runId.toString(), "status", status, "duplicate", true)
                    : Map.of("run_id", runId.toString(), "status", status);
        }
    }

    public RunQueue(OpsDatabase db, OpsCatalog catalog, Operations operations, EnvironmentLookup environments,
                    Settings.Ops ops, ServiceSettings service) {
        this.db = db;
        this.catalog = catalog;
        this.operations = operations;
        this.environments = environments;
        this.ops = ops;
        this.service = service;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(service.workers(), service.workers(), 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "odoo-ops-worker-" + n.incrementAndGet());
            t.setDaemon(false);
            return t;
        });
        this.slots = new Semaphore(service.workers() + service.queueCapacity());
    }

    /** How an accepted request's run ended (for a channel that reports the end too, like the inbox). */
    public record Outcome(UUID runId, String status, String evidenceDir, String artifactId, String failedStep, String error) {
        public Map<String, Object> toJson() {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("run_id", runId.toString());
            m.put("status", status);
            m.put("evidence_dir", evidenceDir);
            if (artifactId != null) m.put("artifact_id", artifactId);
            if (failedStep != null) m.put("failed_step", failedStep);
            if (error != null) m.put("error", error);
            return m;
        }
    }

    /** Records the request as a queued run and hands it to a worker; throws {@link RequestRejected} with no run. */
    public Accepted submit(Submission submission) {
        return submit(submission, null);
    }

    /** As {@link #submit(Submission)}; {@code onEnd} (may be null) is told how the run ended, from the worker. */
    public Accepted submit(Submission submission, java.util.function.Consumer<Outcome> onEnd) {
        requireAccepting();
        EnvironmentRequest request;
        try {
            request = operations.admit(submission.request());
        } catch (RequestRejected r) {
            throw Submission.inRequestTerms(r, "environment");
        }
        EnvironmentConfig env = environments.environment(request);
        Submission resolved = new Submission(submission.operation(), request, submission.requestId());
        if (resolved.requestId() == null) return accept(resolved, env, onEnd);
        // one id at a time in this process, so that parallel repeats find the first run instead of a full queue or
        // the active run; across processes ops.begin_run decides under its own lock (V16)
        synchronized (requestLocks[Math.floorMod((env.id() + '\n' + resolved.requestId()).hashCode(), requestLocks.length)]) {
            Optional<Accepted> earlier = earlier(env, resolved);
            return earlier.isPresent() ? earlier.get() : accept(resolved, env, onEnd);
        }
    }

    /**
     * The answer to a request whose id was used before on the environment: the same operation and request (the
     * fingerprint of the normalized body, the id left out) is a repeat, answered with the first run; anything else
     * is refused (409) naming request_id and the earlier run. A run that recorded no request (a schedule's skipped
     * firing) is a repeat of the same operation.
     */
    private Optional<Accepted> earlier(EnvironmentConfig env, Submission s) {
        Optional<RequestedRun> found = catalog.requests().runByRequestId(env.id(), s.requestId(), Json.compact(s.toJson()));
        if (found.isEmpty()) return Optional.empty();
        RequestedRun first = found.get();
        boolean same = first.sameRequest() != null ? first.sameRequest() : first.operation().equals(s.operation());
        if (!same) {
            throw new RequestRejected("request_id", "'" + s.requestId() + "' was already used on " + env.id() + " by "
                    + first.operation() + " run " + first.runId() + " with another request; a request_id names one request:"
                    + " send a new id for a different one", RequestRejected.Reason.CONFLICT);
        }
        return Optional.of(new Accepted(first.runId(), first.status(), true));
    }

    /** A new request: a slot, then its queued run, then a worker. */
    private Accepted accept(Submission resolved, EnvironmentConfig env, java.util.function.Consumer<Outcome> onEnd) {
        if (!slots.tryAcquire()) {
            throw new RequestRejected("service", "the queue is full (" + service.workers() + " workers, "
                    + service.queueCapacity() + " queued); send the request again later", RequestRejected.Reason.UNAVAILABLE);
        }
        UUID runId = UUID.randomUUID();
        String channel = channel(resolved);
        RunLease lease;
        try {
            lease = RunLease.begin(db, runId, env.project(), env.id(), resolved.operation(), resolved.user(),
                    Json.compact(Map.of("trigger", channel)), ops.staleAfterSeconds(), ops.heartbeatSeconds(),
                    new RunLease.Request(Json.compact(resolved.toJson()), resolved.requestId(), channel));
        } catch (RunLease.DuplicateRequest d) {
            slots.release(); // another process recorded the id first
            return earlier(env, resolved).orElseThrow(() -> d);
        } catch (RuntimeException e) {
            slots.release();
            throw e;
        }
        catalog.runs().event(runId, "request_accepted", null, resolved.requestId() == null ? Map.of("channel", channel)
                : Map.of("channel", channel, "request_id", resolved.requestId()));
        LOG.info("{} run {} queued for {} ({}, by {})", resolved.operation(), runId, env.id(), channel, resolved.user());
        if (!service.runOperations().runs(resolved.operation())) {
            // not run here (service.run-operations): it stays queued with its request, its lease released at once, for
            // the pick-up of an instance that runs it
            leave(runId, lease, resolved.operation());
            return new Accepted(runId, "queued", false);
        }
        pool.execute(new Task(runId, lease, resolved, onEnd));
        return new Accepted(runId, "queued", false);
    }

    /** An accepted run this instance does not run: queued, its lease released, its slot given back. */
    private void leave(UUID runId, RunLease lease, String operation) {
        try {
            catalog.runs().event(runId, "request_left_queued", null, Map.of("reason", "this instance runs "
                    + service.runOperations() + " (service.run-operations): an instance that runs " + operation + " picks it up"));
        } finally {
            lease.close();
            slots.release();
        }
        LOG.info("{} run {} left queued for an instance that runs {} (service.run-operations={})", operation, runId, operation,
                service.runOperations());
    }

    private static String channel(Submission s) {
        return s.channel();
    }

    /** An accepted request waiting for a worker: its run and the lease this process holds on it. */
    private final class Task implements Runnable {
        final UUID runId;
        final RunLease lease;
        final Submission submission;
        final java.util.function.Consumer<Outcome> onEnd;

        Task(UUID runId, RunLease lease, Submission submission, java.util.function.Consumer<Outcome> onEnd) {
            this.runId = runId;
            this.lease = lease;
            this.submission = submission;
            this.onEnd = onEnd;
        }

        @Override
        public void run() {
            Outcome o = execute(runId, lease, submission);
            if (onEnd != null) {
                try {
                    onEnd.accept(o);
                } catch (RuntimeException e) {
                    LOG.warn("run {}: reporting its end failed: {}", runId, e.getMessage());
                }
            }
        }
    }

    /** A worker: the operation in its queued run; whatever happens, the run ends and the slot is given back. */
    private Outcome execute(UUID runId, RunLease lease, Submission s) {
        running.incrementAndGet();
        try {
            CrashPoints.reached("service:worker-start"); // accepted and recorded, not yet run
            QueuedRun queued = new QueuedRun(runId, lease);
            if (s.request() instanceof BackupRequest b) {
                BackupResult r = operations.backup(b, queued);
                LOG.info("backup run {} ended {}", runId, r.status());
                return new Outcome(runId, r.status(), r.evidenceDir(), r.artifactId(), r.failedStep(), r.error());
            }
            if (s.request() instanceof dev.odooops.model.QueuedRequest q) {
                dev.odooops.model.Report r = operations.runQueued(q, queued);
                Map<String, Object> b = r.body();
                LOG.info("{} run {} ended {}", s.operation(), runId, b.get("status"));
                return new Outcome(runId, String.valueOf(b.get("status")), (String) b.get("evidence_dir"),
                        (String) b.get("artifact_id"), (String) b.get("failed_step"), (String) b.get("error"));
            }
            RestoreResult r = operations.restore((RestoreRequest) s.request(), queued);
            LOG.info("restore run {} ended {}", runId, r.status());
            return new Outcome(runId, r.status(), r.evidenceDir(), null, r.failedStep(), r.error());
        } catch (RequestRejected r) {
            // refused by the entry route when the worker ran it (the catalog or the configuration changed since the
            // request was admitted, or another instance with another configuration picked it up)
            String step = r instanceof dev.odooops.domain.PermissionDenied ? "authorize-" + s.operation()
                    : s.operation().equals("restore") ? "restore-preflight" : "check-preconditions";
            endQueued(runId, lease, step, r.getMessage());
            return new Outcome(runId, "failed", null, null, step, r.getMessage());
        } catch (RuntimeException e) {
            LOG.error("{} run {} failed before it started: {}", s.operation(), runId, e.getMessage(), e);
            String reason = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
            endQueued(runId, lease, "create-run", reason);
            return new Outcome(runId, "failed", null, null, "create-run", reason);
        } finally {
            running.decrementAndGet();
            slots.release();
        }
    }

    /** A queued run refused by the full checks: failed with the reason, its lease released. */
    private void endQueued(UUID runId, RunLease lease, String step, String reason) {
        LOG.warn("queued run {} refused in {}: {}", runId, step, reason);
        try {
            if (catalog.runs().finishRun(runId, RunStatus.FAILED, step, reason, Map.of())) {
                catalog.runs().event(runId, "request_refused", step, Map.of("reason", reason));
            }
        } finally {
            lease.close();
        }
    }

    /**
     * Takes over the queued runs whose accepting process is gone and runs them (at start, and whenever called).
     * Returns how many were taken over.
     */
    public int pickUpPending() {
        int taken = 0;
        for (PendingRequest p : catalog.requests().pendingRequests()) {
            if (!service.runOperations().runs(p.operation())) continue; // left for an instance that runs it
            if (!slots.tryAcquire()) break; // the rest waits for the next pick-up
            Optional<RunLease> lease = RunLease.adopt(db, p.runId(), ops.heartbeatSeconds());
            if (lease.isEmpty()) {
                slots.release(); // a live process owns it (or it is no longer queued)
                continue;
            }
            Submission s;
            try {
                Map<String, Object> fields = new java.util.LinkedHashMap<>(Json.readMap(p.request()));
                String operation = (String) fields.remove("operation");
                // the channel it came by stays the run's trigger
                s = Submission.of(operation, fields, p.createdBy(), p.channel() == null ? "service" : p.channel());
            } catch (RuntimeException e) {
                slots.release();
                endQueued(p.runId(), lease.get(), "accept", "the queued request cannot be read back: " + e.getMessage());
                continue;
            }
            catalog.runs().event(p.runId(), "request_picked_up", null, Map.of("reason",
                    "the process that accepted it is gone or left it (service.run-operations)"));
            LOG.info("picked up queued {} run {} for {}", p.operation(), p.runId(), p.environmentId());
            pool.execute(new Task(p.runId(), lease.get(), s, null));
            taken++;
        }
        return taken;
    }

    /**
     * Picks up, now and then every {@code every}, the queued requests a stopped or dead instance left: with several
     * instances, a survivor runs them without waiting for the dead one to come back.
     */
    public int startPickUp(java.time.Duration every) {
        int now = pickUpPending();
        pickUp.scheduleWithFixedDelay(() -> {
            try {
                if (accepting) pickUpPending();
            } catch (RuntimeException e) {
                LOG.warn("picking up queued requests failed (tried again later): {}", e.getMessage());
            }
        }, every.toSeconds(), every.toSeconds(), TimeUnit.SECONDS);
        return now;
    }

    /** Runs in a worker now. */
    public int running() {
        return running.get();
    }

    /** Accepted runs not finished yet (running or waiting for a worker). */
    public int inFlight() {
        return service.workers() + service.queueCapacity() - slots.availablePermits();
    }

    /**
     * The first half of a graceful stop: no new request is accepted (channels answer UNAVAILABLE: HTTP 503), the
     * periodic pick-up ends, and runs still waiting for a worker stay queued with their requests (their leases
     * released) for the next {@code serve}, or another instance, to pick up. Runs in a worker go on.
     */
    public synchronized void stopAccepting() {
        if (!accepting) return;
        accepting = false;
        pickUp.shutdownNow();
        java.util.List<Runnable> waiting = new java.util.ArrayList<>();
        pool.getQueue().drainTo(waiting);
        for (Runnable r : waiting) {
            Task t = (Task) r;
            t.lease.close(); // still queued, with its request: the next serve picks it up
            slots.release();
            LOG.info("shutdown: queued run {} left for the next start", t.runId);
        }
        pool.shutdown();
    }

    /**
     * Refuses (UNAVAILABLE: HTTP 503) once the stop began: every request that starts work asks this first, the ones
     * this queue runs and the short ones a channel runs itself (verify, pin, pause, accept ...); reads may still answer.
     */
    public void requireAccepting() {
        if (!accepting) {
            throw new RequestRejected("service", "odoo-ops is shutting down; send the request again later",
                    RequestRejected.Reason.UNAVAILABLE);
        }
    }

    /** Whether requests are accepted (false once the stop began). */
    public boolean accepting() {
        return accepting;
    }

    /**
     * The second half: waits up to {@code grace} for the runs in a worker to end, and answers whether they all
     * did. Runs still going are not interrupted: they go on until the process exits, and are then recovered
     * like any run whose process died (the next run on the environment, or {@code recover}, sweeps them).
     */
    public boolean awaitRuns(java.time.Duration grace) {
        stopAccepting();
        try {
            if (pool.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.warn("shutdown: {} run(s) still running after {} s; they are cut off and recovered at the next start",
                running.get(), grace.toSeconds());
        return false;
    }

    /**
     * After {@link #awaitRuns} (or instead of it): no request is accepted, and runs still in a worker are
     * interrupted.
     */
    @Override
    public void close() {
        stopAccepting();
        if (!pool.isTerminated()) pool.shutdownNow();
    }
}
