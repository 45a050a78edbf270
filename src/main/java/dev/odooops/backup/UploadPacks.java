package dev.odooops.backup;

import dev.odooops.config.Settings;
import dev.odooops.exec.ToolRunner;
import dev.odooops.model.BackupJob;
import dev.odooops.exec.CrashPoints;
import dev.odooops.run.Vars;
import dev.odooops.store.ArtifactStore;
import dev.odooops.model.NewPack;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Step 6 of a packed backup: the new packs the filestore half wrote into the work directory go to the project's
 * packs ({@code <project>/_packs/<id>.tar.zst}), each read back (size, and its SHA-256 unless
 * {@code store.verify-after-upload=false}), then deleted locally. Each is remembered before its upload: a run that
 * fails before upload-artifact registers them removes them ({@link BackupFailureHandler}). Nothing to do for a
 * backup without a packed filestore, or one whose files the project's packs already hold.
 */
public class UploadPacks {
    private static final Logger LOG = LoggerFactory.getLogger(UploadPacks.class);
    private final ArtifactStore store;
    private final boolean verifyAfterUpload;

    public UploadPacks(ArtifactStore store, Settings.Store settings) {
        this.store = store;
        this.verifyAfterUpload = settings.verifyAfterUpload();
    }

    public void upload(@Variable(Vars.BACKUP_JOB) BackupJob job) throws Exception {
        BackupJob.PackedFilestore packed = job.packed();
        if (packed == null || packed.newPacks().isEmpty()) return;
        String packsPath = ArtifactStore.packsPath(job.environment().project());
        long bytes = 0;
        for (NewPack pack : packed.newPacks()) {
            String name = pack.packId() + ".tar.zst";
            Path file = job.workDir().resolve(name);
            LOG.info("uploading pack {} ({}) to {}", name, ToolRunner.human(pack.size()), store.uri(packsPath));
            job.uploadedPacks().add(name);
            store.putAndReadBack(packsPath, name, file, pack.size(), pack.sha256(), verifyAfterUpload);
            CrashPoints.reached("upload-packs:pack-uploaded"); // stored, registered by nobody yet
            Files.delete(file);
            bytes += pack.size();
        }
        job.stepDetail(Map.of("packs", packed.newPacks().size(), "bytes", bytes, "verified", verifyAfterUpload));
    }
}
