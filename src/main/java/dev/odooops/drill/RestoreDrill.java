package dev.odooops.drill;

import dev.odooops.config.DatabaseConfig;
import dev.odooops.config.DrillSettings;
import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.EnvironmentSecrets;
import dev.odooops.config.OdooControl;
import dev.odooops.config.OpsConfig;
import dev.odooops.config.Settings;
import dev.odooops.domain.AppProfile;
import dev.odooops.domain.ArtifactManifest;
import dev.odooops.domain.BackupGaps;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.DatabaseProgress;
import dev.odooops.domain.FilestoreCheck;
import dev.odooops.domain.FilestoreIndex;
import dev.odooops.domain.Json;
import dev.odooops.domain.RequestRejected;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.domain.TreeDigest;
import dev.odooops.exec.CrashPoints;
import dev.odooops.exec.PgPassFile;
import dev.odooops.exec.ToolFailedException;
import dev.odooops.exec.ToolRunner;
import dev.odooops.exec.WorkFiles;
import dev.odooops.model.Artifact;
import dev.odooops.model.ArtifactKind;
import dev.odooops.model.BackupType;
import dev.odooops.model.DrillRequest;
import dev.odooops.model.EnvironmentRequest;
import dev.odooops.model.QueuedRun;
import dev.odooops.model.Report;
import dev.odooops.model.RunStatus;
import dev.odooops.odoo.Neutralizer;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.postgres.AttachmentReferences;
import dev.odooops.postgres.DolibarrState;
import dev.odooops.postgres.EnvironmentDatabase;
import dev.odooops.postgres.PgAdmin;
import dev.odooops.postgres.TableCounts;
import dev.odooops.restore.ArtifactUnpacking;
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

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

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
    /** How long a scratch Odoo server gets to stop before it is killed. */
    static final Duration STOP_GRACE = Duration.ofSeconds(10);

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
    private final int restoreJobs;
    private final ArtifactUnpacking unpacking;

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
        this.restoreJobs = restore.pgRestoreJobs();
        this.unpacking = new ArtifactUnpacking(tools, catalog, stores, Duration.ofSeconds(backup.archiveTimeoutSeconds()));
    }

    /** Step check-drill-request: the job, or a rejection naming the field (no run exists yet). */
    public DrillJob prepare(DrillRequest request, @Variable(Vars.QUEUED_RUN) QueuedRun queued) {
        EnvironmentConfig env = config.environment(request.project(), request.environment()).orElseThrow(() ->
                new RequestRejected("env", "project '" + request.project() + "' has no environment '" + request.environment() + "'",
                        RequestRejected.Reason.NOT_FOUND));
        Artifact artifact = request.artifactId() == null ? newest(env) : named(env, request.artifactId());
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

    private Artifact newest(EnvironmentConfig env) {
        List<Artifact> live = catalog.artifacts().liveArtifacts(env.project()).stream()
                .filter(a -> a.environmentId().equals(env.id()) && ArtifactKind.BACKUP.wire().equals(a.kind())
                        && BackupType.FULL.wire().equals(a.backupType())).toList();
        if (live.isEmpty()) {
            throw new RequestRejected("artifact", env.id() + " has no live full backup to drill (take a backup first, or "
                    + "name one with --artifact)", RequestRejected.Reason.NOT_FOUND);
        }
        return live.get(live.size() - 1);
    }

    private Artifact named(EnvironmentConfig env, String id) {
        Artifact a = catalog.artifacts().artifact(id).orElseThrow(() ->
                new RequestRejected("artifact", "no artifact '" + id + "' in the ops catalog", RequestRejected.Reason.NOT_FOUND));
        if (!a.environmentId().equals(env.id())) {
            throw new RequestRejected("artifact", "artifact '" + id + "' belongs to " + a.environmentId() + ", not to " + env.id());
        }
        if (a.prunedAt() != null) throw new RequestRejected("artifact", "artifact '" + id + "' was pruned at " + a.prunedAt());
        if (!BackupType.FULL.wire().equals(a.backupType())) {
            throw new RequestRejected("artifact", "artifact '" + id + "' is " + a.backupType() + ": a drill restores a full backup");
        }
        return a;
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
            var result = tools.run(ArtifactUnpacking.pgRestore(db, scratch, dump, restoreJobs), pass.environment(db), restoreTimeout,
                    new ToolRunner.Progress("scratch database " + scratch, () -> DatabaseProgress.restored(size(db, scratch), source), source));
            restoreMs = result.millis();
            log.append("pg_restore --exit-on-error --no-owner --no-acl --jobs=").append(restoreJobs).append(" --dbname=")
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
        Path metaFile = job.files().get("filestore.meta.json");
        Map<String, Object> meta = metaFile == null ? Map.of() : Json.readMap(metaFile);
        boolean packed = job.artifact().manifest().format() == ArtifactManifest.FORMAT_PACKED;
        String actual;
        long count;
        Map<String, Object> detail = new LinkedHashMap<>();
        if (packed) {
            FilestoreIndex index = FilestoreIndex.parse(Files.readString(job.files().get(FilestoreIndex.FILE)));
            var unpacked = unpacking.unpackPacks(job.environment().project(), job.artifact().manifest(), index.entries(),
                    job.workDir(), pack -> job.workDir().resolve("pack-" + pack), (e, got) -> {
                        Path target = dir.resolve(e.path());
                        Files.createDirectories(target.getParent());
                        Files.move(got, target, StandardCopyOption.REPLACE_EXISTING);
                    });
            detail.put("packs_fetched", unpacked.packs());
            detail.put("bytes", unpacked.bytes());
            count = index.entries().size();
            var found = dev.odooops.domain.FilestoreInventory.of(dir, job.environment().app());
            actual = found.others().isEmpty() ? ArtifactUnpacking.verifiedTree(found.files(), index)
                    : "differs: " + found.others().size() + " entr(ies) neither a regular file nor a directory";
        } else {
            Path archive = job.files().get("filestore.tar.zst");
            if (archive == null) throw new IllegalStateException("artifact " + job.artifact().id() + " has no filestore archive");
            long maxBytes = meta.get("total_bytes") instanceof Number n ? n.longValue() : -1;
            unpacking.unpackArchive(archive, maxBytes, dir, check -> detail.put("archive_check", check));
            int version = meta.get("tree_digest_version") instanceof Number n ? n.intValue() : TreeDigest.V1;
            TreeDigest.Result tree = TreeDigest.of(dir, version, job.environment().app());
            actual = tree.digest();
            count = tree.fileCount();
        }
        job.unpacked(actual, count);
        CrashPoints.reached("drill:scratch-filestore-unpacked");
        long ms = ms(t0);
        job.millis().put("unpack_filestore_ms", ms);
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("directory", dir.toString());
        check.put("format", packed ? "packed" : "tar");
        check.put("files", count);
        check.put("duration_ms", ms);
        check.putAll(detail);
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
            job.check(guard("modules", () -> DrillChecks.modules(job.artifact().modulesInstalled(),
                    app == AppProfile.DOLIBARR ? DolibarrState.enabledModules(c) : odooModules(c))));
            job.check(guard("data_samples", () -> DrillChecks.samples(samples(c, app))));
            job.check(guard("attachments", () -> attachments(c, app, job.scratchFilestore(), gaps)));
        }
        job.check(DrillChecks.treeDigest(expectedDigest, job.actualTreeDigest(), job.filestoreFiles()));
        long ms = ms(t0);
        job.millis().put("validate_ms", ms);
        List<DrillChecks.Check> failed = job.checks().stream().filter(DrillChecks.Check::failed).toList();
        if (failed.isEmpty()) job.validated();
        writeDrillJson(job);
        job.stepDetail(Map.of("checks", job.checks().size(), "failed", failed.size(), "ms", ms));
        if (!failed.isEmpty()) {
            throw new IllegalStateException("drill validation failed: " + String.join("; ",
                    failed.stream().map(f -> f.name() + ": " + f.detail()).toList()));
        }
    }

    /**
     * Step start-odoo (only with {@code drills.command}): the scratch database cloned on its server to a disposable
     * database, its filestore copied beside (hard links inside the scratch directory), the clone neutralised (no mail,
     * no cron), then the command run with the placeholders expanded (the password in PGPASSWORD). With
     * {@code health_url} the command is a server: the drill waits for 200 on the URL, then stops its process group;
     * without, it must exit 0 within {@code timeout_seconds}. The clone is dropped either way.
     */
    public void startOdoo(@Variable(Vars.STAGING_JOB) DrillJob job) throws Exception {
        DrillSettings.Drill drill = job.drill();
        if (!drill.startsOdoo()) {
            job.check(DrillChecks.command(false, false, null));
            writeDrillJson(job);
            return;
        }
        long t0 = System.nanoTime();
        DatabaseConfig db = job.server();
        String clone = job.cloneDatabase();
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("clone", clone);
        DrillChecks.Check outcome;
        try {
            cloneDatabase(db, job.scratchDatabase(), clone);
            linkTree(job.scratchFilestore(), job.cloneFilestore());
            CrashPoints.reached("drill:clone-created");
            EnvironmentConfig env = job.environment();
            EnvironmentConfig onServer = new EnvironmentConfig(env.project(), env.name(), env.type(), db, job.cloneFilestore(),
                    env.appConf(), env.addonsPaths(), OdooControl.NONE, env.retention(), env.filestoreOwner(), List.of(),
                    env.volatileTables(), env.app(), env.customLayout());
            evidence.put("neutralization", neutralizer.neutralize(onServer, clone).evidence());
            int port = freePort();
            Map<String, String> values = new LinkedHashMap<>();
            values.put("{database}", clone);
            values.put("{data_dir}", job.dataDir().toString());
            values.put("{db_host}", db.host());
            values.put("{db_port}", String.valueOf(db.port()));
            values.put("{db_user}", db.user());
            values.put("{port}", String.valueOf(port));
            List<String> argv = DrillSettings.expand(drill.command(), values);
            Map<String, String> childEnv = new HashMap<>();
            if (db.password() != null) childEnv.put("PGPASSWORD", db.password().reveal());
            evidence.put("argv", argv);
            evidence.put("port", port);
            Duration timeout = Duration.ofSeconds(drill.timeoutSeconds());
            if (drill.healthUrl() == null) {
                outcome = runToEnd(job.redactor(), argv, childEnv, timeout, evidence);
            } else {
                String url = drill.healthUrl().replace("{port}", String.valueOf(port));
                evidence.put("health_url", url);
                outcome = serve(job, argv, childEnv, url, timeout, evidence);
            }
        } finally {
            Map<String, Object> dropped = dropClone(job);
            evidence.put("clone_dropped", dropped);
            job.millis().put("odoo_ms", ms(t0));
            evidence.put("duration_ms", ms(t0));
            job.evidence().json("drill_odoo.json", evidence);
        }
        job.check(new DrillChecks.Check(outcome.name(), outcome.status(), job.redactor().scrub(outcome.detail())));
        if (outcome.failed()) {
            writeDrillJson(job);
            throw new IllegalStateException("the drill command failed: " + job.redactor().scrub(outcome.detail()));
        }
        job.validated();
        writeDrillJson(job);
        job.stepDetail(Map.of("odoo_ms", job.millis().get("odoo_ms")));
    }

    private DrillChecks.Check runToEnd(SecretRedactor redactor, List<String> argv, Map<String, String> env, Duration timeout,
                                       Map<String, Object> evidence) {
        try {
            var r = tools.runCommand(argv, env, timeout);
            evidence.put("exit_code", r.exitCode());
            evidence.put("output_tail", tail(redactor.scrub(r.stdout() + r.stderr())));
            return DrillChecks.command(true, true, Path.of(argv.get(0)).getFileName() + " exited 0 in " + r.millis() + " ms");
        } catch (ToolFailedException e) {
            evidence.put("exit_code", e.exitCode());
            evidence.put("error", e.getMessage());
            return DrillChecks.command(true, false, e.getMessage());
        }
    }

    private DrillChecks.Check serve(DrillJob job, List<String> argv, Map<String, String> env, String url, Duration timeout,
                                    Map<String, Object> evidence) throws IOException, InterruptedException {
        Path log = job.workDir().resolve("drill-odoo.log");
        ToolRunner.Server server = tools.startCommand(argv, env, log);
        long deadline = System.nanoTime() + timeout.toNanos();
        int last = -1;
        try {
            while (System.nanoTime() < deadline) {
                last = status(url);
                if (last == 200) break;
                if (!server.alive()) break;
                Thread.sleep(250);
            }
        } finally {
            server.stop(STOP_GRACE);
            if (Files.exists(log)) evidence.put("output_tail", tail(job.redactor().scrub(Files.readString(log))));
        }
        evidence.put("last_status", last);
        if (last == 200) return DrillChecks.command(true, true, url + " answered 200");
        return DrillChecks.command(true, false, server.alive() ? url + " did not answer 200 within " + timeout.toSeconds() + " s (last "
                + last + ")" : Path.of(argv.get(0)).getFileName() + " ended (exit " + safeExit(server) + ") before " + url + " answered 200");
    }

    private static String safeExit(ToolRunner.Server server) {
        try {
            return String.valueOf(server.exitValue());
        } catch (IllegalThreadStateException e) {
            return "?";
        }
    }

    private static int status(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(2000);
            try {
                return c.getResponseCode();
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return -1;
        }
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
            Map<String, Object> kept = sweep.standby().keep(job);
            job.standby(kept);
            job.evidence().json("standby.json", kept);
            writeDrillJson(job);
            Map<String, Object> cleanup = new LinkedHashMap<>(drop(job)); // the scratch directory the filestore left
            cleanup.put("kept_as_standby", Map.of("database", kept.get("database"), "filestore", kept.get("filestore")));
            job.evidence().json("scratch_cleanup.json", cleanup);
            job.stepDetail(Map.of("standby", true, "bytes", kept.get("bytes")));
            return;
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
            newest = newest(job.environment());
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
        catalog.drills().finish(job.runId(), true, job.rtoMs(), DrillChecks.toMap(job.checks()), null);
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
        LOG.error("drill run {} failed in step {}: {}", job.runId(), step, reason);
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
        body.put("cleanup", cleanup);
        try {
            if (job.evidence() != null) {
                writeDrillJson(job);
                job.evidence().json("final_status.json", body);
            }
        } catch (RuntimeException e) {
            LOG.error("could not write the evidence of run {}: {}", job.runId(), e.getMessage());
        }
        try {
            if (job.leased()) {
                Map<String, Object> checks = DrillChecks.toMap(job.checks());
                checks.put("failed_step", Map.of("status", DrillChecks.FAILED, "detail", step + ": " + reason));
                catalog.drills().finish(job.runId(), false, null, checks, reason);
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

    private Map<String, Object> dropClone(DrillJob job) {
        Map<String, Object> done = new LinkedHashMap<>();
        try (PgAdmin admin = new PgAdmin(job.server())) {
            admin.terminate(job.cloneDatabase());
            admin.dropIfExists(job.cloneDatabase());
            done.put("database", job.cloneDatabase());
        } catch (Exception e) {
            done.put("database_left", job.redactor().scrub(String.valueOf(e.getMessage())));
        }
        WorkFiles.deleteTree(job.cloneFilestore());
        done.put("filestore", job.cloneFilestore().toString());
        return done;
    }

    private static void cloneDatabase(DatabaseConfig db, String template, String clone) throws SQLException {
        try (PgAdmin admin = new PgAdmin(db)) {
            admin.terminate(template);
            admin.dropIfExists(clone);
        }
        try (Connection c = EnvironmentDatabase.connect(db, db.name()); Statement st = c.createStatement()) {
            st.execute("create database " + quote(clone) + " template " + quote(template));
        }
    }

    private static String quote(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** A copy of {@code from} at {@code to} made of hard links (both inside the scratch directory). */
    static void linkTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createDirectories(target);
                else if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createLink(target, p);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Map<String, String> odooModules(Connection c) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        try (PreparedStatement probe = c.prepareStatement("select to_regclass('ir_module_module') is not null");
             ResultSet rs = probe.executeQuery()) {
            rs.next();
            if (!rs.getBoolean(1)) return out;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "select name, coalesce(latest_version, '') from ir_module_module where state = 'installed' order by name");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.put(rs.getString(1), rs.getString(2));
        }
        return out;
    }

    /** Each sample table's rows counted and the first ones read back whole (-1: the table is absent). */
    private static Map<String, Long> samples(Connection c, AppProfile app) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String table : app.sampleTables()) {
            try (PreparedStatement ps = c.prepareStatement("select to_regclass(?) is not null")) {
                ps.setString(1, "public." + table);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        out.put(table, -1L);
                        continue;
                    }
                }
            }
            long n;
            try (PreparedStatement ps = c.prepareStatement("select count(*) from public." + quote(table));
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                n = rs.getLong(1);
            }
            try (PreparedStatement ps = c.prepareStatement("select * from public." + quote(table) + " limit 20");
                 ResultSet rs = ps.executeQuery()) {
                int cols = rs.getMetaData().getColumnCount();
                while (rs.next()) for (int i = 1; i <= cols; i++) rs.getObject(i);
            }
            out.put(table, n);
        }
        return out;
    }

    private static DrillChecks.Check attachments(Connection c, AppProfile app, Path root, BackupGaps gaps) throws SQLException, IOException {
        FilestoreCheck.References refs = AttachmentReferences.read(c, app);
        Map<String, String> actual = new HashMap<>();
        if (refs.unavailable() == null) {
            for (String path : refs.expectedSha1().keySet()) {
                Path f = root.resolve(path).normalize();
                if (f.startsWith(root) && Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    actual.put(path, refs.expectedSha1().get(path) == null ? "present" : Checksums.sha1(f));
                }
            }
        }
        return DrillChecks.attachments(refs.expectedSha1(), refs.unavailable(), actual, gaps);
    }

    private interface Body {
        DrillChecks.Check run() throws Exception;
    }

    private static DrillChecks.Check guard(String name, Body body) {
        try {
            return body.run();
        } catch (Exception e) {
            return new DrillChecks.Check(name, DrillChecks.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private void writeDrillJson(DrillJob job) {
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

    private static String tail(String s) {
        return s.length() <= 2000 ? s : s.substring(s.length() - 2000);
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
