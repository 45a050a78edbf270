package dev.odooops.staging;

import dev.odooops.config.DatabaseConfig;
import dev.odooops.domain.ArtifactManifest;
import dev.odooops.domain.FilestoreIndex;
import dev.odooops.exec.PgPassFile;
import dev.odooops.exec.ToolRunner;
import dev.odooops.model.Artifact;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.postgres.PgAdmin;
import dev.odooops.restore.ArtifactUnpacking;
import dev.odooops.store.StoreLocator;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An artifact loaded into a database and a directory of one's choosing, outside any restore (the restore's steps
 * swap a live environment; this loads copies that nobody uses yet), through {@link ArtifactUnpacking} as every load:
 * every file fetched from the store it was written to with its SHA-256 compared with the catalog's,
 * {@code pg_restore --exit-on-error --no-owner --no-acl} into a new database, and the filestore extracted (an archive
 * admitted first; a packed one member by member from the packs its index names, each pack's SHA-256 checked and its
 * listing admitted, each file's SHA-1 and size checked). Used by the pull-request environments to fill their template;
 * a staging operation that needs the same gives it its own names (see {@link ScratchCopies}).
 */
public final class ArtifactLoader {
    private final ToolRunner tools;
    private final ArtifactUnpacking unpacking;
    private final Duration timeout;

    /** {@code packParallelism}: {@code restore.pack-fetch-parallelism}. */
    public ArtifactLoader(ToolRunner tools, OpsCatalog catalog, StoreLocator stores, Duration timeout, int packParallelism) {
        this.tools = tools;
        this.unpacking = new ArtifactUnpacking(tools, catalog, stores, timeout, packParallelism);
        this.timeout = timeout;
    }

    /** What was loaded: the database's tables restored, the files extracted, and the time each took. */
    public record Loaded(int files, long bytes, long fetchMillis, long databaseMillis, long filestoreMillis) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("filestore_files", files);
            m.put("filestore_bytes", bytes);
            m.put("fetch_ms", fetchMillis);
            m.put("pg_restore_ms", databaseMillis);
            m.put("filestore_ms", filestoreMillis);
            return m;
        }
    }

    /**
     * Loads {@code artifact} of {@code project} into the new database {@code database} (on the server of {@code db},
     * as its user, which then owns every object) and the new directory {@code filestore}; {@code work} is a private
     * scratch directory for the fetched files. Either target existing is an error; on failure the caller removes both.
     */
    public Loaded load(String project, Artifact artifact, DatabaseConfig db, String database, Path filestore, Path work)
            throws Exception {
        if (!"full".equals(artifact.backupType())) {
            throw new IllegalStateException("artifact " + artifact.id() + " is " + artifact.backupType() + ", a full one is needed");
        }
        long t0 = System.nanoTime();
        boolean packed = artifact.manifest().format() == ArtifactManifest.FORMAT_PACKED;
        List<String> names = new ArrayList<>(List.of("db.dump"));
        names.add(packed ? FilestoreIndex.FILE : "filestore.tar.zst");
        Map<String, Path> files = unpacking.fetch(artifact, names, work).verified().files();
        long t1 = System.nanoTime();
        try (PgAdmin admin = new PgAdmin(db)) {
            if (admin.exists(database)) throw new IllegalStateException("database " + database + " exists already");
            admin.create(database, db.name());
        }
        try (PgPassFile pass = PgPassFile.create(work, db)) {
            tools.run(ArtifactUnpacking.pgRestore(db, database, files.get("db.dump"), 1), pass.environment(db), timeout);
        }
        long t2 = System.nanoTime();
        if (Files.exists(filestore, LinkOption.NOFOLLOW_LINKS)) throw new IllegalStateException(filestore + " exists already");
        Files.createDirectories(filestore);
        int count;
        long bytes;
        if (packed) {
            FilestoreIndex index = FilestoreIndex.parse(Files.readString(files.get(FilestoreIndex.FILE)));
            unpacking.unpackPacks(project, artifact.manifest(), index.entries(), work, pack -> work.resolve("pack-" + pack),
                    (e, got) -> {
                        Path target = filestore.resolve(e.path());
                        Files.createDirectories(target.getParent());
                        // the work directory may be on another file system than the filestore: a copy, the staging file goes
                        Files.copy(got, target, StandardCopyOption.REPLACE_EXISTING);
                    });
            count = index.entries().size();
            bytes = index.totalBytes();
        } else {
            unpacking.unpackArchive(files.get("filestore.tar.zst"), -1, filestore, check -> { });
            Map<String, Long> found = ArtifactUnpacking.regularFilesOnly(filestore, "the artifact's filestore");
            count = found.size();
            bytes = found.values().stream().mapToLong(Long::longValue).sum();
        }
        long t3 = System.nanoTime();
        return new Loaded(count, bytes, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);
    }
}
