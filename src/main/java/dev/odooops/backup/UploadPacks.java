package dev.odooops.backup;

import dev.odooops.config.Settings;
import dev.odooops.exec.ToolRunner;
import dev.odooops.model.BackupJob;
import dev.odooops.exec.CrashPoints;
import dev.odooops.run.Vars;
import dev.odooops.store.ArtifactCipher;
import dev.odooops.store.ArtifactStore;
import dev.odooops.model.NewPack;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Step 6 of a packed backup: the new packs the filestore half wrote into the work directory go to the project's
 * packs ({@code <project>/_packs/<id>.tar.zst}), each read back (size, and its SHA-256 unless
 * {@code store.verify-after-upload=false}), then deleted locally. The filestore half starts each pack's upload as soon
 * as the pack is sealed ({@link #start}), one pack after the other on a thread of their own, so a pack goes to the store
 * while tar writes the next one and pg_dump still runs; this node waits for those uploads and checks each stored the
 * pack as it is now (one written again since, e.g. encrypted by encrypt-packs, is uploaded again here), and uploads
 * any pack not started. Each is remembered before its upload: a run that fails before upload-artifact registers them
 * removes them ({@link BackupFailureHandler}, which first waits for the uploads still running). Nothing to do for a
 * backup without a packed filestore, or one whose files the project's packs already hold.
 */
public class UploadPacks {
    private static final Logger LOG = LoggerFactory.getLogger(UploadPacks.class);
    private final ArtifactStore store;
    private final boolean verifyAfterUpload;
    private final ExecutorService uploader = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "upload-packs");
        t.setDaemon(true);
        return t;
    });

    public UploadPacks(ArtifactStore store, Settings.Store settings) {
        this.store = store;
        this.verifyAfterUpload = settings.verifyAfterUpload();
    }

    /**
     * Starts the upload of the pack {@code file} (named {@code name} in the project's packs) once its stored form is
     * made ({@code sealed}); after the uploads {@code job} started before. Called by the filestore half.
     */
    public void start(BackupJob job, String name, Path file, Future<ArtifactCipher.Sealed> sealed) {
        String packsPath = ArtifactStore.packsPath(job.environment().project());
        job.packUploads().start(name, () -> {
            ArtifactCipher.Sealed s;
            try {
                s = sealed.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted while the pack was sealed");
            } catch (ExecutionException e) {
                throw new CompletionException(e.getCause()); // the filestore half reports the sealing's failure
            }
            LOG.info("uploading pack {} ({}) to {} while the backup goes on", name, ToolRunner.human(s.size()), store.uri(packsPath));
            job.uploadedPacks().add(name);
            store.putAndReadBack(packsPath, name, file, s.size(), s.sha256(), verifyAfterUpload);
            return new String[] {String.valueOf(s.size()), s.sha256()};
        }, uploader);
    }

    public void upload(@Variable(Vars.BACKUP_JOB) BackupJob job) throws Exception {
        BackupJob.PackedFilestore packed = job.packed();
        if (packed == null || packed.newPacks().isEmpty()) return;
        String packsPath = ArtifactStore.packsPath(job.environment().project());
        long bytes = 0;
        int early = 0;
        long waitedNanos = 0;
        for (NewPack pack : packed.newPacks()) {
            String name = pack.packId() + ".tar.zst";
            Path file = job.workDir().resolve(name);
            CompletableFuture<String[]> started = job.packUploads().of(name);
            String[] stored = null;
            if (started != null) {
                long t = System.nanoTime();
                try {
                    stored = started.join();
                } catch (CompletionException e) {
                    if (e.getCause() instanceof Exception x) throw x;
                    throw e;
                } finally {
                    waitedNanos += System.nanoTime() - t;
                }
            }
            if (stored != null && stored[0].equals(String.valueOf(pack.size())) && stored[1].equals(pack.sha256())) {
                early++;
            } else {
                LOG.info("uploading pack {} ({}) to {}", name, ToolRunner.human(pack.size()), store.uri(packsPath));
                if (!job.uploadedPacks().contains(name)) job.uploadedPacks().add(name);
                store.putAndReadBack(packsPath, name, file, pack.size(), pack.sha256(), verifyAfterUpload);
            }
            CrashPoints.reached("upload-packs:pack-uploaded"); // stored, registered by nobody yet
            Files.delete(file);
            bytes += pack.size();
        }
        job.stepDetail(Map.of("packs", packed.newPacks().size(), "bytes", bytes, "verified", verifyAfterUpload,
                "uploaded_while_archived", early, "waited_ms", waitedNanos / 1_000_000));
    }
}
