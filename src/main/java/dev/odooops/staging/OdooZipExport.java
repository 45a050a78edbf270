package dev.odooops.staging;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.EnvironmentSecrets;
import dev.odooops.config.OpsConfig;
import dev.odooops.config.ZipSettings;
import dev.odooops.domain.ArtifactManifest;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.FilestoreIndex;
import dev.odooops.domain.OdooZipManifest;
import dev.odooops.domain.Json;
import dev.odooops.domain.RequestRejected;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.exec.ToolRunner;
import dev.odooops.exec.WorkFiles;
import dev.odooops.model.Artifact;
import dev.odooops.model.ExportZipRequest;
import dev.odooops.model.OdooZipJob;
import dev.odooops.model.QueuedRun;
import dev.odooops.model.Report;
import dev.odooops.model.RunStatus;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.restore.ArtifactUnpacking;
import dev.odooops.run.RunEnd;
import dev.odooops.run.RunStarter;
import dev.odooops.run.Vars;
import dev.odooops.store.StoreLocator;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * export-odoo-zip ARTIFACT --out FILE: an artifact written as the zip Odoo's database manager restores (its
 * {@code dump_db} layout): {@code dump.sql} (plain SQL: {@code pg_restore --no-owner -f} of the artifact's -Fc dump,
 * as Odoo's own {@code pg_dump --no-owner}), {@code filestore/<path>} (every file of the artifact's filestore, from
 * its packs or its archive, each SHA-1 checked against the index), {@code manifest.json} (dump_db_manifest's fields,
 * from the artifact's manifest: its Odoo series, installed modules and the server's major version). A run of the
 * artifact's environment (operation {@value #OPERATION}); every object fetched from the store is checked against the
 * catalog's SHA-256. The zip is written to {@code FILE.part} beside FILE, then renamed: FILE never exists half-written,
 * and an existing FILE is never overwritten. Large parts go through files of the run's work directory, streamed
 * into the zip entry, never held in memory. Evidence: {@code <root>/<day>/export-odoo-zip/<run_id>/}.
 */
public final class OdooZipExport {
    private static final Logger LOG = LoggerFactory.getLogger(OdooZipExport.class);
    public static final String OPERATION = ExportZipRequest.OPERATION;

    private final OpsConfig config;
    private final OpsCatalog catalog;
    private final RunStarter starter;
    private final ToolRunner tools;
    private final ZipSettings settings;
    private final Clock clock;
    private final ArtifactUnpacking unpacking;
    private final StoreLocator stores;

    public OdooZipExport(OpsConfig config, OpsCatalog catalog, StoreLocator stores, RunStarter starter, ToolRunner tools,
                         ZipSettings settings, int packParallelism, Clock clock) {
        this.config = config;
        this.catalog = catalog;
        this.starter = starter;
        this.tools = tools;
        this.settings = settings;
        this.clock = clock;
        this.stores = stores;
        this.unpacking = new ArtifactUnpacking(tools, catalog, stores, Duration.ofSeconds(settings.psqlTimeoutSeconds()),
                packParallelism);
    }

