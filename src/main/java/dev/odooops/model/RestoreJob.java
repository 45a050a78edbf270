package dev.odooops.model;


import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.SecretRedactor;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The state of one restore run. It travels in the exchange variable {@code restoreJob}. What the run has
 * changed so far (a database created or swapped, a filestore extracted or swapped, Odoo stopped) is
 * recorded here as it happens, so the rollback knows exactly what to put back.
 */
public final class RestoreJob extends RunState {
    private final RestoreRequest request;
    private final Artifact artifact;
    private final Map<String, Path> files = new ConcurrentHashMap<>();
    private volatile String preRestoreBackupId;
    private volatile boolean odooStopped;
    private volatile long odooLogOffset = -1;
    private volatile Instant restartedAt;
    // database swap state
    private volatile String newDatabase;
    private volatile String asideDatabase;
    private volatile boolean databaseSwapped;
    // filestore swap state
    private volatile Path newFilestore;
    private volatile Path asideFilestore;
    private volatile boolean filestoreSwapped;
    private volatile java.util.concurrent.CompletableFuture<?> filestorePreparation;
    /** The safety backup running in the background while the new copies load (pre-restore-backup), or null. */
    private volatile java.util.concurrent.CompletableFuture<?> safetyBackup;
    /** Set by the first step that may change the environment's data (swap-database, restore-filestore). */
    private volatile boolean swapStarted;
    private final Downtime downtime = new Downtime();
    private volatile String rollbackOutcome;
    private volatile String failedStep;
    private volatile String failureReason;
    private volatile Boolean odooHealthy;
    private volatile String mode = "restore";
    private volatile dev.odooops.domain.VersionGuard.Target serverVersion;
    private volatile String modeReason;
    private volatile java.util.Map<String, Object> fingerprint;
    /** A copy's: the tables its neutralisation changes by design (not compared with the dump's row counts). */
    private volatile java.util.Set<String> neutralizedTables = java.util.Set.of();

    private final String sideTag;

    public RestoreJob(RestoreRequest request, EnvironmentConfig environment, Artifact artifact,
                      Instant createdAt, SecretRedactor redactor) {
        this(java.util.UUID.randomUUID(), request, environment, artifact, createdAt, redactor);
    }

    /** The job of a run whose id is already chosen (a queued service request). */
    public RestoreJob(java.util.UUID runId, RestoreRequest request, EnvironmentConfig environment,
                      Artifact artifact, Instant createdAt, SecretRedactor redactor) {
        super(runId, environment, createdAt, redactor);
        this.request = request;
        this.artifact = artifact;
        this.sideTag = runId().toString().substring(0, 8);
    }

    /** A restore done inside the run {@code parent} (the rollback's slow path), with side copies of its own. */
    public RestoreJob(RestoreJob parent, RestoreRequest request, Artifact artifact) {
        super(parent.runId(), parent.environment(), Instant.now(), parent.redactor());
        this.request = request;
        this.artifact = artifact;
        this.sideTag = "rb" + parent.sideTag().substring(0, 6);
    }

    /** Names the side copies: {@code <db>__restore_<tag>}, {@code <filestore>.pre-<tag>} ... */
    public String sideTag() { return sideTag; }

    public java.util.Set<String> neutralizedTables() { return neutralizedTables; }
    public void neutralizedTables(java.util.Set<String> tables) { this.neutralizedTables = java.util.Set.copyOf(tables); }

