package dev.odooops.backup;

import dev.odooops.run.Vars;

import dev.odooops.config.Settings;
import dev.odooops.domain.ArtifactManifest;
import dev.odooops.domain.Json;
import dev.odooops.exec.ToolRunner;
import dev.odooops.model.BackupJob;
import dev.odooops.model.BackupJob.BundleFile;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.store.ArtifactStore;
import dev.odooops.model.PackRegistration;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Step 7: write manifest.json (the artifact contract), upload every bundle file (the manifest last, so a
 * manifest means a complete upload), read back each object's size and — unless store.verify-after-upload is
 * false — its SHA-256 from the store, then register the artifact in ops.artifacts. Every uploaded key is
 * remembered so the failure path can remove a partial upload.
 */
public class UploadArtifact {
    private static final Logger LOG = LoggerFactory.getLogger(UploadArtifact.class);
    private final ArtifactStore store;
    private final OpsCatalog catalog;
    private final boolean verifyAfterUpload;

    public UploadArtifact(ArtifactStore store, OpsCatalog catalog, Settings.Store settings) {
        this.store = store;
        this.catalog = catalog;
        this.verifyAfterUpload = settings.verifyAfterUpload();
    }

    public void upload(@Variable(Vars.BACKUP_JOB) BackupJob job) throws Exception {
        String path = ArtifactStore.artifactPath(job.environment().project(), job.environment().name(), job.artifactId());
        ArtifactManifest manifest = manifest(job);
        Path manifestFile = job.workDir().resolve(ArtifactManifest.FILE);
        Files.writeString(manifestFile, manifest.toJson());
        job.add(BundleParts.file(ArtifactManifest.FILE, manifestFile));

        Map<String, Object> readBack = new LinkedHashMap<>();
        List<BundleFile> files = job.bundle().values().stream()
                .sorted((a, b) -> Boolean.compare(a.name().equals(ArtifactManifest.FILE), b.name().equals(ArtifactManifest.FILE)))
                .toList();
        long total = 0;
        for (BundleFile f : files) {
            LOG.info("uploading {} ({}) to {}", f.name(), ToolRunner.human(f.size()), store.uri(path));
            job.storedKeys().add(f.name());
            String storedSha = store.putAndReadBack(path, f.name(), f.path(), f.size(), f.sha256(), verifyAfterUpload);
            readBack.put(f.name(), Map.of("size", f.size(), "sha256", storedSha == null ? "not re-read" : storedSha,
                    "verified", verifyAfterUpload));
            total += f.size();
        }
        job.artifactUri(store.uri(path));
        Map<String, Object> checksums = new LinkedHashMap<>();
        Map<String, Object> sizes = new LinkedHashMap<>();
        job.bundle().values().forEach(f -> {
            checksums.put(f.name(), f.sha256());
            sizes.put(f.name(), f.size());
        });
        catalog.artifacts().registerArtifact(job.artifactId(), job.environment().id(), job.runId(), job.request().kind().wire(),
                job.request().type().wire(), job.artifactUri(), checksums, sizes, manifest, job.request().label(),
                job.createdAt(), job.fingerprint(), verifyAfterUpload, job.packed() == null ? null
                        // the packs, the objects they hold and what this artifact refers to: from now on a backup of
                        // the project reuses them
                        : new PackRegistration(job.environment().project(), job.packed().newPacks(),
                        job.packed().newObjects(), job.packed().index().packs(),
                        job.encryption() == null ? null : job.encryption().generation()));
        job.registered(true);
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("artifact_id", job.artifactId());
        evidence.put("uri", job.artifactUri());
        evidence.put("total_bytes", total);
        evidence.put("store_read_back", readBack);
        evidence.put("artifact", manifest);
        job.evidence().json("artifact_registration.json", evidence);
        catalog.runs().event(job.runId(), "artifact_registered", job.step(), Map.of("artifact_id", job.artifactId(),
                "uri", job.artifactUri(), "total_bytes", total));
    }

    private static ArtifactManifest manifest(BackupJob job) {
        var env = job.environment();
        var source = new ArtifactManifest.SourceEnv(env.project(), env.name(), env.id(), env.type(), env.database().name());
        BundleFile dump = job.bundle().get("db.dump");
        BundleFile archive = job.bundle().get("filestore.tar.zst");
        BundleFile index = job.bundle().get(dev.odooops.domain.FilestoreIndex.FILE);
        ArtifactManifest.FilestorePart filestore = null;
        if (index != null && job.packed() != null) {
            filestore = new ArtifactManifest.FilestorePart(index.name(), index.sha256(), index.size(),
                    job.packed().index().treeDigest(), job.packed().index().entries().size(),
                    dev.odooops.domain.TreeDigest.V3, job.packed().packRefs());
        } else if (archive != null) {
            // the evidence copy: the bundle's may be encrypted by now (encrypt-artifact)
            Map<String, Object> meta = Json.readMap(job.evidence().dir().resolve("filestore.meta.json"));
            filestore = new ArtifactManifest.FilestorePart(archive.name(), archive.sha256(), archive.size(),
                    (String) meta.get("tree_digest"), ((Number) meta.get("file_count")).intValue(),
                    ((Number) meta.get("tree_digest_version")).intValue());
        }
        Map<String, ArtifactManifest.FileSum> files = new LinkedHashMap<>();
        job.bundle().values().stream().filter(f -> !f.name().equals(ArtifactManifest.FILE))
                .forEach(f -> files.put(f.name(), new ArtifactManifest.FileSum(f.sha256(), f.size())));
        return new ArtifactManifest(job.artifactId(), job.createdAt().toString(), job.request().type().wire(),
                job.request().kind().wire(), job.request().label(), source,
                dump == null ? null : new ArtifactManifest.Part(dump.name(), dump.sha256(), dump.size()),
                filestore, job.odooState().withDbMajorVersion(job.dbMajorVersion()), files,
                job.packed() != null ? ArtifactManifest.FORMAT_PACKED : null, job.encryption());
    }
}
