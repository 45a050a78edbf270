package dev.odooops.staging;

import dev.odooops.config.AnonymizationSettings;
import dev.odooops.config.DatabaseConfig;
import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.EnvironmentSecrets;
import dev.odooops.config.OdooControl;
import dev.odooops.config.OpsConfig;
import dev.odooops.config.Settings;
import dev.odooops.domain.Json;
import dev.odooops.domain.RequestRejected;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.exec.CrashPoints;
import dev.odooops.exec.PgPassFile;
import dev.odooops.exec.ToolRunner;
import dev.odooops.exec.WorkFiles;
import dev.odooops.model.Artifact;
import dev.odooops.model.ArtifactKind;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.QueuedRun;
import dev.odooops.model.Report;
import dev.odooops.model.RunStatus;
import dev.odooops.model.SnapshotRequest;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.postgres.Anonymizer;
import dev.odooops.postgres.EnvironmentDatabase;
import dev.odooops.postgres.PgAdmin;
import dev.odooops.restore.ArtifactUnpacking;
import dev.odooops.run.ArtifactChoice;
import dev.odooops.run.RunEnd;
import dev.odooops.run.RunStarter;
import dev.odooops.run.Vars;
import dev.odooops.store.StoreLocator;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sanitised snapshot (issue 14, section 1), one bean method per node of routes/staging-snapshot.camel.yaml:
 * <ol>
 *   <li>{@link #prepare} (check-snapshot-request): the artifact, the environment's newest live full backup or the one
 *   named (it must be the environment's, a full backup, not pruned); refused naming the field before any run exists;</li>
 *   <li>{@link #createRun} (create-snapshot-run): the run (operation {@code snapshot}, evidence
 *   {@code <root>/<day>/snapshot/<run>/}), or the queued run a service channel recorded;</li>
 *   <li>{@link #fetch} (fetch-artifact): the artifact's files into the run's work directory, each SHA-256 compared
 *   with the catalog's (artifact_verification.json). Production itself is never touched: only its store is read;</li>
 *   <li>{@link #restoreDatabase} (restore-scratch-database): the scratch database
 *   ({@link ScratchCopies#database}) on the environment's server, {@code pg_restore} as a restore runs it, every
 *   table's row count against the backup's;</li>
 *   <li>{@link #unpackFilestore} (unpack-scratch-filestore): the scratch directory under the work directory
 *   ({@link ScratchCopies#directory}), from the archive or from every pack (nothing linked from production's live
 *   filestore), each member admitted as a restore admits it, the tree checked against the backup's digest;</li>
 *   <li>{@link #anonymize} (anonymize): {@link Anonymizer} with the project's rules and a fresh random salt
 *   (anonymization.json: the anonymiser's evidence plus timings, never the salt);</li>
 *   <li>{@link #store} (store-snapshot): a child backup run of kind {@code sanitized_snapshot} of the scratch copy,
 *   through the backup route as every backup (its packs apart from production's);</li>
 *   <li>{@link #dropScratch} (drop-scratch) and {@link #finish} (finish-snapshot).</li>
 * </ol>
 * A failure anywhere goes to {@link #failed} (direct:snapshot-failed), which drops the scratch copies too; a run killed
 * half-way leaves them to the next run's sweep of the environment (run.RunStarter, {@link ScratchCopies}).
 */
public class SanitizedSnapshot {
    private static final Logger LOG = LoggerFactory.getLogger(SanitizedSnapshot.class);
    /** The run's {@code operation_type}. */
    public static final String OPERATION = "snapshot";
    /** The purpose word of its scratch copies. */
    public static final String PURPOSE = "snapshot";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The backup call ({@code Operations::backupOf}): the storing backup of the scratch copy. */
    @FunctionalInterface
    public interface Backups {
        BackupResult backup(BackupRequest request, EnvironmentConfig source);
    }

    private final OpsConfig config;
    private final Settings.Ops ops;
    private final OpsCatalog catalog;
    private final ToolRunner tools;
    private final RunStarter starter;
    private final Anonymizer anonymizer;
    private final AnonymizationSettings rules;
    private final Backups backups;
    private final Clock clock;
    private final Duration restoreTimeout;
    private final Settings.Restore restoreSettings;
    private final ArtifactUnpacking unpacking;

    public SanitizedSnapshot(OpsConfig config, Settings.Ops ops, Settings.Restore restore, Settings.Backup backup,
                             OpsCatalog catalog, StoreLocator stores, ToolRunner tools, RunStarter starter,
                             Anonymizer anonymizer, AnonymizationSettings rules, Backups backups, Clock clock) {
        this.config = config;
        this.ops = ops;
        this.catalog = catalog;
        this.tools = tools;
        this.starter = starter;
        this.anonymizer = anonymizer;
        this.rules = rules;
        this.backups = backups;
        this.clock = clock;
        this.restoreTimeout = Duration.ofSeconds(restore.pgRestoreTimeoutSeconds());
        this.restoreSettings = restore;
        this.unpacking = new ArtifactUnpacking(tools, catalog, stores, Duration.ofSeconds(backup.archiveTimeoutSeconds()),
                restore.packFetchParallelism());
    }

    /** Step check-snapshot-request: the job, or a rejection naming the field (no run exists yet). */
    public SnapshotJob prepare(SnapshotRequest request, @Variable(Vars.QUEUED_RUN) QueuedRun queued) {
        EnvironmentConfig env = config.environment(request.project(), request.environment()).orElseThrow(() ->
                new RequestRejected("env", "project '" + request.project() + "' has no environment '" + request.environment() + "'",
                        RequestRejected.Reason.NOT_FOUND));
        Artifact artifact = request.artifactId() == null
                ? ArtifactChoice.newestFullBackup(catalog, env, "artifact", "to make a snapshot of", "take a backup first, or name one with --artifact")
                : ArtifactChoice.namedFullBackup(catalog, env, request.artifactId(), "a snapshot needs a full backup");
        SnapshotJob job = new SnapshotJob(queued == null ? null : queued.runId(), request, env, artifact, clock.instant(),
                new SecretRedactor(EnvironmentSecrets.of(env)));
        if (queued != null) job.lease(queued.lease());
        return job;
    }

    /**
     * Node admit-snapshot of direct:admit (service mode, before a queued run is recorded): a snapshot request whose
     * artifact {@link #prepare} would refuse is refused now, the same way; any other request passes unchanged.
     */
    public dev.odooops.model.EnvironmentRequest admit(dev.odooops.model.EnvironmentRequest request) {
        if (request instanceof SnapshotRequest s) prepare(s, null);
        return request;
    }

    /** Step create-snapshot-run. */
    public void createRun(@Variable(Vars.STAGING_JOB) SnapshotJob job) {
        Path dir = starter.evidenceDir(job, OPERATION);
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("run_id", job.runId().toString());
        inputs.put("operation", OPERATION);
        inputs.put("environment_id", job.environment().id());
        inputs.put("artifact_id", job.artifact().id());
        inputs.put("artifact_named", job.request().artifactId() != null);
        inputs.put("sanitize", true);
        inputs.put("rules", rules.of(job.environment().project()).source());
        inputs.put("user", job.request().user());
        inputs.put("trigger", job.request().trigger());
        inputs.put("scratch_database", job.scratchDatabase());
        inputs.put("requested_at", job.createdAt().toString());
        starter.start(job, OPERATION, job.request().user(), null, Map.of("kind", OPERATION, "source_artifact_id", job.artifact().id(),
                "trigger", job.request().trigger()), dir, inputs);
        LOG.info("snapshot run {} of {} from artifact {}, evidence in {}", job.runId(), job.environment().id(),
                job.artifact().id(), dir);
    }

    /** Step fetch-artifact: every file of the artifact into the work directory, SHA-256 compared with the catalog's. */
    public void fetch(@Variable(Vars.STAGING_JOB) SnapshotJob job) throws Exception {
        long t0 = System.nanoTime();
        Artifact a = job.artifact();
        Path dir = job.workDir().resolve("artifact");
        WorkFiles.createPrivate(dir);
        ArtifactUnpacking.Fetched fetched = unpacking.fetch(a, a.checksums().keySet(), dir);
        job.files().putAll(fetched.files());
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("artifact_id", a.id());
        report.put("uri", a.uri());
        report.put("files", fetched.checks());
        report.put("ok", fetched.ok());
        job.evidence().json("artifact_verification.json", report);
        fetched.verified();
        if (!job.files().containsKey("db.dump")) throw new IllegalStateException("artifact " + a.id() + " has no db.dump");
        job.millis().put("fetch_ms", (System.nanoTime() - t0) / 1_000_000);
        job.stepDetail(Map.of("files_verified", fetched.checks().size()));
    }

    /** Step restore-scratch-database: pg_restore into the scratch database; the row counts must be the backup's. */
    public void restoreDatabase(@Variable(Vars.STAGING_JOB) SnapshotJob job) throws Exception {
        long t0 = System.nanoTime();
        DatabaseConfig db = job.environment().database();
        String scratch = job.scratchDatabase();
        try (PgAdmin admin = new PgAdmin(db)) {
            admin.dropIfExists(scratch);
            admin.create(scratch, db.name());
        }
        CrashPoints.reached("snapshot:scratch-database-created");
        StringBuilder log = new StringBuilder("created database ").append(scratch).append('\n');
        try (PgPassFile pass = PgPassFile.create(job.workDir(), db)) {
            var result = tools.run(ArtifactUnpacking.pgRestore(db, scratch, job.files().get("db.dump"), restoreSettings.pgRestoreJobs()),
                    restoreSettings.pgRestoreEnvironment(pass.environment(db)), restoreTimeout);
            log.append("pg_restore --exit-on-error --no-owner --no-acl --jobs=").append(restoreSettings.pgRestoreJobs()).append(" --dbname=")
                    .append(scratch).append(" db.dump\n").append(result.stderr().isBlank() ? "pg_restore: no messages\n" : result.stderr());
        } finally {
            job.evidence().text("scratch_restore.log", log.toString());
        }
        ArtifactUnpacking.RowCounts counts = ArtifactUnpacking.rowCounts(db, scratch, job.files().get("db.dump.meta.json"));
        Map<String, Object> mismatches = counts.mismatches();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        job.millis().put("restore_database_ms", ms);
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("database", scratch);
        check.put("tables_expected", counts.tablesExpected());
        check.put("tables_restored", counts.tablesRestored());
        check.put("row_counts_match", mismatches.isEmpty());
        check.put("mismatches", mismatches);
        check.put("duration_ms", ms);
        job.evidence().json("scratch_database.json", check);
        if (!mismatches.isEmpty()) {
            throw new IllegalStateException("the scratch copy differs from the backup in " + mismatches.size() + " table(s): "
                    + mismatches.keySet());
        }
        job.stepDetail(Map.of("database", scratch, "tables", counts.tablesRestored(), "ms", ms));
    }

    /** Step unpack-scratch-filestore: the artifact's filestore in the scratch directory, checked against its digest. */
    public void unpackFilestore(@Variable(Vars.STAGING_JOB) SnapshotJob job) throws Exception {
        long t0 = System.nanoTime();
        Path dir = ScratchCopies.directory(ops.workDir(), PURPOSE, job.runId());
        WorkFiles.deleteTree(dir);
        WorkFiles.createPrivate(dir);
        job.scratchDirectory(dir);
        Map<String, Object> meta = Json.readMap(job.files().get("filestore.meta.json"));
        ArtifactUnpacking.Extracted got = unpacking.extractFilestore(job.environment().project(), job.artifact(), job.files(),
                job.workDir(), dir, job.environment().app());
        String actual = got.treeDigest();
        long count = got.files();
        CrashPoints.reached("snapshot:scratch-filestore-unpacked");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        job.millis().put("unpack_filestore_ms", ms);
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("directory", dir.toString());
        check.put("format", got.packed() ? "packed" : "tar");
        check.put("expected_tree_digest", meta.get("tree_digest"));
        check.put("actual_tree_digest", actual);
        check.put("files", count);
        check.put("ok", actual.equals(meta.get("tree_digest")));
        check.put("duration_ms", ms);
        check.putAll(got.detail());
        job.evidence().json("scratch_filestore.json", check);
        if (!actual.equals(meta.get("tree_digest"))) {
            throw new IllegalStateException("the scratch filestore does not match the tree digest recorded at backup time");
        }
        job.stepDetail(Map.of("files", count, "ms", ms));
    }

    /** Step anonymize: the project's rules with a fresh salt, in the scratch copy only (anonymization.json). */
    /** Connections the anonymisation uses at once. */
    private static final int ANONYMIZE_JOBS = 2;

    public void anonymize(@Variable(Vars.STAGING_JOB) SnapshotJob job) throws Exception {
        long t0 = System.nanoTime();
        byte[] salt = new byte[32];
        RANDOM.nextBytes(salt);
        job.salt(HexFormat.of().formatHex(salt));
        AnonymizationSettings.ProjectRules projectRules = rules.of(job.environment().project());
        Anonymizer.Outcome outcome;
        try {
            // two connections, like pg_restore -j 2: the independent rules run side by side
            outcome = anonymizer.anonymize(() -> EnvironmentDatabase.connect(job.environment().database(), job.scratchDatabase()),
                    ANONYMIZE_JOBS, job.scratchDirectory(), projectRules.rules(), job.salt());
        } finally {
            job.salt(null); // used once, never kept
        }
        CrashPoints.reached("snapshot:anonymized");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        job.millis().put("anonymize_ms", ms);
        Map<String, Object> evidence = new LinkedHashMap<>(outcome.evidence());
        evidence.put("rules_source", projectRules.source());
        evidence.put("salt", "fresh random 256-bit salt of this snapshot, not recorded");
        evidence.put("source_artifact_id", job.artifact().id());
        evidence.put("scratch_database", job.scratchDatabase());
        evidence.put("timings_ms", new LinkedHashMap<>(job.millis()));
        job.evidence().json("anonymization.json", evidence);
        job.stepDetail(Map.of("anonymize_ms", ms));
    }

    /**
     * Step store-snapshot: the backup route's run of the scratch copy, a child of this run, kind sanitized_snapshot: an
     * artifact of the same environment, its packs apart from production's, retained as its own series.
     */
    public void store(@Variable(Vars.STAGING_JOB) SnapshotJob job) throws Exception {
        long t0 = System.nanoTime();
        EnvironmentConfig env = job.environment();
        EnvironmentConfig source = new EnvironmentConfig(env.project(), env.name(), env.type(),
                new DatabaseConfig(env.database().host(), env.database().port(), job.scratchDatabase(), env.database().user(),
                        env.database().password(), env.database().sslmode()),
                job.scratchDirectory(), env.appConf(), env.addonsPaths(), OdooControl.NONE, env.retention(),
                env.filestoreOwner(), List.of(), env.volatileTables(), env.app(), env.customLayout());
        BackupRequest request = new BackupRequest(env.project(), env.name(), BackupType.FULL,
                "sanitized snapshot of " + job.artifact().id(), null, null, null, job.request().user(),
                ArtifactKind.SANITIZED_SNAPSHOT, OPERATION, job.runId()).forced(true);
        BackupResult result = backups.backup(request, source);
        if (!result.succeeded() || result.artifactId() == null) {
            throw new IllegalStateException("storing the snapshot failed in " + result.failedStep() + ": " + result.error());
        }
        job.stored(result.artifactId(), result.runId());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        job.millis().put("store_ms", ms);
        // the artifact's own evidence holds what was done to it
        Path anonymization = job.evidence().dir().resolve("anonymization.json");
        if (result.evidenceDir() != null && Files.exists(anonymization)) {
            // COPY_ATTRIBUTES: the same private mode as every evidence file
            Files.copy(anonymization, Path.of(result.evidenceDir()).resolve("anonymization.json"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.COPY_ATTRIBUTES);
        }
        catalog.runs().mergeRunMetadata(job.runId(), Map.of("artifact_id", result.artifactId(),
                "snapshot_backup_run_id", result.runId()));
        Map<String, Object> stored = new LinkedHashMap<>();
        stored.put("artifact_id", result.artifactId());
        stored.put("kind", ArtifactKind.SANITIZED_SNAPSHOT.wire());
        stored.put("backup_run_id", result.runId());
        stored.put("backup_evidence_dir", result.evidenceDir());
        stored.put("source_artifact_id", job.artifact().id());
        stored.put("duration_ms", ms);
        job.evidence().json("snapshot_artifact.json", stored);
        CrashPoints.reached("snapshot:stored");
        job.stepDetail(Map.of("artifact_id", result.artifactId(), "backup_run_id", result.runId()));
    }

    /** Step drop-scratch: the scratch database and directory, gone. Never fails a stored snapshot: leftovers are warnings. */
    public void dropScratch(@Variable(Vars.STAGING_JOB) SnapshotJob job) {
        Map<String, Object> done = drop(job);
        job.evidence().json("scratch_cleanup.json", done);
        job.stepDetail(done);
    }

    private Map<String, Object> drop(SnapshotJob job) {
        Map<String, Object> done = new LinkedHashMap<>();
        try {
            done.put("databases_dropped", ScratchCopies.dropDatabases(job.environment().database(), job.runId()));
        } catch (Exception e) {
            String why = "scratch database " + job.scratchDatabase() + " not dropped (the next run of the environment or "
                    + "recover drops it): " + job.redactor().scrub(String.valueOf(e.getMessage()));
            done.put("database_left", why);
            job.warn(why);
        }
        Path dir = ScratchCopies.directory(ops.workDir(), PURPOSE, job.runId());
        WorkFiles.deleteTree(dir);
        done.put("directory_removed", dir.toString());
        if (Files.exists(dir)) {
            job.warn("scratch directory " + dir + " not removed");
            done.put("directory_left", dir.toString());
        }
        return done;
    }

    /** Step finish-snapshot: final_status.json, the run success, the lease released; the report. */
    public Report finish(@Variable(Vars.STAGING_JOB) SnapshotJob job) {
        Map<String, Object> body = body(job, "success", null, null);
        job.evidence().json("final_status.json", body);
        catalog.runs().finishRun(job.runId(), RunStatus.SUCCESS, null, null, Map.of("artifact_id", job.snapshotArtifactId(),
                "source_artifact_id", job.artifact().id()));
        RunEnd.release(job);
        LOG.info("snapshot run {} of {} stored artifact {}", job.runId(), job.environment().id(), job.snapshotArtifactId());
        return new Report(true, body);
    }

    /** direct:snapshot-failed: the scratch copies dropped, the run failed in its step; never throws. */
    public Report failed(@Variable(Vars.STAGING_JOB) SnapshotJob job, @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Throwable cause) {
        String step = job.step();
        String reason = job.redactor().scrub(RunEnd.describe(cause));
        LOG.error("snapshot run {} failed in step {}: {}", job.runId(), step, reason);
        Map<String, Object> cleanup = drop(job);
        Map<String, Object> body = body(job, "failed", step, reason);
        body.put("cleanup", cleanup);
        try {
            if (job.evidence() != null) job.evidence().json("final_status.json", body);
        } catch (RuntimeException e) {
            LOG.error("could not write final_status.json of run {}: {}", job.runId(), e.getMessage());
        }
        try {
            catalog.runs().event(job.runId(), "snapshot_failed", step, Map.of("reason", reason, "cleanup", cleanup));
            catalog.runs().finishRun(job.runId(), RunStatus.FAILED, step, reason, Map.of("source_artifact_id", job.artifact().id()));
        } catch (RuntimeException e) {
            LOG.error("could not record the failure of run {} in the ops catalog: {}", job.runId(), e.getMessage());
        }
        RunEnd.release(job);
        return new Report(false, body);
    }

    private static Map<String, Object> body(SnapshotJob job, String status, String step, String reason) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("run_id", job.runId().toString());
        body.put("status", status);
        body.put("operation", OPERATION);
        body.put("environment_id", job.environment().id());
        body.put("artifact_id", job.snapshotArtifactId());
        body.put("kind", ArtifactKind.SANITIZED_SNAPSHOT.wire());
        body.put("source_artifact_id", job.artifact().id());
        body.put("evidence_dir", job.evidence() == null ? null : job.evidence().dir().toString());
        if (step != null) body.put("failed_step", step);
        if (reason != null) body.put("error", reason);
        body.put("timings_ms", new LinkedHashMap<>(job.millis()));
        if (!job.warnings().isEmpty()) body.put("warnings", job.warnings());
        body.put("finished_at", Instant.now().toString());
        return body;
    }
}
