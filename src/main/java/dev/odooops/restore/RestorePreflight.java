package dev.odooops.restore;

import dev.odooops.model.QueuedRun;
import dev.odooops.run.Vars;
import org.apache.camel.Variable;
import dev.odooops.postgres.PgAdmin;
import dev.odooops.run.WorkFiles;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.OpsConfig;
import dev.odooops.config.Settings;
import dev.odooops.domain.ArtifactManifest;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.model.BackupType;
import dev.odooops.model.RequestRejected;
import dev.odooops.model.RestoreJob;
import dev.odooops.model.Report;
import dev.odooops.model.RestoreRequest;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.store.ArtifactStore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The nine restore preconditions. Nothing in the environment is touched.
 * <ol>
 *   <li>environment: the project and environment exist and match (and a production restore is confirmed);</li>
 *   <li>permission: {@code ops.user_has_permission(user, project, 'restore')};</li>
 *   <li>no_active_run: no backup/restore/deploy run is active on the environment;</li>
 *   <li>artifact: it exists, is not pruned, belongs to the environment and holds what the type needs;</li>
 *   <li>metadata: its manifest holds every field of the artifact contract;</li>
 *   <li>disk_space: at least twice the artifact size free in the work directory and beside the filestore;</li>
 *   <li>postgres: the server is reachable as the environment's user, which may create databases;</li>
 *   <li>filestore: the filestore's parent directory is writable;</li>
 *   <li>checksums: every file the restore needs is fetched (or, for a report, streamed) and its SHA-256 matches.</li>
 * </ol>
 * {@link #check} rejects at the first failure (exit 2) and returns the job with the files fetched;
 * {@link #report} runs every check it can and returns them all (preflight-restore).
 */
public class RestorePreflight {
    public record Check(String name, boolean ok, String detail) {
    }

    private final OpsConfig config;
    private final Settings.Ops ops;
    private final OpsCatalog catalog;
    private final ArtifactStore store;
    private final Clock clock;
    private final SecretRedactor redactor;

    public RestorePreflight(OpsConfig config, Settings.Ops ops, OpsCatalog catalog, ArtifactStore store, Clock clock,
                            SecretRedactor redactor) {
        this.config = config;
        this.ops = ops;
        this.catalog = catalog;
        this.store = store;
        this.clock = clock;
        this.redactor = redactor;
    }

    /** For the restore route: every check must pass; the needed files end up in the job's work directory. */
    public RestoreJob check(RestoreRequest request, @Variable(Vars.QUEUED_RUN) QueuedRun queued) {
        List<Check> checks = new ArrayList<>();
        RestoreJob job = run(request, true, checks, queued);
        for (Check c : checks) {
            if (!c.ok()) {
                if (job != null && job.workDir() != null) WorkFiles.deleteTree(job.workDir());
                throw new RequestRejected(field(c.name()), c.detail(), reason(c));
            }
        }
        return job;
    }

    /** For preflight-restore: the report of all checks (a check that depends on a failed one is not run). */
    public List<Check> report(RestoreRequest request) {
        List<Check> checks = new ArrayList<>();
        RestoreJob job = run(request, false, checks, null);
        if (job != null && job.workDir() != null) WorkFiles.deleteTree(job.workDir());
        return checks;
    }

    /** preflight-restore: the report of all checks as a {@link Report} ({@code ok} when every check passed). */
    public Report reportOf(RestoreRequest request) {
        List<Check> checks = report(request);
        boolean ok = checks.stream().allMatch(Check::ok);
        return new Report(ok, Map.of("ok", ok, "checks", checks));
    }

    private static RequestRejected.Reason reason(Check c) {
        return switch (c.name()) {
            case "permission" -> RequestRejected.Reason.FORBIDDEN;
            case "no_active_run" -> RequestRejected.Reason.CONFLICT;
            case "environment" -> RequestRejected.Reason.NOT_FOUND;
            case "artifact" -> c.detail().startsWith("no artifact") ? RequestRejected.Reason.NOT_FOUND : RequestRejected.Reason.INVALID;
            default -> RequestRejected.Reason.INVALID;
        };
    }

    private static String field(String check) {
        return switch (check) {
            case "environment" -> "env";
            case "permission" -> "user";
            case "no_active_run" -> "env";
            case "artifact", "metadata", "checksums" -> "artifact";
            case "confirm" -> "confirm";
            case "disk_space" -> "work-dir";
            case "postgres" -> "database";
            default -> check;
        };
    }

    private RestoreJob run(RestoreRequest r, boolean fetch, List<Check> checks, QueuedRun queued) {
        // 1. environment
        if (!config.hasProject(r.project())) {
            checks.add(new Check("environment", false, "unknown project '" + r.project() + "'"));
            return null;
        }
        EnvironmentConfig env = config.environment(r.project(), r.environment()).orElse(null);
        if (env == null) {
            checks.add(new Check("environment", false, "project '" + r.project() + "' has no environment '" + r.environment() + "'"));
            return null;
        }
        checks.add(new Check("environment", true, env.id() + " (" + env.type() + ")"));
        if (env.isProduction() && !env.id().equals(r.confirm())) {
            checks.add(new Check("confirm", false, env.id() + " is a production environment: restoring it needs --confirm "
                    + env.id() + (r.confirm() == null ? "" : " (got '" + r.confirm() + "')")));
            return null;
        }
        // 2. permission
        boolean allowed = catalog.userHasPermission(r.user(), r.project(), "restore");
        checks.add(new Check("permission", allowed, allowed ? r.user() + " may restore " + r.project()
                : dev.odooops.model.PermissionDenied.text(r.user(), "restore", r.project())));
        // 3. no active run
        List<String> active = catalog.activeRuns(env.id(), queued == null ? null : queued.runId());
        checks.add(new Check("no_active_run", active.isEmpty(), active.isEmpty() ? "none"
                : "another run is active on " + env.id() + ": " + active.get(0)));
        // 4. artifact
        OpsCatalog.Artifact artifact = catalog.artifact(r.artifactId()).orElse(null);
        String problem = artifactProblem(artifact, env, r);
        checks.add(new Check("artifact", problem == null, problem == null ? artifact.id() + " (" + artifact.backupType()
                + ", " + artifact.createdAt() + ")" : problem));
        if (problem != null) return null;
        // 5. metadata
        List<String> missing = artifact.manifest().missingFields();
        checks.add(new Check("metadata", missing.isEmpty(), missing.isEmpty() ? "artifact contract complete"
                : "the artifact manifest lacks " + String.join(", ", missing)));
        List<String> need = neededFiles(artifact, r.type());
        long needBytes = need.stream().mapToLong(n -> ((Number) artifact.sizes().getOrDefault(n, 0)).longValue()).sum();
        RestoreJob job = queued == null ? new RestoreJob(r, env, artifact, clock.instant(), redactor)
                : new RestoreJob(queued.runId(), r, env, artifact, clock.instant(), redactor);
        if (queued != null) job.lease(queued.lease());
        job.workDir(ops.workDir().resolve(job.runId().toString()));
        // 6. disk space
        checks.add(diskSpace(needBytes, env));
        // 7. postgres
        checks.add(postgres(env));
        // 8. filestore
        Path parent = env.filestore().toAbsolutePath().getParent();
        boolean fsOk = !r.type().includesFilestore() || (parent != null && Files.isDirectory(parent) && Files.isWritable(parent));
        checks.add(new Check("filestore", fsOk, fsOk ? (r.type().includesFilestore() ? parent + " writable" : "not restored")
                : parent + " (parent of the filestore) is not a writable directory"));
        // 9. checksums (last: it reads the whole artifact)
        if (checks.stream().allMatch(Check::ok)) {
            checks.add(checksums(job, need, fetch));
        } else {
            checks.add(new Check("checksums", false, "not checked: an earlier check failed"));
        }
        return job;
    }

    static String artifactProblem(OpsCatalog.Artifact a, EnvironmentConfig env, RestoreRequest r) {
        if (a == null) return "no artifact '" + r.artifactId() + "' in the ops catalog";
        if (!a.environmentId().equals(env.id())) {
            return "artifact '" + a.id() + "' belongs to " + a.environmentId() + ", not to " + env.id();
        }
        if (dev.odooops.model.ArtifactKind.of(a.kind()) == null) return "artifact '" + a.id() + "' is not a backup";
        if (a.prunedAt() != null) return "artifact '" + a.id() + "' was pruned at " + a.prunedAt();
        dev.odooops.domain.AppProfile from = a.manifest() == null || a.manifest().odoo() == null
                ? dev.odooops.domain.AppProfile.ODOO : a.manifest().odoo().profile();
        if (from != env.app()) {
            return "artifact '" + a.id() + "' is a backup of " + from.key() + " and " + env.id() + " is app "
                    + env.app().key() + ": restore it into an environment of app " + from.key();
        }
        BackupType has = BackupType.parse("artifact", a.backupType());
        if (r.type().includesDatabase() && !has.includesDatabase()) {
            return "artifact '" + a.id() + "' is " + has.wire() + ": it has no database for a " + r.type().wire() + " restore";
        }
        if (r.type().includesFilestore() && !has.includesFilestore()) {
            return "artifact '" + a.id() + "' is " + has.wire() + ": it has no filestore for a " + r.type().wire() + " restore";
        }
        return null;
    }

    /** The files a restore of this type reads: the data it restores plus every small metadata file. */
    static List<String> neededFiles(OpsCatalog.Artifact a, BackupType type) {
        List<String> out = new ArrayList<>();
        for (String name : a.checksums().keySet()) {
            if (name.equals("db.dump") && !type.includesDatabase()) continue;
            if ((name.equals("filestore.tar.zst") || name.equals(dev.odooops.domain.FilestoreIndex.FILE))
                    && !type.includesFilestore()) continue;
            out.add(name);
        }
        return out;
    }

    private Check diskSpace(long needBytes, EnvironmentConfig env) {
        List<String> short_ = new ArrayList<>();
        for (Path dir : List.of(ops.workDir(), env.filestore().toAbsolutePath().getParent())) {
            try {
                Path existing = dir;
                while (existing != null && !Files.exists(existing)) existing = existing.getParent(); // touch nothing
                long free = Files.getFileStore(existing == null ? dir.getRoot() : existing).getUsableSpace();
                if (free < 2 * needBytes) short_.add(dir + " has " + free / (1 << 20) + " MiB free, needs " + 2 * needBytes / (1 << 20) + " MiB");
            } catch (IOException e) {
                short_.add(dir + ": " + e.getMessage());
            }
        }
        return new Check("disk_space", short_.isEmpty(), short_.isEmpty() ? "at least 2 x " + needBytes / (1 << 20)
                + " MiB free" : String.join("; ", short_));
    }

    private Check postgres(EnvironmentConfig env) {
        try (PgAdmin admin = new PgAdmin(env.database())) {
            if (!admin.canCreateDatabases()) {
                return new Check("postgres", false, "user " + env.database().user()
                        + " may not create databases (a restore loads into a new database)");
            }
            boolean exists = admin.exists(env.database().name());
            return new Check("postgres", true, env.database().host() + ":" + env.database().port() + " reachable; database "
                    + env.database().name() + (exists ? " exists" : " does not exist (it will be created)"));
        } catch (Exception e) {
            return new Check("postgres", false, "cannot connect to " + env.database().host() + ":" + env.database().port()
                    + " as " + env.database().user() + ": " + redactor.scrub(e.getMessage()));
        }
    }

    private Check checksums(RestoreJob job, List<String> names, boolean fetch) {
        String path = ArtifactStore.artifactPath(job.environment().project(), job.environment().name(), job.artifact().id());
        Map<String, String> bad = new LinkedHashMap<>();
        try {
            Path dir = job.workDir().resolve("artifact");
            if (fetch) WorkFiles.createPrivate(dir);
            for (String name : names) {
                String expected = String.valueOf(job.artifact().checksums().get(name));
                String actual;
                if (fetch) {
                    Path local = dir.resolve(name);
                    actual = store.fetch(path, name, local);
                    job.files().put(name, local);
                } else {
                    try (InputStream in = store.open(path, name)) {
                        actual = Checksums.sha256(in);
                    }
                }
                if (!actual.equals(expected)) bad.put(name, "sha256 " + actual + " differs from the recorded " + expected);
            }
        } catch (Exception e) {
            return new Check("checksums", false, "cannot read the artifact from the store: " + redactor.scrub(e.getMessage()));
        }
        return new Check("checksums", bad.isEmpty(), bad.isEmpty() ? names.size() + " files match their recorded SHA-256"
                : "checksum mismatch: " + bad);
    }
}