    /**
     * The entry route's first step (before authorize): the artifact's environment filled in (a given one must be
     * it), the artifact live, {@code out} free and its directory there. Refusals name the field.
     */
    public ExportZipRequest resolve(ExportZipRequest request) {
        Artifact a = live(request.artifactId());
        int slash = a.environmentId().indexOf('/');
        String project = a.environmentId().substring(0, slash);
        String env = a.environmentId().substring(slash + 1);
        if (request.environment() != null) { // E or P/E, with an optional project: it must name the artifact's
            String named = request.environment().contains("/") ? request.environment()
                    : (request.project() == null ? project : request.project()) + "/" + request.environment();
            if (!named.equals(a.environmentId()) || (request.project() != null && !request.project().equals(project))) {
                throw new RequestRejected("env", "artifact '" + a.id() + "' is of " + a.environmentId() + ", not of " + named);
            }
        }
        ArtifactManifest manifest = a.manifest();
        if (manifest == null || manifest.odoo() == null || manifest.odoo().profile() != dev.odooops.domain.AppProfile.ODOO) {
            throw new RequestRejected("artifact_id", "artifact '" + a.id() + "' is not of an Odoo environment");
        }
        if (manifest.dbDump() == null || manifest.filestore() == null) {
            throw new RequestRejected("artifact_id", "artifact '" + a.id() + "' is not a full backup (database and filestore): "
                    + "an Odoo zip holds both");
        }
        if (manifest.odoo().odooVersion() == null) {
            throw new RequestRejected("artifact_id", "artifact '" + a.id() + "' records no Odoo version for manifest.json");
        }
        if (manifest.encryption() != null && !stores.cipher().canRead(project)) {
            // the export decrypts the dump and the filestore: refused here, before a run exists, as a restore is
            throw new RequestRejected("encryption.identity", "artifact '" + a.id() + "' is encrypted (age) and no "
                    + "encryption.identity is configured for project " + project + ": export-odoo-zip must decrypt it "
                    + "(see docs/configuration.md, encryption)");
        }
        if (config.environment(project, env).isEmpty()) {
            throw new RequestRejected("artifact_id", "artifact '" + a.id() + "' is of " + a.environmentId()
                    + ", which is no longer configured", RequestRejected.Reason.NOT_FOUND);
        }
        Path out = Path.of(request.out());
        if (Files.exists(out, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new RequestRejected("out", out + " exists: an export never overwrites a file");
        }
        if (out.getParent() == null || !Files.isDirectory(out.getParent()) || !Files.isWritable(out.getParent())) {
            throw new RequestRejected("out", out.getParent() + " is not a writable directory");
        }
        return request.resolved(project, env);
    }

    /** The entry route's step export-zip: the run. */
    public Report run(ExportZipRequest request, @Variable(Vars.QUEUED_RUN) QueuedRun queued) {
        EnvironmentConfig env = config.environment(request.project(), request.environment()).orElseThrow();
        Artifact artifact = live(request.artifactId());
        SecretRedactor redactor = new SecretRedactor(EnvironmentSecrets.of(env));
        OdooZipJob job = queued == null ? new OdooZipJob(env, clock.instant(), redactor)
                : new OdooZipJob(queued.runId(), env, clock.instant(), redactor);
        if (queued != null) job.lease(queued.lease());
        Path dir = starter.evidenceDir(job, "export-odoo-zip");
        Path out = Path.of(request.out());
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("run_id", job.runId().toString());
        inputs.put("operation", OPERATION);
        inputs.put("environment_id", env.id());
        inputs.put("artifact_id", artifact.id());
        inputs.put("out", out.toString());
        inputs.put("user", request.user());
        inputs.put("trigger", request.trigger());
        inputs.put("requested_at", job.createdAt().toString());
        starter.start(job, OPERATION, request.user(), null, Map.of("kind", OPERATION, "artifact_id", artifact.id(),
                "out", out.toString()), dir, inputs);

        Map<String, Object> body = new LinkedHashMap<>();
        body.put("run_id", job.runId().toString());
        body.put("environment_id", env.id());
        body.put("artifact_id", artifact.id());
        body.put("out", out.toString());
        String failure = null;
        Path part = out.resolveSibling(out.getFileName() + ".part");
        boolean partOurs = false;
        try {
            job.step("fetch-artifact");
            ArtifactManifest manifest = artifact.manifest(); // an Odoo full backup with its version: resolve checked
            Path dump = fetch(job, artifact, "db.dump");
            completed(job, Map.of("db.dump", Files.size(dump)));

            job.step("write-zip");
            Files.createFile(part); // refuses an existing .part: another export to the same file
            partOurs = true;
            Map<String, Object> counts;
            try (OutputStream os = Files.newOutputStream(part, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 ZipOutputStream zip = new ZipOutputStream(new java.io.BufferedOutputStream(os, 1 << 16))) {
                // dump.sql first, as Odoo's zip_dir sorts it
                long sqlBytes = plainSql(job, dump, zip);
                Files.delete(dump);
                counts = filestore(job, artifact, zip);
                counts.put("dump_sql_bytes", sqlBytes);
                Map<String, Object> odooManifest = OdooZipManifest.of(env.database().name(), manifest.odoo().odooVersion(),
                        manifest.odoo().modulesInstalled(), manifest.odoo().dbMajorVersion());
                zip.putNextEntry(new ZipEntry("manifest.json"));
                zip.write(Json.pretty(odooManifest).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                zip.closeEntry();
                job.evidence().json("odoo_manifest.json", odooManifest);
            }
            try (var ch = java.nio.channels.FileChannel.open(part, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            completed(job, counts);

            job.step("publish-zip");
            Files.move(part, out, StandardCopyOption.ATOMIC_MOVE); // never REPLACE_EXISTING: an existing file stays
            partOurs = false;
            Map<String, Object> written = new LinkedHashMap<>(counts);
            written.put("out", out.toString());
            written.put("size_bytes", Files.size(out));
            written.put("sha256", Checksums.sha256(out));
            job.evidence().json("export.json", written);
            body.put("size_bytes", written.get("size_bytes"));
            body.put("sha256", written.get("sha256"));
            body.put("filestore_files", counts.get("filestore_files"));
            completed(job, Map.of("size_bytes", written.get("size_bytes")));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            failure = e.getFile() + " exists (another export to the same file, or it appeared meanwhile): not overwritten";
        } catch (Exception e) {
            failure = RunEnd.describe(e);
        } finally {
            if (partOurs) {
                try {
                    Files.deleteIfExists(part);
                } catch (IOException e) {
                    LOG.warn("run {}: {} not removed: {}", job.runId(), part, e.getMessage());
                }
            }
        }
        if (failure != null) failure = redactor.scrub(failure);
        body.put("status", failure == null ? "success" : "failed");
        if (failure != null) {
            body.put("failed_step", job.step());
            body.put("error", failure);
        }
        body.put("evidence_dir", dir.toString());
        body.put("finished_at", Instant.now().toString());
        try {
            job.evidence().json("final_status.json", body);
        } catch (RuntimeException e) {
            failure = (failure == null ? "" : failure + "; ") + "evidence not written: " + e.getMessage();
            body.put("status", "failed");
            body.put("error", failure);
        }
        try {
            catalog.runs().finishRun(job.runId(), failure == null ? RunStatus.SUCCESS : RunStatus.FAILED,
                    failure == null ? null : job.step(), failure, Map.of("artifact_id", artifact.id()));
        } finally {
            RunEnd.release(job);
        }
        LOG.info("export-odoo-zip run {} of {}: {}", job.runId(), artifact.id(), failure == null ? "written to " + out : failure);
        return new Report(failure == null, body);
    }

    private Artifact live(String id) {
        Artifact a = catalog.artifacts().artifact(id).orElseThrow(() -> new RequestRejected("artifact_id", "no artifact '" + id
                + "' in the ops catalog", RequestRejected.Reason.NOT_FOUND));
        if (a.prunedAt() != null) {
            throw new RequestRejected("artifact_id", "artifact '" + id + "' was pruned at " + a.prunedAt(), RequestRejected.Reason.NOT_FOUND);
        }
        return a;
    }

    private void completed(OdooZipJob job, Map<String, ?> detail) {
        catalog.runs().event(job.runId(), "step_completed", job.step(), detail);
    }

    /** One object of the artifact into the work directory, its SHA-256 compared with the catalog's. */
    private Path fetch(OdooZipJob job, Artifact a, String name) throws IOException {
        return unpacking.fetch(a, List.of(name), job.workDir()).verified().file(name);
    }

    /**
     * dump.sql: {@code pg_restore --no-owner --file=<fifo>} of the -Fc dump, read from a named pipe of the run's work
     * directory straight into the zip entry (odoo-ops's tools run through camel-exec, which collects a tool's stdout in
     * memory: the pipe streams it instead, never held whole, never on disk). A pg_restore that fails before it opens
     * the pipe is met by opening its writing end here, so the reading end never waits for ever.
     */
    private long plainSql(OdooZipJob job, Path dump, ZipOutputStream zip) throws Exception {
        Path fifo = job.workDir().resolve("dump.sql.fifo");
        Duration timeout = Duration.ofSeconds(settings.psqlTimeoutSeconds());
        tools.run(List.of("mkfifo", "-m", "600", fifo.toString()), Map.of(), Duration.ofSeconds(30));
        zip.putNextEntry(new ZipEntry("dump.sql")); // before pg_restore starts: from here the reading end is always opened
        java.util.concurrent.atomic.AtomicBoolean opened = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.CompletableFuture<dev.odooops.exec.ToolResult> restore = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> tools.run(List.of("pg_restore", "--no-owner", "--file=" + fifo, dump.toString()), Map.of(), timeout));
        restore.whenComplete((r, t) -> {
            if (t != null && !opened.get()) {
                try (OutputStream unblock = Files.newOutputStream(fifo)) {
                    LOG.debug("run {}: pg_restore ended before writing dump.sql", job.runId());
                } catch (IOException ignored) {
                    // the reader is gone too
                }
            }
        });
        long n;
        try {
            try (java.io.InputStream in = Files.newInputStream(fifo)) {
                opened.set(true);
                n = in.transferTo(zip);
            }
            zip.closeEntry();
            dev.odooops.run.Await.join(restore); // its failure (exit code, stderr) wins over an empty entry
        } finally {
            Files.deleteIfExists(fifo);
        }
        return n;
    }

    /** One file streamed into a zip entry; its size. */
    private static long entry(ZipOutputStream zip, String name, Path file) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        long n = Files.copy(file, zip);
        zip.closeEntry();
        return n;
    }

    /**
     * Every file of the artifact's filestore as {@code filestore/<path>}, loaded by {@link ArtifactUnpacking}: a
     * packed artifact's packs fetched one at a time (each checked against the catalog's SHA-256, admitted), their
     * members extracted and each size and SHA-1 compared with the index; an archived one's filestore.tar.zst admitted,
     * then extracted whole into the work directory.
     */
    private Map<String, Object> filestore(OdooZipJob job, Artifact a, ZipOutputStream zip) throws IOException {
        Path staging = job.workDir().resolve("filestore");
        long[] files = {0};
        long[] bytes = {0};
        if (a.manifest().format() == ArtifactManifest.FORMAT_PACKED) {
            FilestoreIndex index = FilestoreIndex.parse(Files.readString(fetch(job, a, FilestoreIndex.FILE)));
            unpacking.unpackPacks(job.environment().project(), a.manifest(), index.entries(), job.workDir(), pack -> staging,
                    (e, f) -> {
                        bytes[0] += entry(zip, "filestore/" + e.path(), f);
                        files[0]++;
                    });
        } else {
            Path archive = fetch(job, a, "filestore.tar.zst");
            Files.createDirectories(staging);
            unpacking.unpackArchive(archive, -1, staging, check -> { });
            Files.delete(archive);
            List<Path> all;
            try (Stream<Path> walk = Files.walk(staging)) {
                all = walk.filter(p -> !p.equals(staging)).sorted().toList();
            }
            for (Path f : all) {
                if (Files.isDirectory(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) continue;
                if (!Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    throw new IllegalStateException("the artifact's filestore holds " + staging.relativize(f) + ", not a regular file");
                }
                bytes[0] += entry(zip, "filestore/" + staging.relativize(f).toString().replace('\\', '/'), f);
                files[0]++;
            }
        }
        WorkFiles.deleteTree(staging);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("filestore_files", files[0]);
        m.put("filestore_bytes", bytes[0]);
        return m;
    }
}
