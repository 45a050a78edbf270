package dev.odooops.staging;

import dev.odooops.config.DatabaseConfig;
import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.EnvironmentSecrets;
import dev.odooops.config.OdooControl;
import dev.odooops.config.OpsConfig;
import dev.odooops.config.ZipSettings;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.HarmlessStatements;
import dev.odooops.domain.Json;
import dev.odooops.domain.OdooZip;
import dev.odooops.domain.OdooZipManifest;
import dev.odooops.domain.RequestRejected;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.domain.VersionGuard;
import dev.odooops.exec.PgPassFile;
import dev.odooops.exec.ToolFailedException;
import dev.odooops.exec.ToolRunner;
import dev.odooops.exec.WorkFiles;
import dev.odooops.model.ArtifactKind;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.ImportZipRequest;
import dev.odooops.model.OdooZipJob;
import dev.odooops.model.QueuedRun;
import dev.odooops.model.Report;
import dev.odooops.model.RunStatus;
import dev.odooops.odoo.ServerVersions;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.postgres.EnvironmentDatabase;
import dev.odooops.postgres.PgAdmin;
import dev.odooops.run.RunEnd;
import dev.odooops.run.RunStarter;
import dev.odooops.run.Vars;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;

/**
 * import-odoo-zip --env E --file ZIP: an Odoo backup zip (database manager, Odoo.sh) becomes a verified artifact of
 * the environment, kind {@code imported}, label {@value #LABEL}. One run (operation {@value #OPERATION}) of the
 * environment, its steps in this order, each an event of the run:
 * <ol>
 *   <li>{@code check-zip}: the central directory against {@code zip.*} and Odoo's layout ({@link OdooZip#inspect});</li>
 *   <li>{@code check-manifest}: manifest.json's version fields against the series the environment's server runs
 *   (learned as a restore learns it, {@link ServerVersions}, or stated with {@code odoo_version});</li>
 *   <li>{@code extract-zip}: into the run's scratch directory, every real byte counted, every filestore file's SHA-1
 *   compared with its name ({@link OdooZip#extract});</li>
 *   <li>{@code load-sql}: a scratch database ({@link ScratchCopies#database}{@code ("import", run)}) created as the
 *   environment's role, dump.sql filtered ({@link HarmlessStatements}: what fails harmlessly on another server set
 *   aside into set_aside.sql) and loaded with {@code psql -X -v ON_ERROR_STOP=1}: any other failing statement refuses
 *   the import, named by its line in dump.sql;</li>
 *   <li>{@code check-attachments}: the attachments the database references that the zip does not hold (a warning:
 *   Odoo reads them back empty);</li>
 *   <li>{@code store-artifact}: a backup of the environment read from the scratch database and filestore (the backup
 *   route, a child run: pg_dump -Fc, the filestore packed, checksums, upload, read-back, registration).</li>
 * </ol>
 * The scratch database and directory are dropped whatever happens (a killed run's scratch directory is in its work
 * directory, removed by the sweep of abandoned runs). Evidence: {@code <root>/<day>/import-odoo-zip/<run_id>/}.
 */
public final class OdooZipImport {
    private static final Logger LOG = LoggerFactory.getLogger(OdooZipImport.class);
    public static final String OPERATION = ImportZipRequest.OPERATION;
    public static final String LABEL = "import-odoo-zip";
    static final String PURPOSE = "import";
    private static final Pattern PSQL_ERROR = Pattern.compile("psql:[^\\n]*?:(\\d+):\\s*(ERROR:[^\\n]*)");
    private static final long MAX_MANIFEST_BYTES = 16L << 20;

    /** The application's backup of another source ({@code Operations::backupOf}). */
    @FunctionalInterface
    public interface Backups {
        BackupResult backupOf(BackupRequest request, EnvironmentConfig source);
    }

    private final OpsConfig config;
    private final OpsCatalog catalog;
    private final RunStarter starter;
    private final ToolRunner tools;
    private final ServerVersions versions;
    private final ZipSettings settings;
    private final Backups backups;
    private final Clock clock;