    public RestoreRequest request() { return request; }
    public Artifact artifact() { return artifact; }
    /** Artifact files fetched into the work directory, by name. */
    public Map<String, Path> files() { return files; }
    /** True when the run only validates (steps 2-8 skipped). */
    public boolean validationOnly() { return "validate_only".equals(mode); }
    public String preRestoreBackupId() { return preRestoreBackupId; }
    public void preRestoreBackupId(String id) { this.preRestoreBackupId = id; }
    /** True from the quiesce step until Odoo is started again (whether a stop action was configured or not). */
    public boolean odooStopped() { return odooStopped; }
    public void odooStopped(boolean s) { this.odooStopped = s; }
    public long odooLogOffset() { return odooLogOffset; }
    public void odooLogOffset(long o) { this.odooLogOffset = o; }
    public Instant restartedAt() { return restartedAt; }
    public void restartedAt(Instant t) { this.restartedAt = t; }
    public String newDatabase() { return newDatabase; }
    public void newDatabase(String n) { this.newDatabase = n; }
    public String asideDatabase() { return asideDatabase; }
    public void asideDatabase(String n) { this.asideDatabase = n; }
    public boolean databaseSwapped() { return databaseSwapped; }
    public void databaseSwapped(boolean s) { this.databaseSwapped = s; }
    public Path newFilestore() { return newFilestore; }
    public void newFilestore(Path p) { this.newFilestore = p; }
    public Path asideFilestore() { return asideFilestore; }
    public void asideFilestore(Path p) { this.asideFilestore = p; }
    /** The new filestore being built in the background while the database is restored (prepare-filestore), or null. */
    public java.util.concurrent.CompletableFuture<?> filestorePreparation() { return filestorePreparation; }
    /**
     * The new filestore's fingerprint (restore.EnvironmentFingerprint's {@code filestore} part), taken by
     * prepare-filestore in the background as soon as the tree was built, while pg_restore may still run; null until then.
     */
    private volatile java.util.Map<String, Object> newFilestoreFingerprint;
    /** The new database's fingerprint part, taken by check-row-counts's scan; null once something wrote to it since. */
    private volatile java.util.Map<String, Object> newDatabaseFingerprint;
    public java.util.Map<String, Object> newDatabaseFingerprint() { return newDatabaseFingerprint; }
    public void newDatabaseFingerprint(java.util.Map<String, Object> f) { this.newDatabaseFingerprint = f; }
    public java.util.Map<String, Object> newFilestoreFingerprint() { return newFilestoreFingerprint; }
    public void newFilestoreFingerprint(java.util.Map<String, Object> f) { this.newFilestoreFingerprint = f; }
    public void filestorePreparation(java.util.concurrent.CompletableFuture<?> f) { this.filestorePreparation = f; }

    /**
     * Waits until the background preparation of the filestore has ended, whatever its outcome: nothing may
     * remove or rename side copies while it still writes into one.
     */
    public void awaitFilestorePreparation() {
        var f = filestorePreparation;
        if (f == null) return;
        try {
            f.join();
        } catch (RuntimeException ignored) {
            // its failure is the step's, reported there; here only its end matters
        }
    }

    public boolean filestoreSwapped() { return filestoreSwapped; }
    public void filestoreSwapped(boolean s) { this.filestoreSwapped = s; }
    public String rollbackOutcome() { return rollbackOutcome; }
    public void rollbackOutcome(String o) { this.rollbackOutcome = o; }

    /** After a rollback: whether Odoo answered healthy again (null when the rollback did not restart it). */
    public Boolean odooHealthy() { return odooHealthy; }
    public void odooHealthy(Boolean h) { this.odooHealthy = h; }
    /** {@code restore} or {@code validate_only}, and why. */
    /** The version the target server runs, as preflight learned it or the operator stated it (null: not judged). */
    public dev.odooops.domain.VersionGuard.Target serverVersion() { return serverVersion; }
    public void serverVersion(dev.odooops.domain.VersionGuard.Target v) { this.serverVersion = v; }
    public String mode() { return mode; }
    public String modeReason() { return modeReason; }
    public void mode(String m, String reason) { this.mode = m; this.modeReason = reason; }
    /** The environment's fingerprint taken at the end of this run (see EnvironmentFingerprint). */
    public java.util.Map<String, Object> fingerprint() { return fingerprint; }
    public void fingerprint(java.util.Map<String, Object> f) { this.fingerprint = f; }

    /**
     * The warm standby's part in this restore (drill.WarmStandby, node use-standby): null when none was considered;
     * {@code standby} true/false, {@code reason}, and what was claimed ({@code database_used}, {@code filestore_used}).
     */
    private volatile java.util.Map<String, Object> standby;
    public java.util.Map<String, Object> standby() { return standby; }
    public void standby(java.util.Map<String, Object> s) { this.standby = s; }
    /** Whether the warm standby is to replace {@code part} ({@code database} or {@code filestore}) of the load. */
    public boolean standbyFor(String part) {
        var s = standby;
        return s != null && Boolean.TRUE.equals(s.get("standby")) && !s.containsKey(part + "_refused");
    }

