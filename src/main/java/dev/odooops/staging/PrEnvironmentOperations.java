package dev.odooops.staging;

import dev.odooops.run.ArtifactChoice;
import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.EnvironmentSecrets;
import dev.odooops.config.OpsConfig;
import dev.odooops.config.PrEnvironmentsSettings;
import dev.odooops.domain.PrEnvFile;
import dev.odooops.domain.PrEnvironmentAges;
import dev.odooops.domain.RequestRejected;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.exec.CrashPoints;
import dev.odooops.exec.ToolRunner;
import dev.odooops.exec.WorkFiles;
import dev.odooops.model.Artifact;
import dev.odooops.model.PrEnvCreateRequest;
import dev.odooops.model.PrEnvDeleteRequest;
import dev.odooops.model.PrEnvListRequest;
import dev.odooops.model.PrEnvironment;
import dev.odooops.model.QueuedRun;
import dev.odooops.model.RecoverRequest;
import dev.odooops.model.Report;
import dev.odooops.model.RunStartFailed;
import dev.odooops.model.RunStatus;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.postgres.PgAdmin;
import dev.odooops.run.RunEnd;
import dev.odooops.run.RunStarter;
import dev.odooops.run.Vars;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * pr-env create, delete, list and the expiry (docs/staging.md, "Pull-request environments").
 * <p>
 * <b>Create</b> (a run {@value PrEnvCreateRequest#OPERATION} on {@code P/pr-<N>}): the catalog row is written
 * {@code creating} before anything is made, then the database, the filestore and the .env file, then the row is
 * {@code ready}. From a snapshot, the newest live {@code sanitized_snapshot} artifact of the project's production is
 * kept loaded as the project's template ({@link PrEnvironmentTemplate}) and the database is copied from it
 * ({@code CREATE DATABASE ... TEMPLATE ... STRATEGY FILE_COPY}), the filestore hard-linked from its unpacked copy.
 * From staging, the staging environment's newest live full backup is loaded straight into the PR environment's
 * database and filestore ({@link ArtifactLoader}; never staging's live database), then neutralised
 * ({@code odoo.Neutralizer}) and checked against production ({@code odoo.NeutralizationCheck}) before it is ready.
 * A failure removes what the run made (the row says what it may have made) and the row.
 * <p>
 * <b>Delete</b> (a run {@value PrEnvDeleteRequest#OPERATION}, or {@value PrEnvDeleteRequest#EXPIRE} from the expiry):
 * the row is marked {@code deleting}, then the database, filestore, .env file and the row go, and the
 * ops.environments row is deleted when no run or artifact refers to it, else marked removed (its runs stay history).
 * No row: nothing to do, no run, success.
 * <p>
 * <b>Crash safety</b>: a process killed half-way leaves a row {@code creating} or {@code deleting} naming what may
 * exist. The next create or delete of that PR, or {@code recover --env P/pr-<N>}, runs after the dead run was ended
 * abandoned (its lease is gone) and removes all of it and the row. Nothing of a PR environment exists without its
 * row: the row is written first and deleted last.
 */
public final class PrEnvironmentOperations {
    private static final Logger LOG = LoggerFactory.getLogger(PrEnvironmentOperations.class);
    private final OpsConfig config;
    private final PrEnvironmentsSettings settings;
    private final PrEnvironmentCatalog prCatalog;
    private final OpsCatalog catalog;
    private final RunStarter starter;
    private final PrEnvironmentTemplate templates;
    private final ToolRunner tools;
    private final Clock clock;
    private final Duration timeout;
    private volatile dev.odooops.odoo.Neutralizer neutralizer;
    private volatile dev.odooops.odoo.NeutralizationCheck check;

    public PrEnvironmentOperations(OpsConfig config, PrEnvironmentsSettings settings, PrEnvironmentCatalog prCatalog,
                                   OpsCatalog catalog, RunStarter starter, PrEnvironmentTemplate templates, ToolRunner tools,
                                   Clock clock, Duration timeout) {
        this.config = config;
        this.settings = settings;
        this.prCatalog = prCatalog;
        this.catalog = catalog;
        this.starter = starter;
        this.templates = templates;
        this.tools = tools;
        this.clock = clock;
        this.timeout = timeout;
    }

    /**
     * The neutralisation a PR environment made {@code --from staging} goes through (the copy's: odoo.Neutralizer, then
     * odoo.NeutralizationCheck against production); set at start once both beans exist.
     */
    public void neutralizeWith(dev.odooops.odoo.Neutralizer neutralizer, dev.odooops.odoo.NeutralizationCheck check) {
        this.neutralizer = neutralizer;
        this.check = check;
    }

    private PrEnvironmentsSettings.Template template(String project) {
        return settings.template(project).orElseThrow(() -> new RequestRejected("project", "project '" + project
                + "' has no pr_environments in " + config.file(), RequestRejected.Reason.NOT_FOUND));
    }

    // ---------------------------------------------------------------------------------------------------- create

    public Report create(PrEnvCreateRequest r, @Variable(Vars.QUEUED_RUN) QueuedRun queued) {
        PrEnvironmentsSettings.Template t = template(r.project());
        EnvironmentConfig env = t.environment(r.pr());
        if (r.from().equals("staging") && env.app() != dev.odooops.domain.AppProfile.ODOO) {
            // the neutralisation (rules and check) is Odoo's: a copy of another application would fail its check
            throw new RequestRejected("from", env.id() + " is a " + env.app().key() + " environment: --from staging needs "
                    + "the neutralisation, which knows Odoo only; use --from snapshot or --from empty");
        }
        EnvironmentConfig staging = r.from().equals("staging") ? stagingOf(r.project()) : null;
        Artifact stagingBackup = staging == null ? null : newestBackup(staging);
        if (r.from().equals("empty") && t.emptyCommand().isEmpty()) {
            throw new RequestRejected("from", "project '" + r.project() + "' has no pr_environments.empty_command: "
                    + "--from empty cannot initialise a database");
        }
        Artifact snapshot = r.from().equals("snapshot") ? newestSnapshot(r.project()) : null;
        Optional<PrEnvironment> present = prCatalog.find(r.project(), r.pr());
        if (present.isPresent() && PrEnvironment.READY.equals(present.get().status())) {
            throw new RequestRejected("pr", env.id() + " exists already (made " + present.get().createdAt()
                    + "); pr-env delete it first", RequestRejected.Reason.CONFLICT);
        }
        prCatalog.registerEnvironment(env); // its runs refer to it (queued: admit-pr-environment did already)
        PrEnvJob job = new PrEnvJob(queued == null ? UUID.randomUUID() : queued.runId(), env, clock.instant(), redactor(env));
        if (queued != null) job.lease(queued.lease());
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("run_id", job.runId().toString());
        inputs.put("operation", PrEnvCreateRequest.OPERATION);
        inputs.put("environment_id", env.id());
        inputs.put("pr", r.pr());
        inputs.put("from", r.from());
        if (snapshot != null) inputs.put("artifact_id", snapshot.id());
        if (staging != null) {
            inputs.put("artifact_id", stagingBackup.id());
            inputs.put("copied_from", staging.id());
        }
        inputs.put("user", r.user());
        inputs.put("trigger", r.trigger());
        inputs.put("requested_at", job.createdAt().toString());
        Report refused = startRun(job, PrEnvCreateRequest.OPERATION, r.user(), "pr-env-create",
                Map.of("kind", "pr_env", "pr", r.pr(), "from", r.from()), inputs);
        if (refused != null) return refused;
        PrEnvironment row = new PrEnvironment(r.project(), r.pr(), env.id(), env.database().name(),
                env.filestore().toString(), t.envFile(r.pr()).toString(), r.from(),
                snapshot != null ? snapshot.id() : stagingBackup != null ? stagingBackup.id() : null,
                PrEnvironment.CREATING, job.runId(), job.createdAt());
        Map<String, Object> body = new LinkedHashMap<>();
        Map<String, Object> steps = new LinkedHashMap<>();
        String failure = null;
        boolean recorded = false;
        try {
            step(job, "sweep-leftovers");
            sweepLeftovers(job, r.project(), r.pr(), steps);
            step(job, "check-free");
            checkFree(env, t, r.pr());
            step(job, "record-pr-environment");
            if (!prCatalog.beginCreate(row)) throw new IllegalStateException(env.id() + " was recorded meanwhile by another run");
            recorded = true;
            CrashPoints.reached("pr-env:create:recorded");
            step(job, "create-database");
            long t0 = System.nanoTime();
            if (snapshot != null) {
                steps.put("template", templates.copyDatabase(job, t, env, snapshot));
            } else if (staging != null) {
                steps.put("loaded", loadStagingBackup(job, env, stagingBackup));
            } else {
                createEmpty(job, t, env);
            }
            steps.put("database_ms", (System.nanoTime() - t0) / 1_000_000);
            CrashPoints.reached("pr-env:create:database-created");
            step(job, "make-filestore");
            long t1 = System.nanoTime();
            if (snapshot != null) {
                steps.put("filestore", templates.linkFilestore(env, t));
            } else if (staging != null) {
                steps.put("filestore", Map.of("loaded_with_the_database", true));
            } else {
                Files.createDirectories(env.filestore());
                steps.put("filestore", Map.of("files", 0));
            }
            steps.put("filestore_ms", (System.nanoTime() - t1) / 1_000_000);
            CrashPoints.reached("pr-env:create:filestore-made");
            if (staging != null) {
                step(job, "neutralize");
                steps.put("neutralization", neutralize(job, env));
                step(job, "verify-neutralization");
                steps.put("neutralization_check", verifyNeutralized(job, env));
            }
            step(job, "write-env-file");
            writeEnvFile(t, env, r.pr(), snapshot != null ? "sanitized_snapshot " + snapshot.id()
                    : staging != null ? "backup " + stagingBackup.id() + " of " + staging.id() + ", neutralised"
                    : "an empty database");
            CrashPoints.reached("pr-env:create:env-file-written");
            step(job, "mark-ready");
            prCatalog.status(r.project(), r.pr(), PrEnvironment.READY, job.runId());
        } catch (Exception e) {
            failure = job.redactor().scrub(RunEnd.describe(e));
            body.put("failed_step", job.step());
            LOG.warn("pr-env create of {} failed in {}: {}", env.id(), job.step(), failure);
            if (recorded) {
                try {
                    body.put("removed", undo(row, env));
                } catch (Exception u) {
                    failure += "; removing what it made failed too (the next create, delete or recover of " + env.id()
                            + " removes it): " + job.redactor().scrub(RunEnd.describe(u));
                }
            }
        }
        body.put("environment_id", env.id());
        body.put("pr", r.pr());
        body.put("from", r.from());
        if (snapshot != null) body.put("artifact_id", snapshot.id());
        if (staging != null) {
            body.put("artifact_id", stagingBackup.id());
            body.put("copied_from", staging.id());
        }
        if (failure == null) {
            body.put("database", env.database().name());
            body.put("filestore", env.filestore().toString());
            body.put("env_file", t.envFile(r.pr()).toString());
            if (t.url(r.pr()) != null) body.put("url", t.url(r.pr()));
        }
        body.put("steps", steps);
        return finish(job, body, failure);
    }

    /** The newest live sanitised snapshot of the project's production environment; refused naming from otherwise. */
    private Artifact newestSnapshot(String project) {
        EnvironmentConfig production = config.environments().stream()
                .filter(e -> e.project().equals(project) && e.isProduction()).findFirst()
                .orElseThrow(() -> new RequestRejected("from", "project '" + project + "' has no production environment to take "
                        + "a sanitised snapshot of: use --from empty"));
        String id = prCatalog.newestSnapshot(production.id()).orElseThrow(() -> new RequestRejected("from",
                "no sanitised snapshot of " + production.id() + " (snapshot --env " + production.id()
                        + " --sanitize makes one), or use --from empty", RequestRejected.Reason.NOT_FOUND));
        return catalog.artifacts().artifact(id).orElseThrow();
    }

    /** The project's one environment of type staging; refused naming from when it has none or several. */
    private EnvironmentConfig stagingOf(String project) {
        List<EnvironmentConfig> staging = config.environments().stream()
                .filter(e -> e.project().equals(project) && "staging".equals(e.type())).toList();
        if (staging.size() != 1) {
            throw new RequestRejected("from", "project '" + project + "' has " + (staging.isEmpty() ? "no environment"
                    : staging.size() + " environments (" + String.join(", ", staging.stream().map(EnvironmentConfig::id).toList())
                    + ")") + " of type staging: --from staging needs exactly one; use --from snapshot or --from empty");
        }
        if (neutralizer == null || check == null) throw new IllegalStateException("the neutralisation is not bound");
        return staging.get(0);
    }

    /**
     * The staging environment's newest live full backup: a PR environment is loaded from it, never from staging's live
     * database (in use: CREATE DATABASE ... TEMPLATE needs no other session on it, and a dump of a database in use is
     * what a backup already is).
     */
    private Artifact newestBackup(EnvironmentConfig staging) {
        return ArtifactChoice.newestFullBackup(catalog, staging, "from", "to make a PR environment of",
                "backup --env " + staging.id() + " makes one");
    }

    /** The staging backup loaded (artifact_loader: digests checked) straight into the PR database and filestore. */
    private Map<String, Object> loadStagingBackup(PrEnvJob job, EnvironmentConfig env, Artifact backup) throws Exception {
        Path work = job.workDir().resolve("staging-backup");
        WorkFiles.createPrivate(work);
        try {
            Map<String, Object> m = new LinkedHashMap<>(templates.loader().load(env.project(), backup, env.database(),
                    env.database().name(), env.filestore().toAbsolutePath(), work).toMap());
            m.put("artifact_id", backup.id());
            return m;
        } finally {
            WorkFiles.deleteTree(work);
        }
    }

    /** odoo.Neutralizer on the PR database with the PR environment's settings; evidence neutralization.json. */
    private Map<String, Object> neutralize(PrEnvJob job, EnvironmentConfig env) throws Exception {
        dev.odooops.odoo.Neutralizer.Outcome outcome = neutralizer.neutralize(env, env.database().name());
        job.evidence().json("neutralization.json", outcome.evidence());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("applied", outcome.evidence().get("applied"));
        m.put("skipped", outcome.evidence().get("skipped"));
        return m;
    }

    /** odoo.NeutralizationCheck of the PR database against production; a problem fails the create. */
    private Map<String, Object> verifyNeutralized(PrEnvJob job, EnvironmentConfig env) throws Exception {
        EnvironmentConfig production = NeutralizationReport.productionOf(config, env.project()).orElse(null);
        dev.odooops.odoo.NeutralizationCheck.Result r = check.check(env, env.database().name(), production);
        job.evidence().json("neutralization_check.json", r.detail());
        if (!r.ok()) {
            throw new IllegalStateException(env.id() + " is not neutralised (" + r.problems().size() + " problem(s)): "
                    + String.join("; ", r.problems()));
        }
        return Map.of("ok", true, "compared_with", production == null ? "none" : production.id());
    }

    /** Nothing of the PR environment may be there before its row: a database or directory odoo-ops did not make. */
    private void checkFree(EnvironmentConfig env, PrEnvironmentsSettings.Template t, int pr) throws Exception {
        try (PgAdmin admin = new PgAdmin(env.database())) {
            if (admin.exists(env.database().name())) {
                throw new IllegalStateException("database " + env.database().name() + " exists and is not a PR environment "
                        + "odoo-ops made (no catalog row): left as it is; drop it or change pr_environments.database.name");
            }
        }
        for (Path p : List.of(env.filestore(), t.envFile(pr))) {
            if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalStateException(p + " exists and is not of a PR environment odoo-ops made (no catalog row): "
                        + "left as it is");
            }
        }
    }

    /** An empty database initialised by the project's {@code empty_command} ({database} substituted). */
    private void createEmpty(PrEnvJob job, PrEnvironmentsSettings.Template t, EnvironmentConfig env) throws Exception {
        try (PgAdmin admin = new PgAdmin(env.database())) {
            admin.create(env.database().name(), env.database().name());
        }
        List<String> argv = t.emptyCommand(env.database().name());
        var result = tools.run(argv, Map.of(), timeout);
        job.evidence().text("empty_command.log", String.join(" ", argv) + "\n" + result.stdout() + result.stderr());
    }

    /** .env.pr-N, mode 0600, written whole (a temporary file renamed into place). */
    private void writeEnvFile(PrEnvironmentsSettings.Template t, EnvironmentConfig env, int pr, String madeFrom) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("ODOO_OPS_ENVIRONMENT", env.id());
        values.put("PGHOST", env.database().host());
        values.put("PGPORT", String.valueOf(env.database().port()));
        values.put("PGDATABASE", env.database().name());
        values.put("PGUSER", env.database().user());
        Path filestore = env.filestore().toAbsolutePath();
        if (!env.customLayout() && filestore.getParent() != null && filestore.getParent().getParent() != null) {
            values.put("ODOO_DATA_DIR", filestore.getParent().getParent().toString());
        }
        values.put("ODOO_FILESTORE", filestore.toString());
        values.put("ODOO_CONF", env.appConf().toString());
        values.put("ODOO_URL", t.url(pr));
        List<String> others = new ArrayList<>();
        for (EnvironmentConfig e : config.environments()) others.addAll(EnvironmentSecrets.of(e));
        String header = "odoo-ops pull-request environment " + env.id() + ", made " + Instant.now(clock) + " from "
                + madeFrom
                + "\nthis environment's connection only; removed by pr-env delete";
        String text = PrEnvFile.render(header, values, env.database().password() == null ? null
                : env.database().password().reveal(), others);
        Path file = t.envFile(pr);
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), ".env.pr-" + pr + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, text);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    // ---------------------------------------------------------------------------------------------------- delete

    public Report delete(PrEnvDeleteRequest r, @Variable(Vars.QUEUED_RUN) QueuedRun queued) {
        PrEnvironmentsSettings.Template t = template(r.project());
        EnvironmentConfig env = t.environment(r.pr());
        Optional<PrEnvironment> present = prCatalog.find(r.project(), r.pr());
        if (present.isEmpty() && queued == null) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("environment_id", env.id());
            body.put("pr", r.pr());
            body.put("status", "nothing_to_do");
            body.put("message", env.id() + " does not exist: nothing to do");
            return new Report(true, body);
        }
        prCatalog.registerEnvironment(env); // its run refers to it
        PrEnvJob job = new PrEnvJob(queued == null ? UUID.randomUUID() : queued.runId(), env, clock.instant(), redactor(env));
        if (queued != null) job.lease(queued.lease());
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("run_id", job.runId().toString());
        inputs.put("operation", r.operation());
        inputs.put("environment_id", env.id());
        inputs.put("pr", r.pr());
        inputs.put("user", r.user());
        inputs.put("trigger", r.trigger());
        inputs.put("requested_at", job.createdAt().toString());
        Report refused = startRun(job, r.operation(), r.user(), r.operation().replace('_', '-'), Map.of("kind", "pr_env", "pr", r.pr()), inputs);
        if (refused != null) return refused;
        Map<String, Object> body = new LinkedHashMap<>();
        String failure = null;
        try {
            step(job, "remove-pr-environment");
            Optional<PrEnvironment> row = prCatalog.find(r.project(), r.pr());
            if (row.isEmpty()) {
                body.put("removed", Map.of());
                body.put("message", env.id() + " does not exist (any more): nothing to do");
                body.put("ops_environment", prCatalog.unregisterEnvironment(env.id()));
            } else {
                prCatalog.status(r.project(), r.pr(), PrEnvironment.DELETING, job.runId());
                CrashPoints.reached("pr-env:delete:marked");
                body.put("removed", undo(row.get(), env));
            }
        } catch (Exception e) {
            failure = job.redactor().scrub(RunEnd.describe(e));
            body.put("failed_step", job.step());
        }
        body.put("environment_id", env.id());
        body.put("pr", r.pr());
        return finish(job, body, failure);
    }

    /**
     * Removes everything a PR environment's row says may exist, in the reverse order of its making, then the row: the
     * database (its sessions ended), the filestore, the .env file, the pr_environments row, and the ops.environments
     * row (deleted, or marked removed when runs or artifacts refer to it). Each removal is idempotent: a repeat after a
     * kill finds less to do. Returns what it removed.
     */
    private Map<String, Object> undo(PrEnvironment row, EnvironmentConfig env) throws Exception {
        Map<String, Object> removed = new LinkedHashMap<>();
        try (PgAdmin admin = new PgAdmin(env.database())) {
            boolean existed = admin.exists(row.database());
            if (existed) drop(admin, row.database());
            removed.put("database", existed ? row.database() : null);
        }
        CrashPoints.reached("pr-env:delete:database-dropped");
        Path filestore = Path.of(row.filestore());
        boolean dir = Files.exists(filestore, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        WorkFiles.deleteTree(filestore);
        if (Files.exists(filestore, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalStateException(filestore + " could not be removed");
        }
        removed.put("filestore", dir ? row.filestore() : null);
        CrashPoints.reached("pr-env:delete:filestore-removed");
        Path envFile = Path.of(row.envFile());
        removed.put("env_file", Files.deleteIfExists(envFile) ? row.envFile() : null);
        // a temporary file of a write killed before its rename (writeEnvFile: .env.pr-N.<random>.tmp)
        if (Files.isDirectory(envFile.getParent())) {
            try (var tmp = Files.newDirectoryStream(envFile.getParent(), envFile.getFileName() + ".*.tmp")) {
                for (Path t : tmp) Files.deleteIfExists(t);
            }
        }
        CrashPoints.reached("pr-env:delete:env-file-removed");
        prCatalog.remove(row.project(), row.pr());
        removed.put("ops_environment", prCatalog.unregisterEnvironment(row.environmentId()));
        return removed;
    }

    /**
     * DROP DATABASE ... WITH (FORCE), tried again for a few seconds while it is refused because a session it may not
     * end is still there (a superuser's that has just disconnected, e.g. the empty_command's psql, lingers a moment in
     * pg_stat_activity) or one reconnected meanwhile.
     */
    private static void drop(PgAdmin admin, String database) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                admin.dropIfExists(database);
                return;
            } catch (java.sql.SQLException e) {
                boolean transient_ = "42501".equals(e.getSQLState()) || "55006".equals(e.getSQLState());
                if (!transient_ || attempt >= 25) throw e;
                Thread.sleep(200);
            }
        }
    }

    /** A row of a run that died half-way (creating or deleting, and not this run's): all it may have made removed. */
    private void sweepLeftovers(PrEnvJob job, String project, int pr, Map<String, Object> steps) throws Exception {
        Optional<PrEnvironment> row = prCatalog.find(project, pr);
        if (row.isEmpty() || PrEnvironment.READY.equals(row.get().status()) || job.runId().equals(row.get().runId())) return;
        Map<String, Object> removed = undo(row.get(), job.environment());
        removed.put("left_by_run", String.valueOf(row.get().runId()));
        removed.put("status_was", row.get().status());
        steps.put("leftovers_removed", removed);
        catalog.runs().event(job.runId(), "pr_env_leftovers_removed", job.step(), removed);
        // the row went with them: its ops.environments row is this run's again
        prCatalog.registerEnvironment(job.environment());
    }

    /**
     * The recover route's step before recover-environment: a PR environment left half-made or half-removed by a run
     * whose process died is removed by a delete run of its own (which ends the dead run abandoned first); the route
     * then ends with that run's report, since the environment is gone. Anything else (a ready PR environment, another
     * environment, a run still alive) goes on to recover-environment unchanged.
     */
    public Object recoverLeftovers(RecoverRequest request, org.apache.camel.Exchange exchange) {
        Integer pr = PrEnvironmentsSettings.number(request.environment());
        if (pr == null || settings.template(request.project()).isEmpty()) return request;
        Optional<PrEnvironment> row = prCatalog.find(request.project(), pr);
        if (row.isEmpty() || PrEnvironment.READY.equals(row.get().status())) return request;
        if (prCatalog.runHeld(row.get().runId())) return request; // its run is alive and at work
        Report r = delete(new PrEnvDeleteRequest(request.project(), pr, PrEnvDeleteRequest.OPERATION, request.user(),
                request.trigger()), null);
        LOG.info("recover: the leftovers of {} were removed: {}", row.get().environmentId(), r.body());
        Map<String, Object> body = new LinkedHashMap<>(r.body());
        body.put("recovered", "the leftovers of " + row.get().status() + " run " + row.get().runId() + " were removed");
        exchange.setRouteStop(true);
        return new Report(r.ok(), body);
    }

    /**
     * The admit route's step after authorize-admit (service channels, before RunQueue records the queued run): a
     * create or delete of a PR environment registers its ops.environments row, which the queued run refers to. Only
     * an authorised request writes it. Returns the request unchanged.
     */
    public Object admit(Object request) {
        if (request instanceof PrEnvCreateRequest c) {
            prCatalog.registerEnvironment(template(c.project()).environment(c.pr()));
        } else if (request instanceof PrEnvDeleteRequest d) {
            prCatalog.registerEnvironment(template(d.project()).environment(d.pr()));
        }
        return request;
    }

    // ---------------------------------------------------------------------------------------------------- list, expiry

    /** pr-env list: every PR environment of the project (or of every project the user holds pr-env on), with its age. */
    public Report list(PrEnvListRequest r) {
        if (r.project() != null) template(r.project());
        Instant now = clock.instant();
        List<Map<String, Object>> items = new ArrayList<>();
        for (PrEnvironment e : prCatalog.list(r.project())) {
            if (!config.allows(r.user(), e.project(), "pr-env")) continue;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("environment_id", e.environmentId());
            m.put("project", e.project());
            m.put("pr", e.pr());
            m.put("status", e.status());
            m.put("database", e.database());
            m.put("filestore", e.filestore());
            m.put("env_file", e.envFile());
            m.put("source", e.source());
            m.put("artifact_id", e.artifactId());
            m.put("created_at", e.createdAt().toString());
            Duration age = Duration.between(e.createdAt(), now);
            m.put("age", PrEnvironmentAges.text(age));
            m.put("age_seconds", age.getSeconds());
            settings.template(e.project()).ifPresent(t -> m.put("expires_in", PrEnvironmentAges.text(t.maxAge().minus(age))));
            items.add(m);
        }
        return new Report(true, Map.of("pr_environments", items));
    }

    /** The PR numbers of {@code project} older than its {@code max_age} now (the expiry schedule removes them). */
    public List<Integer> stale(String project) {
        PrEnvironmentsSettings.Template t = template(project);
        List<PrEnvironmentAges.Aged> aged = prCatalog.list(project).stream()
                .map(e -> new PrEnvironmentAges.Aged(e.pr(), e.createdAt(), e.status())).toList();
        return PrEnvironmentAges.stale(aged, clock.instant(), t.maxAge());
    }

    // ---------------------------------------------------------------------------------------------------- runs

    private static void step(PrEnvJob job, String step) {
        job.step(step);
    }

    private SecretRedactor redactor(EnvironmentConfig env) {
        return new SecretRedactor(EnvironmentSecrets.of(env));
    }

    /** Starts the run; a start that failed is answered as a failed run's report (null when it started). */
    private Report startRun(PrEnvJob job, String operation, String user, String folder, Map<String, Object> metadata,
                            Map<String, Object> inputs) {
        Path dir = starter.evidenceDir(job, folder);
        try {
            starter.start(job, operation, user, null, metadata, dir, inputs);
            return null;
        } catch (RunStartFailed f) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("run_id", job.runId().toString());
            m.put("status", "failed");
            m.put("evidence_dir", f.evidenceDir());
            m.put("failed_step", RunStartFailed.STEP);
            m.put("error", f.getMessage());
            m.put("environment_id", job.environment().id());
            return new Report(false, m);
        }
    }

    /** Ends the run (success, or failed naming its step), writes final_status.json, releases it. */
    private Report finish(PrEnvJob job, Map<String, Object> body, String failure) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("run_id", job.runId().toString());
        out.put("status", failure == null ? "success" : "failed");
        out.put("evidence_dir", job.evidence().dir().toString());
        if (failure != null) out.put("error", failure);
        out.putAll(body);
        out.put("finished_at", Instant.now(clock).toString());
        try {
            job.evidence().json("final_status.json", out);
            catalog.runs().finishRun(job.runId(), failure == null ? RunStatus.SUCCESS : RunStatus.FAILED,
                    failure == null ? null : (String) body.get("failed_step"), failure, Map.of("pr", body.get("pr")));
        } finally {
            RunEnd.release(job);
        }
        return new Report(failure == null, out);
    }
}