    public OdooZipImport(OpsConfig config, OpsCatalog catalog, RunStarter starter, ToolRunner tools, ServerVersions versions,
                         ZipSettings settings, Backups backups, Clock clock) {
        this.config = config;
        this.catalog = catalog;
        this.starter = starter;
        this.tools = tools;
        this.versions = versions;
        this.settings = settings;
        this.backups = backups;
        this.clock = clock;
    }

    /** The entry route's step import-zip: the request (environment resolved, permission decided) as a run. */
    public Report run(ImportZipRequest request, @Variable(Vars.QUEUED_RUN) QueuedRun queued) {
        EnvironmentConfig env = config.environment(request.project(), request.environment()).orElseThrow(() ->
                new RequestRejected("env", "no environment " + request.environmentId(), RequestRejected.Reason.NOT_FOUND));
        Path zip = Path.of(request.file());
        if (!Files.isRegularFile(zip) || !Files.isReadable(zip)) {
            throw new RequestRejected("file", zip + " is not a readable regular file", RequestRejected.Reason.NOT_FOUND);
        }
        SecretRedactor redactor = new SecretRedactor(EnvironmentSecrets.of(env));
        OdooZipJob job = queued == null ? new OdooZipJob(env, clock.instant(), redactor)
                : new OdooZipJob(queued.runId(), env, clock.instant(), redactor);
        if (queued != null) job.lease(queued.lease());
        Path dir = starter.evidenceDir(job, "import-odoo-zip");
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("run_id", job.runId().toString());
        inputs.put("operation", OPERATION);
        inputs.put("environment_id", env.id());
        inputs.put("file", zip.toString());
        inputs.put("odoo_version_stated", request.odooVersion());
        inputs.put("user", request.user());
        inputs.put("trigger", request.trigger());
        inputs.put("limits", settings.limits());
        inputs.put("requested_at", job.createdAt().toString());
        // the start's sweep (staging.ScratchSweep) dropped the scratch copies of this environment's ended runs
        starter.start(job, OPERATION, request.user(), null, Map.of("kind", OPERATION, "file", zip.toString()), dir, inputs);

        Map<String, Object> body = new LinkedHashMap<>();
        body.put("run_id", job.runId().toString());
        body.put("environment_id", env.id());
        body.put("file", zip.toString());
        String failure = null;
        String scratchDb = ScratchCopies.database(PURPOSE, job.runId());
        Path scratchDir = ScratchCopies.directory(job.workDir(), PURPOSE, job.runId());
        try {
            job.step("check-zip");
            OdooZip.Listing listing = OdooZip.inspect(zip, settings.limits());
            Map<String, Object> members = OdooZip.describe(listing);
            members.put("file", zip.toString());
            members.put("size_bytes", Files.size(zip));
            members.put("sha256", Checksums.sha256(zip));
            // the extracted members, and dump.sql once more while it is filtered
            long needed = listing.declaredBytes() + listing.member(OdooZip.DUMP).size();
            long free = Files.getFileStore(job.workDir()).getUsableSpace();
            members.put("work_dir_needed_bytes", needed);
            members.put("work_dir_free_bytes", free);
            job.evidence().json("zip_members.json", members);
            if (free < needed) {
                throw new IllegalStateException("work-dir: " + starter.ops().workDir() + " has " + free / (1 << 20)
                        + " MiB free, extracting and filtering the zip needs about " + needed / (1 << 20) + " MiB");
            }
            completed(job, Map.of("members", listing.members(), "declared_bytes", listing.declaredBytes()));

            job.step("check-manifest");
            Map<String, Object> manifest = readManifest(zip, listing);
            String series = environmentSeries(job, request);
            OdooZipManifest.checkSeries(manifest, series);
            Map<String, Object> m = new LinkedHashMap<>(manifest);
            m.put("checked_against", series);
            job.evidence().json("odoo_manifest.json", m);
            completed(job, Map.of("series", series, "db_name", String.valueOf(manifest.get("db_name"))));

            job.step("extract-zip");
            OdooZip.Extracted x = OdooZip.extract(zip, listing, settings.limits(), scratchDir);
            body.put("filestore_files", x.files());
            completed(job, Map.of("filestore_files", x.files(), "bytes", x.bytes()));

            job.step("load-sql");
            DatabaseConfig scratch = scratchDatabase(env.database(), scratchDb);
            try (PgAdmin admin = new PgAdmin(env.database())) {
                admin.create(scratchDb, env.database().name());
            }
            markScratch(env.database(), scratchDb, job.runId());
            HarmlessStatements.Outcome filtered = load(job, x.dump(), scratch);
            body.put("set_aside", filtered.setAside());
            Files.deleteIfExists(x.dump());
            completed(job, Map.of("set_aside", filtered.setAside(), "lines", filtered.lines()));
            dev.odooops.exec.CrashPoints.reached("import-zip:loaded"); // a scratch database and directory exist

            job.step("check-attachments");
            Map<String, Object> attachments = missingAttachments(scratch, x.filestore());
            job.evidence().json("attachments_check.json", attachments);
            if (((Number) attachments.get("missing")).longValue() > 0) {
                job.warn(attachments.get("missing") + " attachment file(s) the database references are not in the zip (Odoo reads them"
                        + " back empty), first " + attachments.get("first_missing"));
            }
            completed(job, Map.of("referenced", attachments.get("referenced"), "missing", attachments.get("missing")));

            job.step("store-artifact");
            EnvironmentConfig source = new EnvironmentConfig(env.project(), env.name(), env.type(), scratch, x.filestore(),
                    env.appConf(), env.addonsPaths(), OdooControl.NONE, env.retention(), env.filestoreOwner(), List.of(),
                    env.volatileTables(), env.app(), env.customLayout());
            BackupRequest backup = new BackupRequest(env.project(), env.name(), BackupType.FULL, LABEL, null, null, null,
                    request.user(), ArtifactKind.IMPORTED, request.trigger(), job.runId()).forced(true);
            BackupResult stored = backups.backupOf(backup, source);
            body.put("backup_run_id", stored.runId());
            if (!stored.succeeded()) {
                throw new IllegalStateException("storing the artifact failed: the backup run " + stored.runId() + " failed in "
                        + stored.failedStep() + ": " + stored.error());
            }
            body.put("artifact_id", stored.artifactId());
            completed(job, Map.of("artifact_id", stored.artifactId(), "backup_run_id", stored.runId(),
                    "backup_evidence_dir", String.valueOf(stored.evidenceDir())));
        } catch (OdooZip.Refused e) {
            failure = "the zip is refused: " + e.getMessage();
        } catch (ToolFailedException e) {
            failure = psqlFailure(job, e);
        } catch (Exception e) {
            failure = RunEnd.describe(e);
        } finally {
            body.put("scratch", dropScratch(job, env, scratchDir));
        }
        if (failure != null) failure = redactor.scrub(failure);
        return finish(job, body, failure, dir);
    }