    public String failedStep() { return failedStep; }
    public String failureReason() { return failureReason; }
    public void failed(String step, String reason) {
        this.failedStep = step;
        this.failureReason = reason;
    }

    /**
     * True once the run has changed the environment's data (steps 5 and later). A filestore only being prepared in
     * the background (prepare-filestore, beside the live one and not swapped) has not changed it.
     */
    /**
     * What the database restore's four steps (create, pg_restore, row counts, swap) hand each other: the lines of
     * db_restore.log and each step's duration, for db_restore_duration.json.
     */
    public static final class DatabaseSteps {
        public final StringBuilder log = new StringBuilder();
        public final Map<String, Long> millis = new java.util.LinkedHashMap<>();
        public volatile int tables;
    }

    private final DatabaseSteps databaseSteps = new DatabaseSteps();

    public DatabaseSteps databaseSteps() { return databaseSteps; }

    /**
     * True once a step that changes the environment's data has begun (swap-database, restore-filestore; the
     * rollback's slow path). The new database and filestore loaded beside the live ones before quiesce have not
     * changed it: a failure before the swap only removes them.
     */
    public boolean touchedData() {
        return swapStarted || databaseSwapped || asideDatabase != null || filestoreSwapped || asideFilestore != null
                || (newFilestore != null && filestorePreparation == null);
    }

    /** Recorded by swap-database and restore-filestore before their first rename. */
    public void swapStarted() { this.swapStarted = true; }

    /** The safety backup taken in the background (pre-restore-backup starts it, await-pre-restore-backup joins it). */
    public java.util.concurrent.CompletableFuture<?> safetyBackup() { return safetyBackup; }
    public void safetyBackup(java.util.concurrent.CompletableFuture<?> f) { this.safetyBackup = f; }

    /** Waits until the background safety backup has ended, whatever its outcome (its run must end inside this one). */
    public void awaitSafetyBackup() {
        var f = safetyBackup;
        if (f == null) return;
        try {
            f.join();
        } catch (RuntimeException ignored) {
            // its failure is await-pre-restore-backup's, reported there; here only its end matters
        }
    }

    /** The environment's downtime: from quiesce (maintenance on) to maintenance lifted. */
    public Downtime downtime() { return downtime; }

    /**
     * The downtime of a restore, as laps: {@link #begin} when quiesce starts (maintenance on), {@link #lap} at the end
     * of each step that follows (the time since the previous lap, under the step's name), {@link #end} when
     * maintenance is lifted. Each part is rounded down, so the parts sum to at most the total.
     */
    public static final class Downtime {
        private long start = -1;
        private long last;
        private long total = -1;
        private final Map<String, Long> parts = new java.util.LinkedHashMap<>();

        public synchronized void begin() {
            if (start >= 0) return;
            start = System.nanoTime();
            last = start;
        }

        public synchronized void lap(String part) {
            if (start < 0 || total >= 0) return;
            long now = System.nanoTime();
            parts.merge(part, (now - last) / 1_000_000, Long::sum);
            last = now;
        }

        /** Maintenance lifted: the last lap and the total. */
        public synchronized void end(String lastPart) {
            if (start < 0 || total >= 0) return;
            lap(lastPart);
            total = (last - start) / 1_000_000;
        }

        public synchronized boolean started() { return start >= 0; }

        /** The total in milliseconds, or null while maintenance is on (or never was). */
        public synchronized Long millis() { return total < 0 ? null : total; }

        public synchronized Map<String, Long> parts() { return java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parts)); }

        /** downtime_ms and each part, in order, for the evidence and the run's metadata. */
        public synchronized Map<String, Object> toMap() {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("downtime_ms", millis());
            m.put("parts", new java.util.LinkedHashMap<>(parts));
            return m;
        }
    }
}
