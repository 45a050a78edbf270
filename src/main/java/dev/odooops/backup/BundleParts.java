package dev.odooops.backup;

import dev.odooops.domain.Checksums;
import dev.odooops.model.BackupJob;
import dev.odooops.model.BackupJob.BundleFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/** Publishes a produced file into the run's bundle, with its evidence: {@code <meta>.json} and {@code <data>.sha256}. */
public final class BundleParts {
    private BundleParts() {
    }

    /** Adds {@code data}, its sha256sum file and its meta file to the bundle; the two small files go to evidence too. */
    public static void publish(BackupJob job, String dataName, Path data, long size, String sha256, String metaName,
                        Map<String, Object> meta) throws IOException {
        String sumName = dataName + ".sha256";
        Path metaFile = job.workDir().resolve(metaName);
        Path sumFile = job.workDir().resolve(sumName);
        Files.copy(job.evidence().json(metaName, meta), metaFile, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(job.evidence().text(sumName, Checksums.sha256sumLine(sha256, dataName)), sumFile,
                StandardCopyOption.REPLACE_EXISTING);
        job.add(new BundleFile(dataName, data, size, sha256));
        job.add(file(sumName, sumFile));
        job.add(file(metaName, metaFile));
    }

    /** As {@link #publish} with the sha256sum file of another name and content (several lines). */
    public static void publish(BackupJob job, String dataName, Path data, long size, String sha256, String metaName,
                               Map<String, Object> meta, String sumName, String sumLines) throws IOException {
        Path metaFile = job.workDir().resolve(metaName);
        Path sumFile = job.workDir().resolve(sumName);
        Files.copy(job.evidence().json(metaName, meta), metaFile, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(job.evidence().text(sumName, sumLines), sumFile, StandardCopyOption.REPLACE_EXISTING);
        job.add(new BundleFile(dataName, data, size, sha256));
        job.add(file(sumName, sumFile));
        job.add(file(metaName, metaFile));
    }

    public static BundleFile file(String name, Path file) throws IOException {
        return new BundleFile(name, file, Files.size(file), Checksums.sha256(file));
    }
}
