package dev.odooops.step;

import dev.odooops.config.Settings;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.TreeDigest;
import dev.odooops.exec.ToolRunner;
import dev.odooops.model.BackupJob;
import dev.odooops.ops.OpsCatalog;
import org.apache.camel.Variable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Step 5: the filestore as filestore.tar.zst ({@code tar --zstd}, members sorted by name, paths relative
 * to the filestore root), with filestore.tar.zst.sha256 and filestore.meta.json. The tree digest (see
 * {@link TreeDigest}) is computed from the live files while tar runs; restore verifies the extracted tree
 * against it.
 */
public class ArchiveFilestore {
    private final ToolRunner tools;
    private final OpsCatalog catalog;
    private final Duration timeout;
    private final int zstdLevel;

    public ArchiveFilestore(ToolRunner tools, OpsCatalog catalog, Settings settings) {
        this.tools = tools;
        this.catalog = catalog;
        this.timeout = Duration.ofSeconds(settings.archiveTimeoutSeconds());
        this.zstdLevel = settings.zstdLevel();
    }

    public void archive(@Variable(Vars.BACKUP_JOB) BackupJob job) throws Exception {
        if (!job.request().type().includesFilestore()) return;
        job.step("archive-filestore");
        Path source = job.environment().filestore();
        Path archive = job.workDir().resolve("filestore.tar.zst");
        Instant started = Instant.now();
        CompletableFuture<TreeDigest.Result> digest = CompletableFuture.supplyAsync(() -> TreeDigest.of(source));
        tools.run(List.of("tar", "--zstd", "--sort=name", "--create", "--file=" + archive, "--directory=" + source, "."),
                Map.of("ZSTD_CLEVEL", String.valueOf(zstdLevel), "ZSTD_NBTHREADS", "0"), timeout,
                ToolRunner.Progress.file(archive));
        TreeDigest.Result tree = DumpDatabase.join(digest);
        Instant finished = Instant.now();
        long size = Files.size(archive);
        String sha = Checksums.sha256(archive);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("file", "filestore.tar.zst");
        meta.put("format", "tar (GNU, members sorted, paths relative to the filestore root), zstd level " + zstdLevel);
        meta.put("size_bytes", size);
        meta.put("sha256", sha);
        meta.put("source_path", source.toString());
        meta.put("file_count", tree.fileCount());
        meta.put("total_bytes", tree.totalBytes());
        meta.put("tree_digest", tree.digest());
        meta.put("tree_digest_algorithm", "sha256 over sorted lines '<relative path>\\t<sha256 of file>\\n'");
        meta.put("started_at", started.toString());
        meta.put("finished_at", finished.toString());
        meta.put("duration_ms", Duration.between(started, finished).toMillis());
        BundleParts.publish(job, "filestore.tar.zst", archive, size, sha, "filestore.meta.json", meta);
        catalog.event(job.runId(), "step_completed", job.step(), Map.of("size_bytes", size, "files", tree.fileCount(),
                "duration_ms", Duration.between(started, finished).toMillis()));
    }
}
