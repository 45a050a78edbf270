package dev.odooops.drill;

import dev.odooops.domain.DrillVerdict;

import dev.odooops.config.DatabaseConfig;
import dev.odooops.config.DrillSettings;
import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.EnvironmentSecrets;
import dev.odooops.config.OpsConfig;
import dev.odooops.config.Settings;
import dev.odooops.domain.AppProfile;
import dev.odooops.domain.BackupGaps;
import dev.odooops.domain.DatabaseProgress;
import dev.odooops.domain.Json;
import dev.odooops.domain.RequestRejected;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.exec.CrashPoints;
import dev.odooops.exec.PgPassFile;
import dev.odooops.exec.ToolRunner;
import dev.odooops.exec.WorkFiles;
import dev.odooops.model.Artifact;
import dev.odooops.model.ArtifactKind;
import dev.odooops.model.DrillRequest;
import dev.odooops.model.EnvironmentRequest;
import dev.odooops.model.QueuedRun;
import dev.odooops.model.Report;
import dev.odooops.model.RunStatus;
import dev.odooops.odoo.Neutralizer;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.postgres.DolibarrState;
import dev.odooops.postgres.EnvironmentDatabase;
import dev.odooops.postgres.PgAdmin;
import dev.odooops.postgres.TableCounts;
import dev.odooops.restore.ArtifactUnpacking;
import dev.odooops.run.ArtifactChoice;
import dev.odooops.run.RunEnd;
import dev.odooops.run.RunStarter;
import dev.odooops.run.Vars;
import dev.odooops.staging.ScratchCopies;
import dev.odooops.store.StoreLocator;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The restore drill (issue 16, section 1), one bean method per node of routes/drill.camel.yaml:
 * <ol>
 *   <li>{@link #prepare} (check-drill-request): the artifact, the environment's newest live full backup or the one
 *   named (the environment's, full, live); refused naming the field before any run exists;</li>
 *   <li>{@link #createRun} (create-drill-run): the run (operation {@code drill}, evidence
 *   {@code <root>/<day>/drill/<run>/}), or the queued run a service channel recorded. A drill does not take the
 *   environment's one active place (V23): a backup or a restore runs beside it; its start reads the environment's
 *   active runs (ops.begin_run) and sweeps nothing of the environment (run.RunStarter);</li>
 *   <li>{@link #takeLease} (take-lease): the drills of the environment a {@code kill -9} left swept ({@link DrillSweep}),
 *   then the drill's row (ops.drills: its lease on the artifact and packs) naming its scratch copies and server,
 *   BEFORE any of them exists;</li>
 *   <li>{@link #fetch} (fetch-drill-artifact): the artifact's files, each SHA-256 compared with the catalog's, decrypted;</li>
 *   <li>{@link #restoreDatabase} (restore-drill-database): the scratch database on the drill server
 *   ({@code drills.database}, as its own role, {@code pg_restore --no-owner}) or the environment's own;</li>
 *   <li>{@link #unpackFilestore} (unpack-drill-filestore): the filestore extracted from the store (archive or
 *   packs; never linked from the live filestore) into {@code <data_dir>/filestore/<scratch database>};</li>
 *   <li>{@link #validate} (validate-drill): row counts, modules, data samples, referenced files' SHA-1, tree digest
 *   (drill.json); any failed check fails the drill;</li>
 *   <li>{@link #startOdoo} (start-odoo, with {@code drills.command} only): a disposable clone, neutralised, the
 *   command run on it, the clone dropped;</li>
 *   <li>{@link #keepOrDrop} (keep-or-drop): the scratch copies dropped, unless {@link DrillJob#keep()} (the standby's
 *   hook);</li>
 *   <li>{@link #finish} (finish-drill): the RTO, the drill row passed, the run success.</li>
 * </ol>
 * A failure anywhere goes to {@link #failed} (direct:drill-failed): the copies dropped, the drill row and the
 * artifact's last drill failed, the run failed. The environment itself (database, filestore, Odoo) is never touched.
 */
public class RestoreDrill {
    private static final Logger LOG = LoggerFactory.getLogger(RestoreDrill.class);
    /** The run's {@code operation_type}. */
    public static final String OPERATION = DrillRequest.OPERATION;

    private final OpsConfig config;
    private final Settings.Ops ops;
    private final OpsCatalog catalog;
    private final ToolRunner tools;
    private final RunStarter starter;
    private final DrillSettings drills;
    private final DrillSweep sweep;
    private final Neutralizer neutralizer;
    private final Clock clock;
    private final Duration restoreTimeout;
    private final Settings.Restore restoreSettings;
    private final ArtifactUnpacking unpacking;
    private final ScratchOdoo scratchOdoo;

    public RestoreDrill(OpsConfig config, Settings.Ops ops, Settings.Restore restore, Settings.Backup backup, OpsCatalog catalog,
                        StoreLocator stores, ToolRunner tools, RunStarter starter, DrillSettings drills, DrillSweep sweep,
                        Neutralizer neutralizer, Clock clock) {
        this.config = config;
        this.ops = ops;
        this.catalog = catalog;
        this.tools = tools;
        this.starter = starter;
        this.drills = drills;
        this.sweep = sweep;
        this.neutralizer = neutralizer;
        this.clock = clock;
        this.restoreTimeout = Duration.ofSeconds(restore.pgRestoreTimeoutSeconds());
        this.restoreSettings = restore;
        this.unpacking = new ArtifactUnpacking(tools, catalog, stores, Duration.ofSeconds(backup.archiveTimeoutSeconds()),
                restore.packFetchParallelism());
        this.scratchOdoo = new ScratchOdoo(tools, neutralizer);
    }

    /** Step check-drill-request: the job, or a rejection naming the field (no run exists yet). */
    public DrillJob prepare(DrillRequest request, @Variable(Vars.QUEUED_RUN) QueuedRun queued) {
        EnvironmentConfig env = config.environment(request.project(), request.environment()).orElseThrow(() ->
                new RequestRejected("env", "project '" + request.project() + "' has no environment '" + request.environment() + "'",
                        RequestRejected.Reason.NOT_FOUND));
        Artifact artifact = request.artifactId() == null
                ? ArtifactChoice.newestFullBackup(catalog, env, "artifact", "to drill", "take a backup first, or name one with --artifact")
                : ArtifactChoice.namedFullBackup(catalog, env, request.artifactId(), "a drill restores a full backup");
        DrillSettings.Drill drill = drills.forEnvironment(env);
        List<String> secrets = new java.util.ArrayList<>(EnvironmentSecrets.of(env));
        if (drill.database() != null && drill.database().password() != null) secrets.add(drill.database().password().reveal());
        DrillJob job = new DrillJob(queued == null ? null : queued.runId(), request, env, artifact, drill, ops.workDir(),
                clock.instant(), new SecretRedactor(secrets));
        if (queued != null) job.lease(queued.lease());
        return job;
    }

    /** Node admit-drill of direct:admit: a drill request {@link #prepare} would refuse is refused before it is queued. */
    public EnvironmentRequest admit(EnvironmentRequest request) {
        if (request instanceof DrillRequest d) prepare(d, null);
        return request;
    }

    /** Step create-drill-run: the run; its start is the RTO's. */
    public void createRun(@Variable(Vars.STAGING_JOB) DrillJob job) {
        job.started();
        Path dir = starter.evidenceDir(job, OPERATION);
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("run_id", job.runId().toString());
        inputs.put("operation", OPERATION);
        inputs.put("environment_id", job.environment().id());
        inputs.put("artifact_id", job.artifact().id());
        inputs.put("artifact_named", job.request().artifactId() != null);
        inputs.put("server", DrillNames.server(job.server()) + (job.onOwnServer() ? " (the environment's own)" : " (drill server)"));
        inputs.put("scratch_database", job.scratchDatabase());
        inputs.put("scratch_filestore", job.scratchFilestore().toString());
        inputs.put("command", job.drill().command());
        inputs.put("user", job.request().user());
        inputs.put("trigger", job.request().trigger());
        inputs.put("requested_at", job.createdAt().toString());
        starter.start(job, OPERATION, job.request().user(), null, Map.of("kind", OPERATION, "artifact_id", job.artifact().id(),
                "trigger", job.request().trigger()), dir, inputs);
        LOG.info("drill run {} of {} on artifact {}, evidence in {}", job.runId(), job.environment().id(), job.artifact().id(), dir);
    }

    /**
     * Step take-lease: the leftovers of the environment's drills that died swept, then the drill recorded with its
     * scratch names and server (the lease on the artifact), before anything is made. Fails when the artifact is no
     * longer live (its removal began since prepare).
     */
    public void takeLease(@Variable(Vars.STAGING_JOB) DrillJob job) {
        List<Object> swept = sweep.sweepDrills(job.environment(), job.redactor());
        if (!swept.isEmpty()) {
            job.swept().put("drills", swept);
            catalog.runs().event(job.runId(), "drills_swept", "take-lease", Map.of("actions", swept.stream().map(String::valueOf).toList()));
        }
        boolean taken = catalog.drills().begin(job.runId(), job.environment().project(), job.environment().id(), job.artifact().id(),
                DrillNames.server(job.server()), job.scratchDatabase(), job.scratchFilestore().toString());
        if (!taken) {
            throw new IllegalStateException("artifact " + job.artifact().id() + " is no longer live (pruned, or its removal is "
                    + "under way): nothing to drill");
        }
        job.leased(true);
        job.stepDetail(Map.of("server", DrillNames.server(job.server()), "scratch_database", job.scratchDatabase()));
    }

    /** Step fetch-drill-artifact: every file of the artifact into the work directory, SHA-256 compared, decrypted. */
    public void fetch(@Variable(Vars.STAGING_JOB) DrillJob job) throws Exception {
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
        job.millis().put("fetch_ms", ms(t0));
        job.stepDetail(Map.of("files_verified", fetched.checks().size()));
    }

    /** Step restore-drill-database: pg_restore of the dump into the scratch database (on the drill server when set). */
    public void restoreDatabase(@Variable(Vars.STAGING_JOB) DrillJob job) throws Exception {
        long t0 = System.nanoTime();
        DatabaseConfig db = job.server();
        String scratch = job.scratchDatabase();
        try (PgAdmin admin = new PgAdmin(db)) {
            admin.dropIfExists(scratch);
            admin.create(scratch, job.onOwnServer() ? job.environment().database().name() : db.name());
        }
        CrashPoints.reached("drill:scratch-database-created");
        StringBuilder log = new StringBuilder("created database ").append(scratch).append(" on ").append(DrillNames.server(db)).append('\n');
        long restoreMs;
        try (PgPassFile pass = PgPassFile.create(job.workDir(), db)) {
            Path dump = job.files().get("db.dump");
            long source = sourceBytes(job.files().get("db.dump.meta.json"));
            var result = tools.run(ArtifactUnpacking.pgRestore(db, scratch, dump, restoreSettings.pgRestoreJobs()),
                    restoreSettings.pgRestoreEnvironment(pass.environment(db)), restoreTimeout,
                    new ToolRunner.Progress("scratch database " + scratch, () -> DatabaseProgress.restored(size(db, scratch), source), source));
            restoreMs = result.millis();
            log.append("pg_restore --exit-on-error --no-owner --no-acl --jobs=").append(restoreSettings.pgRestoreJobs()).append(" --dbname=")
                    .append(scratch).append(" db.dump (").append(Files.size(dump)).append(" bytes) in ").append(restoreMs).append(" ms\n")
                    .append(result.stderr().isBlank() ? "pg_restore: no messages\n" : result.stderr());
        } finally {
            job.evidence().text("scratch_restore.log", log.toString());
        }
        CrashPoints.reached("drill:scratch-database-restored");
        long ms = ms(t0);
        job.millis().put("restore_database_ms", ms);
        job.millis().put("pg_restore_ms", restoreMs);
        job.stepDetail(Map.of("database", scratch, "server", DrillNames.server(db), "ms", ms));
    }

    /** Step unpack-drill-filestore: the artifact's filestore extracted into the scratch data directory. */
    public void unpackFilestore(@Variable(Vars.STAGING_JOB) DrillJob job) throws Exception {
        long t0 = System.nanoTime();
        WorkFiles.createPrivate(job.dataDir());
        Path dir = job.scratchFilestore();
        WorkFiles.deleteTree(dir);
        Files.createDirectories(dir);
        ArtifactUnpacking.Extracted got = unpacking.extractFilestore(job.environment().project(), job.artifact(), job.files(),
                job.workDir(), dir, job.environment().app());
        String actual = got.treeDigest();
        long count = got.files();
        job.unpacked(actual, count);
        CrashPoints.reached("drill:scratch-filestore-unpacked");
        long ms = ms(t0);
        job.millis().put("unpack_filestore_ms", ms);
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("directory", dir.toString());
        check.put("format", got.packed() ? "packed" : "tar");
        check.put("files", count);
        check.put("duration_ms", ms);
        check.putAll(got.detail());
        job.evidence().json("scratch_filestore.json", check);
        job.stepDetail(Map.of("files", count, "ms", ms));
    }

    /**
     * Step validate-drill: every check that needs no live Odoo, on the scratch copies (drill.json). Any failed check fails
     * the drill; all passed: the drill is validated (the RTO so far).
     */
    public void validate(@Variable(Vars.STAGING_JOB) DrillJob job) throws Exception {
        long t0 = System.nanoTime();
        AppProfile app = job.environment().app();
        Path dbMeta = job.files().get("db.dump.meta.json");
        Map<String, Long> expectedRows = null;
        if (dbMeta != null && Json.readMap(dbMeta).get("row_counts") instanceof Map<?, ?> counts) {
            expectedRows = new TreeMap<>();
            for (Map.Entry<?, ?> e : counts.entrySet()) expectedRows.put(String.valueOf(e.getKey()), ((Number) e.getValue()).longValue());
        }
        Path fsMeta = job.files().get("filestore.meta.json");
        Map<String, Object> meta = fsMeta == null ? Map.of() : Json.readMap(fsMeta);
        BackupGaps gaps = meta.isEmpty() ? BackupGaps.NONE : BackupGaps.of(meta);
        String expectedDigest = meta.get("tree_digest") instanceof String s ? s
                : job.artifact().manifest().filestore() == null ? null : job.artifact().manifest().filestore().treeDigest();
        try (Connection c = EnvironmentDatabase.connect(job.server(), job.scratchDatabase())) {
            job.check(DrillChecks.rowCounts(expectedRows, TableCounts.of(c)));
            job.check(ScratchValidation.guard("modules", () -> DrillChecks.modules(job.artifact().modulesInstalled(),
                    app == AppProfile.DOLIBARR ? DolibarrState.enabledModules(c) : ScratchValidation.odooModules(c))));
            job.check(ScratchValidation.guard("data_samples", () -> DrillChecks.samples(ScratchValidation.samples(c, app))));
            job.check(ScratchValidation.guard("attachments", () -> ScratchValidation.attachments(c, app, job.scratchFilestore(), gaps)));
        }
        job.check(DrillChecks.treeDigest(expectedDigest, job.actualTreeDigest(), job.filestoreFiles()));
        long ms = ms(t0);
        job.millis().put("validate_ms", ms);
        List<DrillChecks.Check> failed = job.checks().stream().filter(DrillChecks.Check::failed).toList();
        if (failed.isEmpty()) job.validated();
        writeDrillJson(job);
        job.stepDetail(Map.of("checks", job.checks().size(), "failed", failed.size(), "ms", ms));
        if (!failed.isEmpty()) {
            throw new dev.odooops.domain.ArtifactJudged("drill validation failed: " + String.join("; ",
                    failed.stream().map(f -> f.name() + ": " + f.detail()).toList()));
        }
    }

    /**
     * Step start-odoo (only with {@code drills.command}): the command run on a neutralised disposable clone of the
     * scratch copies ({@link ScratchOdoo}); its outcome is the check {@code odoo_start}.
     */
    public void startOdoo(@Variable(Vars.STAGING_JOB) DrillJob job) throws Exception {
        if (!job.drill().startsOdoo()) {
            job.check(DrillChecks.command(false, false, null));
            writeDrillJson(job);
            return;
        }
        DrillChecks.Check outcome = scratchOdoo.run(job);
        job.check(new DrillChecks.Check(outcome.name(), outcome.status(), job.redactor().scrub(outcome.detail())));
        if (outcome.failed()) {
            writeDrillJson(job);
            throw new dev.odooops.domain.ArtifactJudged("the drill command failed: " + job.redactor().scrub(outcome.detail()));
        }
        job.validated();
        writeDrillJson(job);
        job.stepDetail(Map.of("odoo_ms", job.millis().get("odoo_ms")));
    }

    /**
     * Step keep-or-drop: the scratch copies dropped (scratch_cleanup.json), unless the job is to keep them (the warm
     * standby's hook, {@link DrillJob#keep()}: then they stay and this records so).
     */
    public void keepOrDrop(@Variable(Vars.STAGING_JOB) DrillJob job) throws Exception {
        String notKept = standbyRefusal(job);
        if (notKept == null) job.keep(true);
        if (job.keep()) {
            // the warm standby (WarmStandby.keep): the copies closed, fingerprinted and renamed beside the live ones
            Map<String, Object> kept = null;
            try {
                kept = sweep.standby().keep(job);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw e;
            } catch (Exception e) {
                // the drill has validated the artifact: it passes; only the standby is not kept (keep removed its half-made
                // copies, the scratch ones are dropped below) and the one kept before, if any, stays as it was. A row that
                // names this drill (its commit went through, then the call failed) is removed and the sweep drops what it
                // named, as for a failed drill
                String why = job.redactor().scrub(RunEnd.describe(e));
                LOG.warn("drill run {}: the standby of {} was not kept: {}", job.runId(), job.environment().id(), why);
                job.warn("standby not kept: " + why);
                job.keep(false);
                notKept = "keeping it failed: " + why;
                try {
                    if (catalog.drills().removeStandby(job.environment().id(), job.runId())) {
                        job.warn("standby row of this drill removed: " + sweep.standby().sweep(job.environment(), job.redactor()));
                    }
                } catch (RuntimeException left) {
                    job.warn("standby of this drill may be left for the next sweep: " + job.redactor().scrub(String.valueOf(left.getMessage())));
                }
            }
            if (kept != null) {
                job.standby(kept);
                job.evidence().json("standby.json", kept);
                writeDrillJson(job);
                Map<String, Object> cleanup = new LinkedHashMap<>(drop(job)); // the scratch directory the filestore left
                cleanup.put("kept_as_standby", Map.of("database", kept.get("database"), "filestore", kept.get("filestore")));
                job.evidence().json("scratch_cleanup.json", cleanup);
                job.stepDetail(Map.of("standby", true, "bytes", kept.get("bytes")));
                return;
            }
        }
        if (job.drill().standby()) {
            job.standby(Map.of("kept", false, "reason", notKept));
            job.evidence().json("standby.json", job.standby());
            writeDrillJson(job);
        }
        Map<String, Object> done = drop(job);
        job.evidence().json("scratch_cleanup.json", done);
        job.stepDetail(done);
    }

    /**
     * Why this drill keeps no standby (null: it keeps one): standby is off, or the artifact is not the environment's
     * newest live full backup (kind backup) any more. A drill that failed never reaches keep-or-drop.
     */
    private String standbyRefusal(DrillJob job) {
        if (!job.drill().standby()) return "drills.standby is off";
        if (!job.onOwnServer()) return "the drill ran on another server";
        if (!ArtifactKind.BACKUP.wire().equals(job.artifact().kind())) return "artifact " + job.artifact().id() + " is a " + job.artifact().kind();
        Artifact newest;
        try {
            newest = ArtifactChoice.newestFullBackup(catalog, job.environment(), "artifact", "to keep", "a standby keeps the newest");
        } catch (RequestRejected e) {
            return e.getMessage();
        }
        if (!newest.id().equals(job.artifact().id())) {
            return "artifact " + job.artifact().id() + " is not the newest full backup (" + newest.id() + " is)";
        }
        return null;
    }

    /** Step finish-drill: the drill row passed with its RTO and checks, final_status.json, the run success; the report. */
    public Report finish(@Variable(Vars.STAGING_JOB) DrillJob job) {
        catalog.drills().pass(job.runId(), job.rtoMs(), DrillChecks.toMap(job.checks()));
        Map<String, Object> body = body(job, "success", null, null);
        job.evidence().json("final_status.json", body);
        Map<String, Object> metadata = new LinkedHashMap<>(Map.of("artifact_id", job.artifact().id(), "rto_ms", job.rtoMs()));
        if (job.standby() != null) metadata.put("standby", standbySummary(job.standby()));
        catalog.runs().finishRun(job.runId(), RunStatus.SUCCESS, null, null, metadata);
        RunEnd.release(job);
        LOG.info("drill run {} of {} passed on artifact {}: RTO {} ms", job.runId(), job.environment().id(), job.artifact().id(),
                job.rtoMs());
        return new Report(true, body);
    }

    /** direct:drill-failed: the copies dropped, the drill row and the artifact's last drill failed, the run failed. */
    public Report failed(@Variable(Vars.STAGING_JOB) DrillJob job, @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Throwable cause) {
        String step = job.step();
        String reason = job.redactor().scrub(RunEnd.describe(cause));
        DrillVerdict verdict = DrillVerdict.of(cause);
        LOG.error("drill run {} failed in step {} ({}): {}", job.runId(), step,
                verdict.inconclusive() ? "inconclusive, the artifact keeps its last verdict: " + verdict.why() : "the artifact is flagged",
                reason);
        Map<String, Object> cleanup = drop(job);
        if (job.standby() != null && Boolean.TRUE.equals(job.standby().get("kept"))) {
            // never a standby from a drill that failed: unrecorded, the sweep drops its copies
            try {
                catalog.drills().removeStandby(job.environment().id(), job.runId());
                cleanup.put("standby", sweep.standby().sweep(job.environment(), job.redactor()));
            } catch (RuntimeException e) {
                cleanup.put("standby_left", e.getMessage());
            }
        }
        Map<String, Object> body = body(job, "failed", step, reason);
        body.put("drill", verdict.status());
        if (verdict.inconclusive()) body.put("inconclusive_because", verdict.why());
        body.put("cleanup", cleanup);
        try {
            if (job.evidence() != null) {
                writeDrillJson(job, verdict);
                job.evidence().json("final_status.json", body);
            }
        } catch (RuntimeException e) {
            LOG.error("could not write the evidence of run {}: {}", job.runId(), e.getMessage());
        }
        try {
            if (job.leased()) {
                Map<String, Object> checks = DrillChecks.toMap(job.checks());
                checks.put("failed_step", Map.of("status", DrillChecks.FAILED, "detail", step + ": " + reason));
                catalog.drills().fail(job.runId(), verdict, checks, reason);
            }
            catalog.runs().event(job.runId(), "drill_failed", step, Map.of("reason", reason, "cleanup", cleanup));
            catalog.runs().finishRun(job.runId(), RunStatus.FAILED, step, reason, Map.of("artifact_id", job.artifact().id()));
        } catch (RuntimeException e) {
            LOG.error("could not record the failure of run {} in the ops catalog: {}", job.runId(), e.getMessage());
        }
        RunEnd.release(job);
        return new Report(false, body);
    }

    /** The scratch databases of the run (scratch and clone) on its server and its data directory, gone. Never throws. */
    private Map<String, Object> drop(DrillJob job) {
        Map<String, Object> done = new LinkedHashMap<>();
        try {
            done.put("databases_dropped", ScratchCopies.dropDatabases(job.server(), job.runId()));
        } catch (Exception e) {
            String why = "scratch database " + job.scratchDatabase() + " on " + DrillNames.server(job.server())
                    + " not dropped (recover or the next drill drops it): " + job.redactor().scrub(String.valueOf(e.getMessage()));
            done.put("database_left", why);
            job.warn(why);
        }
        WorkFiles.deleteTree(job.dataDir());
        done.put("directory_removed", job.dataDir().toString());
        if (Files.exists(job.dataDir())) {
            job.warn("scratch directory " + job.dataDir() + " not removed");
            done.put("directory_left", job.dataDir().toString());
        }
        return done;
    }

    private void writeDrillJson(DrillJob job) {
        writeDrillJson(job, null);
    }

    /** drill.json; with the verdict of a drill that did not pass (what it says of the artifact, and why). */
    private void writeDrillJson(DrillJob job, DrillVerdict verdict) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_id", job.runId().toString());
        m.put("environment_id", job.environment().id());
        m.put("artifact_id", job.artifact().id());
        m.put("server", DrillNames.server(job.server()));
        m.put("own_server", job.onOwnServer());
        m.put("scratch_database", job.scratchDatabase());
        m.put("scratch_filestore", job.scratchFilestore().toString());
        m.put("checks", DrillChecks.toMap(job.checks()));
        m.put("summary", DrillChecks.summary(job.checks()));
        m.put("rto_ms", job.rtoMs());
        m.put("timings_ms", new LinkedHashMap<>(job.millis()));
        if (job.standby() != null) m.put("standby", standbySummary(job.standby()));
        if (verdict != null) {
            m.put("drill", verdict.status());
            if (verdict.inconclusive()) m.put("inconclusive_because", verdict.why());
        }
        job.evidence().json("drill.json", m);
    }

    private static Map<String, Object> body(DrillJob job, String status, String step, String reason) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("run_id", job.runId().toString());
        body.put("status", status);
        body.put("operation", OPERATION);
        body.put("drill", "success".equals(status) ? "passed" : "failed");
        body.put("environment_id", job.environment().id());
        body.put("artifact_id", job.artifact().id());
        body.put("rto_ms", job.rtoMs());
        body.put("server", DrillNames.server(job.server()));
        body.put("checks", DrillChecks.summary(job.checks()));
        if (job.standby() != null) body.put("standby", standbySummary(job.standby()));
        body.put("evidence_dir", job.evidence() == null ? null : job.evidence().dir().toString());
        if (step != null) body.put("failed_step", step);
        if (reason != null) body.put("error", reason);
        body.put("timings_ms", new LinkedHashMap<>(job.millis()));
        if (!job.warnings().isEmpty()) body.put("warnings", job.warnings());
        body.put("finished_at", Instant.now().toString());
        return body;
    }

    /** The standby's outcome as the result and drill.json show it: kept (names, bytes) or not (the reason). */
    private static Map<String, Object> standbySummary(Map<String, Object> s) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String k : List.of("kept", "reason", "database", "filestore", "bytes", "database_bytes", "filestore_unshared_bytes")) {
            if (s.get(k) != null) out.put(k, s.get(k));
        }
        return out;
    }

    private static long sourceBytes(Path dumpMeta) {
        try {
            return dumpMeta != null && Json.readMap(dumpMeta).get("database_bytes") instanceof Number n ? n.longValue() : 0;
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static long size(DatabaseConfig db, String name) {
        try (PgAdmin admin = new PgAdmin(db)) {
            return admin.size(name);
        } catch (Exception e) {
            return 0;
        }
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
