package dev.odooops.step;

import dev.odooops.config.Settings;
import dev.odooops.domain.Json;
import dev.odooops.domain.TreeDigest;
import dev.odooops.exec.ToolFailedException;
import dev.odooops.exec.ToolRunner;
import dev.odooops.model.RestoreJob;
import dev.odooops.ops.OpsCatalog;
import org.apache.camel.Variable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Restore step 6: extract the archive beside the live filestore ({@code <filestore>.restore-<run>}), check
 * the tree digest recorded at backup time, then swap by rename: the live directory becomes
 * {@code <filestore>.pre-<run>} (kept until the run ends) and the extracted one takes its place.
 */
public class RestoreFilestore {
    private final ToolRunner tools;
    private final OpsCatalog catalog;
    private final Duration timeout;

    public RestoreFilestore(ToolRunner tools, OpsCatalog catalog, Settings settings) {
        this.tools = tools;
        this.catalog = catalog;
        this.timeout = Duration.ofSeconds(settings.archiveTimeoutSeconds());
    }

    /** {@code <filestore>.<role>-<first 8 hex of the run id>}, beside the live directory (same filesystem). */
    static Path sidePath(Path live, String role, String runTag) {
        return live.resolveSibling(live.getFileName() + "." + role + "-" + runTag);
    }

    public void restore(@Variable(Vars.RESTORE_JOB) RestoreJob job) throws Exception {
        if (!job.request().type().includesFilestore()) return;
        job.step("restore-filestore");
        Path live = job.environment().filestore().toAbsolutePath();
        String tag = job.sideTag();
        Path fresh = sidePath(live, "restore", tag);
        Path aside = sidePath(live, "pre", tag);
        StringBuilder log = new StringBuilder();
        long t0 = System.nanoTime();
        WorkFiles.deleteTree(fresh); // a leftover of an earlier, killed run
        Files.createDirectories(fresh);
        job.newFilestore(fresh);
        try {
            tools.run(List.of("tar", "--zstd", "--extract", "--file=" + job.files().get("filestore.tar.zst"),
                    "--directory=" + fresh), Map.of(), timeout, ToolRunner.Progress.directory(fresh));
            log.append("extracted filestore.tar.zst into ").append(fresh).append('\n');
        } catch (ToolFailedException e) {
            log.append("FAILED: ").append(e.getMessage()).append('\n');
            job.evidence().text("filestore_restore.log", log.toString());
            throw e;
        }
        long t1 = System.nanoTime();
        Map<String, Object> meta = Json.readMap(job.files().get("filestore.meta.json"));
        TreeDigest.Result tree = TreeDigest.of(fresh);
        boolean match = tree.digest().equals(meta.get("tree_digest"));
        Map<String, Object> verification = new LinkedHashMap<>();
        verification.put("directory", fresh.toString());
        verification.put("expected_tree_digest", meta.get("tree_digest"));
        verification.put("actual_tree_digest", tree.digest());
        verification.put("expected_file_count", meta.get("file_count"));
        verification.put("actual_file_count", tree.fileCount());
        verification.put("ok", match);
        job.evidence().json("filestore_restore_checksum_verification.json", verification);
        if (!match) {
            job.evidence().text("filestore_restore.log", log.toString());
            throw new IllegalStateException("extracted filestore does not match the tree digest recorded at backup time");
        }
        long t2 = System.nanoTime();
        if (Files.exists(live)) {
            Files.move(live, aside, StandardCopyOption.ATOMIC_MOVE);
            job.asideFilestore(aside);
            log.append("renamed ").append(live).append(" -> ").append(aside).append('\n');
        }
        Files.move(fresh, live, StandardCopyOption.ATOMIC_MOVE);
        job.filestoreSwapped(true);
        log.append("renamed ").append(fresh).append(" -> ").append(live).append('\n');
        long t3 = System.nanoTime();
        job.evidence().text("filestore_restore.log", log.toString());
        job.evidence().json("filestore_restore_duration.json", Map.of("extract_ms", (t1 - t0) / 1_000_000,
                "verify_ms", (t2 - t1) / 1_000_000, "swap_ms", (t3 - t2) / 1_000_000, "total_ms", (t3 - t0) / 1_000_000));
        catalog.event(job.runId(), "step_completed", job.step(), Map.of("files", tree.fileCount(),
                "extract_ms", (t1 - t0) / 1_000_000));
    }
}