    private Report finish(OdooZipJob job, Map<String, Object> body, String failure, Path dir) {
        body.put("status", failure == null ? "success" : "failed");
        if (failure != null) {
            body.put("failed_step", job.step());
            body.put("error", failure);
        }
        if (!job.warnings().isEmpty()) body.put("warnings", job.warnings());
        body.put("evidence_dir", dir.toString());
        body.put("finished_at", Instant.now().toString());
        try {
            job.evidence().json("final_status.json", body);
        } catch (RuntimeException e) {
            failure = (failure == null ? "" : failure + "; ") + "evidence not written: " + e.getMessage();
            body.put("status", "failed");
            body.put("error", failure);
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        if (body.get("artifact_id") != null) figures.put("artifact_id", body.get("artifact_id"));
        try {
            catalog.runs().finishRun(job.runId(), failure == null ? RunStatus.SUCCESS : RunStatus.FAILED,
                    failure == null ? null : job.step(), failure, figures);
        } finally {
            RunEnd.release(job);
        }
        LOG.info("import-odoo-zip run {} of {}: {}", job.runId(), job.environment().id(), failure == null ? "done" : failure);
        return new Report(failure == null, body);
    }

    private void completed(OdooZipJob job, Map<String, ?> detail) {
        catalog.runs().event(job.runId(), "step_completed", job.step(), detail);
    }

    /** manifest.json, read whole (it is small: bounded by its declared size, checked by the first pass). */
    private static Map<String, Object> readManifest(Path zip, OdooZip.Listing listing) throws IOException {
        OdooZip.Member member = listing.member(OdooZip.MANIFEST);
        if (member.size() > MAX_MANIFEST_BYTES) throw new OdooZip.Refused(OdooZip.MANIFEST, "is larger than 16 MiB");
        try (ZipFile z = new ZipFile(zip.toFile()); InputStream in = z.getInputStream(z.getEntry(OdooZip.MANIFEST))) {
            byte[] bytes = in.readNBytes((int) MAX_MANIFEST_BYTES + 1);
            if (bytes.length != member.size()) throw new OdooZip.Refused(OdooZip.MANIFEST, "does not inflate to its declared size");
            try {
                return Json.readMap(new String(bytes, StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                throw new OdooZip.Refused(OdooZip.MANIFEST, "is not a JSON object: " + e.getMessage());
            }
        }
    }

    /** The series the environment's server runs: learned, else stated; a statement that contradicts it is refused. */
    private String environmentSeries(OdooZipJob job, ImportZipRequest request) {
        ServerVersions.Learned learned = versions.learn(job.environment());
        String stated = request.odooVersion();
        if (learned.target() != null) {
            if (stated != null && !stated.equals(learned.target().series())) {
                throw new IllegalStateException(VersionGuard.FIELD + ": stated " + stated + ", but the server runs Odoo "
                        + learned.target().describe());
            }
            return learned.target().series();
        }
        if (stated == null) {
            throw new IllegalStateException(VersionGuard.FIELD + ": the environment's Odoo version cannot be learned ("
                    + learned.unknownReason() + "); state it with --odoo-version");
        }
        return stated;
    }

    private static DatabaseConfig scratchDatabase(DatabaseConfig db, String name) {
        return db.named(name);
    }

    /** dump.sql filtered into the work directory, then loaded with ON_ERROR_STOP into the scratch database. */
    private HarmlessStatements.Outcome load(OdooZipJob job, Path dump, DatabaseConfig scratch) throws Exception {
        Set<String> extensions = new HashSet<>();
        try (Connection c = EnvironmentDatabase.connect(scratch); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select extname from pg_extension")) {
            while (rs.next()) extensions.add(rs.getString(1));
        }
        Path filtered = job.workDir().resolve("dump.filtered.sql");
        Path aside = job.workDir().resolve("set_aside.sql");
        HarmlessStatements.Outcome outcome;
        try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(dump), 1 << 16);
             OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(filtered), 1 << 16);
             OutputStream a = new java.io.BufferedOutputStream(Files.newOutputStream(aside))) {
            outcome = HarmlessStatements.filter(in, out, a, extensions);
        }
        Map<String, Object> evidence = new LinkedHashMap<>(outcome.toMap());
        evidence.put("existing_extensions", new java.util.TreeSet<>(extensions));
        evidence.put("file", "set_aside.sql");
        job.evidence().json("sql_set_aside.json", evidence);
        long size = Files.size(aside);
        job.evidence().text("set_aside.sql", size <= (16L << 20) ? Files.readString(aside, StandardCharsets.ISO_8859_1)
                : "-- " + size + " bytes of set-aside statements: the first " + outcome.first().size() + " are in sql_set_aside.json\n");
        Files.delete(dump);
        Instant started = Instant.now();
        try (PgPassFile pass = PgPassFile.create(job.workDir(), scratch)) {
            List<String> argv = new ArrayList<>(List.of("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--no-password",
                    "--host=" + scratch.host(), "--port=" + scratch.port(), "--username=" + scratch.user(),
                    "--dbname=" + scratch.name(), "-f", filtered.toString()));
            tools.run(argv, pass.environment(scratch), Duration.ofSeconds(settings.psqlTimeoutSeconds()),
                    ToolRunner.Progress.file(filtered));
        }
        Files.deleteIfExists(filtered);
        Map<String, Object> load = new LinkedHashMap<>();
        load.put("tool", "psql -X -q -v ON_ERROR_STOP=1 -f dump.sql (filtered)");
        load.put("database", scratch.name());
        load.put("duration_ms", Duration.between(started, Instant.now()).toMillis());
        load.put("set_aside", outcome.setAside());
        job.evidence().json("sql_load.json", load);
        return outcome;
    }

