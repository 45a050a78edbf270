package dev.odooops.restore;

import dev.odooops.model.QueuedRun;
import dev.odooops.domain.AppProfile;
import dev.odooops.domain.VersionGuard;
import dev.odooops.odoo.ServerVersions;
import dev.odooops.run.Vars;
import org.apache.camel.Variable;
import dev.odooops.postgres.PgAdmin;
import dev.odooops.exec.WorkFiles;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.OpsConfig;
import dev.odooops.config.Settings;
import dev.odooops.domain.ArtifactManifest;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.FilestoreIndex;
import dev.odooops.domain.FilestoreInventory;
import dev.odooops.domain.Json;
import dev.odooops.domain.RestoreSpace;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.model.BackupType;
import dev.odooops.domain.RequestRejected;
import dev.odooops.model.RestoreJob;
import dev.odooops.model.Report;
import dev.odooops.model.RestoreRequest;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.store.ArtifactStore;
import dev.odooops.store.StoreLocator;
import dev.odooops.model.Artifact;

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
 * The ten restore preconditions. Nothing in the environment is touched.
 * <ol>
 *   <li>environment: the project and environment exist and match (and a production restore is confirmed);</li>
 *   <li>permission: decided before, by the entry route's authorize node (app.Authorizer); reported here;</li>
 *   <li>no_active_run: no backup/restore/deploy run is active on the environment;</li>
 *   <li>artifact: it exists, is not pruned, belongs to the environment and holds what the type needs;</li>
 *   <li>metadata: its manifest holds every field of the artifact contract;</li>
 *   <li>version: the artifact's series (17.0) is the target server's, learned ({@link ServerVersions}) or, when it
 *       cannot be, stated by the operator ({@link VersionGuard}); compared when the database is restored;</li>
 *   <li>disk_space: room in the work directory for the files fetched there, and on the filestore's own file system
 *       for the new filestore built beside the live one ({@link RestoreSpace});</li>
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
    private final StoreLocator stores;
    private final Clock clock;
    private final SecretRedactor redactor;
    private final ServerVersions versions;

    public RestorePreflight(OpsConfig config, Settings.Ops ops, OpsCatalog catalog, StoreLocator stores, Clock clock,
                            SecretRedactor redactor, ServerVersions versions) {
        this.versions = versions;
        this.config = config;
        this.ops = ops;
        this.catalog = catalog;
        this.stores = stores;
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
            case "encryption" -> "encryption.identity";
            case "confirm" -> "confirm";
            case "disk_space" -> "work-dir";
            case "postgres" -> "database";
            case "version" -> VersionGuard.FIELD;
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
        Check confirm = confirmation(env, r);
        if (confirm != null) {
            checks.add(confirm);
            return null;
        }
        // 2. permission: the entry route's authorize node let the request through
        checks.add(new Check("permission", true, r.user() + " may restore " + r.project()));
        // 3. no active run
        List<String> active = catalog.runs().activeRuns(env.id(), queued == null ? null : queued.runId());
        checks.add(new Check("no_active_run", active.isEmpty(), active.isEmpty() ? "none"
                : "another run is active on " + env.id() + ": " + active.get(0)));
        // 4. artifact
        Artifact artifact = catalog.artifacts().artifact(r.artifactId()).orElse(null);
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
        // 6. version (before anything is fetched or touched)
        checks.add(version(artifact, env, r, job));
        // 7. disk space
        checks.add(diskSpace(needBytes, artifact, r, env));
        // 8. postgres
        checks.add(postgres(env));
        // 9. filestore
        Path parent = env.filestore().toAbsolutePath().getParent();
        boolean fsOk = !r.type().includesFilestore() || (parent != null && Files.isDirectory(parent) && Files.isWritable(parent));
        checks.add(new Check("filestore", fsOk, fsOk ? (r.type().includesFilestore() ? parent + " writable" : "not restored")
                : parent + " (parent of the filestore) is not a writable directory"));
        // 9b. the live configuration file names this environment's database and filestore (else the server would go on
        // using another one after the restore): odoo.conf's db_name/data_dir, conf.php's db name/data root
        if (Files.isReadable(env.appConf())) {
            List<String> differs = dev.odooops.domain.ConfBinding.differences(env.app(),
                    dev.odooops.domain.ConfBinding.read(env.app(), env.appConf(), env.customLayout()), env.database().name(), env.filestore());
            checks.add(new Check(env.app().confKey(), differs.isEmpty(), differs.isEmpty()
                    ? env.appConf() + " names " + env.database().name() + " and its filestore"
                    : env.appConf() + " describes another installation than " + env.id() + ": " + String.join("; ", differs)));
        }
        // 10. checksums (last: it reads the whole artifact)
        if (checks.stream().allMatch(Check::ok)) {
            checks.add(checksums(job, need, fetch));
        } else {
            checks.add(new Check("checksums", false, "not checked: an earlier check failed"));
        }
        // 11. encryption: an encrypted artifact is read with the identity of its project; a missing or wrong identity is
        // refused here, before the run exists, the safety backup is taken or anything live is touched
        if (artifact.manifest().encrypted()) {
            checks.add(checks.stream().allMatch(Check::ok) ? encryption(job, need, fetch)
                    : new Check("encryption", false, "not checked: an earlier check failed"));
        }
        return job;
    }

    /** A production restore must name the environment in {@code confirm}: the failed check, or null. */
    private static Check confirmation(EnvironmentConfig env, RestoreRequest r) {
        if (!env.isProduction() || env.id().equals(r.confirm())) return null;
        return new Check("confirm", false, env.id() + " is a production environment: restoring it needs --confirm "
                + env.id() + (r.confirm() == null ? "" : " (got '" + r.confirm() + "')"));
    }

    /**
     * The checks a service channel answers before it queues a request (route {@code admit}): for a restore, the
     * production confirmation and the artifact (it exists here, is live, holds what the type needs), with the words
     * of {@link #check}; nothing is fetched. Any other request passes unchanged.
     */
    public dev.odooops.model.EnvironmentRequest admit(dev.odooops.model.EnvironmentRequest request) {
        if (!(request instanceof RestoreRequest r)) return request;
        EnvironmentConfig env = config.environment(r.project(), r.environment()).orElseThrow(() -> new RequestRejected("env",
                "project '" + r.project() + "' has no environment '" + r.environment() + "'", RequestRejected.Reason.NOT_FOUND));
        Check failed = confirmation(env, r);
        if (failed == null) {
            String problem = artifactProblem(catalog.artifacts().artifact(r.artifactId()).orElse(null), env, r);
            if (problem != null) failed = new Check("artifact", false, problem);
        }
        if (failed != null) throw new RequestRejected(field(failed.name()), failed.detail(), reason(failed));
        return r;
    }

    static String artifactProblem(Artifact a, EnvironmentConfig env, RestoreRequest r) {
        if (a == null) return "no artifact '" + r.artifactId() + "' in the ops catalog";
        if (r.isCopy() && env.isProduction()) {
            return env.id() + " is a production environment: a neutralised copy never goes into production";
        }
        // another environment's artifact only for a copy, and only of the environment it is a copy from
        if (!a.environmentId().equals(r.isCopy() ? r.copyFrom() : env.id())) {
            return "artifact '" + a.id() + "' belongs to " + a.environmentId() + ", not to "
                    + (r.isCopy() ? r.copyFrom() + " (the copy's source)" : env.id());
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
    static List<String> neededFiles(Artifact a, BackupType type) {
        List<String> out = new ArrayList<>();
        for (String name : a.checksums().keySet()) {
            if (name.equals("db.dump") && !type.includesDatabase()) continue;
            if ((name.equals("filestore.tar.zst") || name.equals(dev.odooops.domain.FilestoreIndex.FILE))
                    && !type.includesFilestore()) continue;
            out.add(name);
        }
        return out;
    }

    /** The artifact's series against the target server's (learned, else stated); the job keeps the target's. */
    private Check version(Artifact a, EnvironmentConfig env, RestoreRequest r, RestoreJob job) {
        if (!r.type().includesDatabase()) return new Check("version", true, "not compared: the database is not restored");
        if (r.mode() == RestoreRequest.Mode.VALIDATE_ONLY) {
            return new Check("version", true, "not compared: validate_only changes nothing (the modules validation "
                    + "compares the database's version with the server's)");
        }
        var state = a.manifest().odoo();
        String artifactSeries = state == null ? null : VersionGuard.artifactSeries(
                env.app() == AppProfile.ODOO ? state.odooVersion() : state.appVersion(), state.modulesInstalled(), env.app());
        ServerVersions.Learned learned = versions.learn(env);
        VersionGuard.Verdict v = VersionGuard.judge(env.app(), a.id(), artifactSeries, learned.target(),
                learned.unknownReason() == null ? null : redactor.scrub(learned.unknownReason()), r.odooVersion());
        job.serverVersion(v.target());
        return new Check("version", v.ok(), v.detail());
    }

    /**
     * Free space for the files fetched into the work directory, and on the filestore's own file system for the new
     * filestore built beside the live one ({@link RestoreSpace}); the sum where both are one file system.
     */
    private Check diskSpace(long needBytes, Artifact artifact, RestoreRequest r, EnvironmentConfig env) {
        boolean withFilestore = r.type().includesFilestore();
        RestoreSpace space = new RestoreSpace(needBytes, 0, 0, 0);
        if (withFilestore) space = filestoreSpace(needBytes, artifact, env);
        try {
            RestoreSpace.Free work = free(ops.workDir(), "work directory " + ops.workDir());
            Path parent = env.filestore().toAbsolutePath().getParent();
            RestoreSpace.Free filestore = withFilestore ? free(parent, "filestore's file system " + parent) : null;
            boolean same = withFilestore && fileStore(ops.workDir()).equals(fileStore(parent));
            List<String> shortfalls = space.shortfalls(work, filestore, same);
            return new Check("disk_space", shortfalls.isEmpty(), shortfalls.isEmpty() ? space.describe(work, filestore, same)
                    : String.join("; ", shortfalls));
        } catch (IOException e) {
            return new Check("disk_space", false, "cannot read the free space: " + e.getMessage());
        }
    }

    /**
     * The filestore's part: its size from filestore.meta.json (read from the store: a few hundred bytes), for a packed
     * artifact the largest pack, and, where the application's files are linked (Odoo), what the live filestore already
     * holds under the index's paths with the index's sizes.
     */
    private RestoreSpace filestoreSpace(long needBytes, Artifact artifact, EnvironmentConfig env) {
        List<ArtifactManifest.PackRef> packs = artifact.manifest().filestore() == null
                || artifact.manifest().filestore().packs() == null ? List.of() : artifact.manifest().filestore().packs();
        long largestPack = packs.stream().mapToLong(ArtifactManifest.PackRef::size).max().orElse(0);
        long tree;
        long linkable = 0;
        // from the store the artifact was written to (store.previous), like every read of it
        StoreLocator.Location where = null;
        try {
            where = stores.locate(artifact.uri(), artifact.id());
            tree = ((Number) Json.readMap(small(where, artifact, "filestore.meta.json")).get("total_bytes")).longValue();
        } catch (Exception e) { // no estimate from the meta: the stored size, a lower bound
            tree = packs.isEmpty() ? ((Number) artifact.sizes().getOrDefault("filestore.tar.zst", 0)).longValue()
                    : packs.stream().mapToLong(ArtifactManifest.PackRef::size).sum();
        }
        if (where != null && !packs.isEmpty() && env.app().namesByContent() && Files.isDirectory(env.filestore())) {
            try {
                FilestoreIndex index = FilestoreIndex.parse(small(where, artifact, FilestoreIndex.FILE));
                linkable = RestoreSpace.linkable(index, FilestoreInventory.of(env.filestore(), env.app()).files());
            } catch (Exception e) {
                linkable = 0; // counted as written again: the estimate errs on the side of room
            }
        }
        return new RestoreSpace(needBytes, largestPack, tree, linkable);
    }

    /**
     * A small file of the artifact as text, read from the store; an encrypted one is decrypted (in a scratch directory
     * of the work directory, removed at once) when this host has the identity, otherwise it cannot be read here
     * (the caller's estimate then falls back; the encryption check refuses the restore anyway).
     */
    private String small(StoreLocator.Location where, Artifact artifact, String name) throws IOException {
        Path scratch = Files.createTempDirectory(WorkFiles.createPrivate(ops.workDir()), "preflight-");
        try {
            Path local = scratch.resolve(name);
            where.store().fetch(where.artifactPath(), name, local);
            stores.cipher().decryptInPlace(ArtifactUnpacking.projectOf(artifact), local, name + " of artifact " + artifact.id());
            return Files.readString(local, java.nio.charset.StandardCharsets.UTF_8);
        } finally {
            WorkFiles.deleteTree(scratch);
        }
    }

    /** The free space of the file system {@code dir} is on (its nearest existing ancestor's: nothing is created). */
    private static RestoreSpace.Free free(Path dir, String where) throws IOException {
        return new RestoreSpace.Free(where, fileStore(dir).getUsableSpace());
    }

    private static java.nio.file.FileStore fileStore(Path dir) throws IOException {
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) existing = existing.getParent(); // touch nothing
        return Files.getFileStore(existing == null ? dir.toAbsolutePath().getRoot() : existing);
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

    /**
     * An encrypted artifact's smallest file decrypted, as a scratch copy removed at once, with its project's identity,
     * so a missing or wrong identity is refused before the run exists (the restore's decrypt-artifact node decrypts
     * the fetched files after verify-artifact has hashed them again). With {@code fetch} the copy comes from the
     * fetched files, else from the store.
     */
    private Check encryption(RestoreJob job, List<String> names, boolean fetch) {
        String project = ArtifactUnpacking.projectOf(job.artifact());
        String what = "artifact " + job.artifact().id() + " is encrypted (age, generation "
                + job.artifact().manifest().encryption().generation() + ")";
        Path scratch = null;
        try {
            String smallest = names.stream().filter(n -> !n.endsWith(".sha256") && !n.equals(ArtifactManifest.FILE))
                    .min(java.util.Comparator.comparingLong(n -> ((Number) job.artifact().sizes().getOrDefault(n, 0)).longValue()))
                    .orElse(null);
            if (smallest == null) return new Check("encryption", true, what);
            String name = smallest + " of artifact " + job.artifact().id();
            stores.cipher().requireIdentity(project, name);
            scratch = WorkFiles.createPrivate(job.workDir().resolve("encryption-check"));
            Path local = scratch.resolve(smallest);
            if (fetch) {
                Files.copy(job.files().get(smallest), local);
            } else {
                StoreLocator.Location where = stores.locate(job.artifact().uri(), job.artifact().id());
                where.store().fetch(where.artifactPath(), smallest, local);
            }
            stores.cipher().decrypt(project, local, scratch.resolve(smallest + ".plain"), name);
            return new Check("encryption", true, what + ": the identity of project " + project + " reads it");
        } catch (dev.odooops.store.EncryptionKeyException e) {
            return new Check("encryption", false, e.getMessage());
        } catch (Exception e) {
            return new Check("encryption", false, what + " and cannot be decrypted: " + redactor.scrub(String.valueOf(e.getMessage())));
        } finally {
            WorkFiles.deleteTree(scratch);
        }
    }

    private Check checksums(RestoreJob job, List<String> names, boolean fetch) {
        Map<String, String> bad = new LinkedHashMap<>();
        try {
            StoreLocator.Location where = stores.locate(job.artifact().uri(), job.artifact().id());
            ArtifactStore store = where.store();
            String path = where.artifactPath();
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
