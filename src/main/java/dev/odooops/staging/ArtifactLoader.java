package dev.odooops.staging;

import dev.odooops.config.DatabaseConfig;
import dev.odooops.domain.ArtifactManifest;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.FilestoreIndex;
import dev.odooops.exec.PgPassFile;
import dev.odooops.exec.ToolRunner;
import dev.odooops.exec.WorkFiles;
import dev.odooops.model.Artifact;
import dev.odooops.model.NewPack;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.postgres.PgAdmin;
import dev.odooops.store.ArtifactStore;
import dev.odooops.store.PackMembers;
import dev.odooops.store.StoreLocator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An artifact loaded into a database and a directory of one's choosing, outside any restore (the restore's steps
 * swap a live environment; this loads copies that nobody uses yet): every file fetched from the store it was written
 * to with its SHA-256 compared with the catalog's, {@code pg_restore --exit-on-error --no-owner --no-acl} into a new
 * database, and the filestore extracted (a packed one member by member from the packs its index names, each pack's
 * SHA-256 and each file's SHA-1 and size checked). Used by the pull-request environments to fill their template; a
 * staging operation that needs the same gives it its own names (see {@link ScratchCopies}).
 */
public final class ArtifactLoader {
    private final ToolRunner tools;
    private final OpsCatalog catalog;
    private final StoreLocator stores;
    private final Duration timeout;

    public ArtifactLoader(ToolRunner tools, OpsCatalog catalog, StoreLocator stores, Duration timeout) {
        this.tools = tools;
        this.catalog = catalog;
        this.stores = stores;
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
        Map<String, Path> files = fetch(artifact, names, work);
        long t1 = System.nanoTime();
        try (PgAdmin admin = new PgAdmin(db)) {
            if (admin.exists(database)) throw new IllegalStateException("database " + database + " exists already");
            admin.create(database, db.name());
        }
        try (PgPassFile pass = PgPassFile.create(work, db)) {
            tools.run(List.of("pg_restore", "--exit-on-error", "--no-owner", "--no-acl", "--no-password",
                    "--host=" + db.host(), "--port=" + db.port(), "--username=" + db.user(), "--dbname=" + database,
                    files.get("db.dump").toString()), pass.environment(db), timeout);
        }
        long t2 = System.nanoTime();
        if (Files.exists(filestore, LinkOption.NOFOLLOW_LINKS)) throw new IllegalStateException(filestore + " exists already");
        Files.createDirectories(filestore);
        int count;
        long bytes;
        if (packed) {
            FilestoreIndex index = FilestoreIndex.parse(Files.readString(files.get(FilestoreIndex.FILE)));
            extractPacked(project, artifact, index, filestore, work);
            count = index.entries().size();
            bytes = index.totalBytes();
        } else {
            tools.run(List.of("tar", "--zstd", "--extract", "--file=" + files.get("filestore.tar.zst"), "--directory=" + filestore,
                    "--no-same-owner", "--no-same-permissions"), Map.of(), timeout);
            var inventory = dev.odooops.domain.FilestoreInventory.of(filestore, dev.odooops.domain.AppProfile.ODOO);
            if (!inventory.others().isEmpty()) {
                throw new IllegalStateException("the artifact's filestore holds " + inventory.others().size()
                        + " entr(ies) neither a regular file nor a directory, first " + inventory.others().get(0));
            }
            count = inventory.files().size();
            bytes = inventory.files().values().stream().mapToLong(Long::longValue).sum();
        }
        long t3 = System.nanoTime();
        return new Loaded(count, bytes, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);
    }

    /** The artifact's files {@code names}, fetched into {@code work}, each SHA-256 the catalog's. */
    private Map<String, Path> fetch(Artifact artifact, List<String> names, Path work) {
        StoreLocator.Location where = stores.locate(artifact.uri(), artifact.id());
        Map<String, Path> out = new LinkedHashMap<>();
        for (String name : names) {
            Path local = work.resolve(name);
            String sha = where.store().fetch(where.artifactPath(), name, local);
            Object expected = artifact.checksums().get(name);
            if (expected == null || !sha.equals(expected.toString())) {
                throw new IllegalStateException(name + " of artifact " + artifact.id() + " has sha256 " + sha
                        + ", the catalog records " + expected);
            }
            out.put(name, local);
        }
        return out;
    }

    /** Each pack the index names, fetched and checked, its members extracted and checked, moved into {@code into}. */
    private void extractPacked(String project, Artifact artifact, FilestoreIndex index, Path into, Path work) throws IOException {
        Map<String, List<FilestoreIndex.Entry>> byPack = new TreeMap<>();
        for (FilestoreIndex.Entry e : index.entries()) byPack.computeIfAbsent(e.pack(), k -> new ArrayList<>()).add(e);
        Map<String, ArtifactManifest.PackRef> refs = new LinkedHashMap<>();
        artifact.manifest().filestore().packs().forEach(r -> refs.put(r.id(), r));
        // a pack written again by a repack holds the same members under another id: the catalog says which
        catalog.packs().currentPacks(project, byPack.keySet()).forEach((id, ref) -> { if (!ref.id().equals(id)) refs.put(id, ref); });
        Map<String, NewPack> recorded = catalog.packs().packs(project, refs.values().stream().map(ArtifactManifest.PackRef::id).toList());
        for (Map.Entry<String, List<FilestoreIndex.Entry>> p : byPack.entrySet()) {
            ArtifactManifest.PackRef ref = refs.get(p.getKey());
            if (ref == null) throw new IllegalStateException("the index names pack " + p.getKey() + ", the manifest does not");
            Path pack = work.resolve(ref.id() + ".tar.zst");
            NewPack at = recorded.get(ref.id());
            StoreLocator.PackLocation from = stores.pack(project, ref.id(), at == null ? null : at.uri());
            ArtifactStore store = from.store();
            String sha = store.fetch(from.packsPath(), from.name(), pack);
            if (!sha.equals(ref.sha256())) {
                throw new IllegalStateException("pack " + ref.id() + " is damaged in the store: sha256 " + sha + ", recorded " + ref.sha256());
            }
            Path staging = work.resolve("pack-" + p.getKey());
            WorkFiles.deleteTree(staging);
            Files.createDirectories(staging);
            PackMembers.extract(tools, pack, p.getValue(), staging, timeout);
            for (FilestoreIndex.Entry e : p.getValue()) {
                Path got = staging.resolve(e.path());
                if (!Files.isRegularFile(got, LinkOption.NOFOLLOW_LINKS) || Files.size(got) != e.size()
                        || !Checksums.sha1(got).equals(e.sha1())) {
                    throw new IllegalStateException("pack " + p.getKey() + " does not hold " + e.path() + " as the index says");
                }
                Path target = into.resolve(e.path());
                Files.createDirectories(target.getParent());
                // the work directory may be on another file system than the filestore: a copy, then the staging file goes
                Files.copy(got, target, StandardCopyOption.REPLACE_EXISTING);
            }
            WorkFiles.deleteTree(staging);
            Files.deleteIfExists(pack);
        }
    }
}