    /** psql's failure named by its line in dump.sql (the filtered file keeps the original's line numbers). */
    static String psqlFailure(OdooZipJob job, ToolFailedException e) {
        String msg = e.getMessage() == null ? "" : e.getMessage();
        Matcher m = PSQL_ERROR.matcher(msg);
        if (m.find() && "load-sql".equals(job.step())) {
            return "dump.sql line " + m.group(1) + ": " + m.group(2).strip()
                    + " (loaded with ON_ERROR_STOP: only the statements of sql_set_aside.json are set aside)";
        }
        return msg;
    }

    /** Attachments stored in the filestore (store_fname set) whose file the zip did not hold. */
    private static Map<String, Object> missingAttachments(DatabaseConfig scratch, Path filestore) throws Exception {
        long referenced = 0;
        long missing = 0;
        List<String> first = new ArrayList<>();
        try (Connection c = EnvironmentDatabase.connect(scratch)) {
            boolean exists;
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select to_regclass('public.ir_attachment') is not null")) {
                rs.next();
                exists = rs.getBoolean(1);
            }
            if (exists) {
                c.setAutoCommit(false);
                try (Statement st = c.createStatement()) {
                    st.setFetchSize(1000);
                    try (ResultSet rs = st.executeQuery(
                            "select distinct store_fname from ir_attachment where store_fname is not null and store_fname <> ''")) {
                        while (rs.next()) {
                            referenced++;
                            String name = rs.getString(1);
                            Path p = filestore.resolve(name).normalize();
                            if (!p.startsWith(filestore) || !Files.isRegularFile(p)) {
                                missing++;
                                if (first.size() < 20) first.add(name);
                            }
                        }
                    }
                }
                c.commit();
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("referenced", referenced);
        m.put("missing", missing);
        m.put("first_missing", first);
        return m;
    }

    private static final String MARK = "odoo-ops scratch of run ";

    /** The scratch database names its run in full (its name holds 8 hex digits): a later run can tell whose it is. */
    private static void markScratch(DatabaseConfig db, String name, java.util.UUID runId) throws Exception {
        try (Connection c = EnvironmentDatabase.connect(db, "postgres"); Statement st = c.createStatement()) {
            st.execute("comment on database \"" + name.replace("\"", "\"\"") + "\" is '" + MARK + runId + "'");
        }
    }

    /** The scratch database and directory of the run, dropped; what was removed (or why not) for the report. */
    private Map<String, Object> dropScratch(OdooZipJob job, EnvironmentConfig env, Path scratchDir) {
        Map<String, Object> m = new LinkedHashMap<>();
        try {
            m.put("databases_dropped", ScratchCopies.dropDatabases(env.database(), job.runId()));
        } catch (Exception e) {
            m.put("databases", "not dropped (dropped by the next run's sweep or by hand): " + e.getMessage());
            job.warn("scratch database not dropped: " + e.getMessage());
        }
        WorkFiles.deleteTree(scratchDir);
        m.put("directory_removed", !Files.exists(scratchDir));
        try {
            catalog.runs().event(job.runId(), "scratch_dropped", job.step(), m);
        } catch (RuntimeException e) {
            LOG.warn("run {}: recording the scratch drop failed: {}", job.runId(), e.getMessage());
        }
        return m;
    }
}
