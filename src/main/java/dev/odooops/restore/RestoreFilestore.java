package dev.odooops.restore;

import dev.odooops.run.CrashPoints;
import dev.odooops.run.Vars;
import dev.odooops.run.WorkFiles;

import dev.odooops.config.Settings;
import dev.odooops.domain.FilestoreOwner;
import dev.odooops.domain.Json;
import dev.odooops.domain.TarListing;
import dev.odooops.domain.TreeDigest;
import dev.odooops.exec.ToolRunner;
import dev.odooops.model.RestoreJob;
import dev.odooops.ops.OpsCatalog;
import org.apache.camel.Variable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Restore step 6: list the archive and refuse any member that may not enter a filestore (links, devices,
 * fifos, absolute or climbing paths, more bytes than the backup recorded), extract it beside the live filestore
 * ({@code <filestore>.restore-<run>}) without the archive's owners and modes, give it the environment's owner
 * and the filestore modes ({@link FilestoreOwner}), check the tree digest recorded at backup time (in the
 * version the backup used), then swap by rename: the live directory becomes
 * {@code <filestore>.pre-<run>} (kept until the run ends) and the extracted one takes its place.
 */
public class RestoreFilestore {
    private final ToolRunner tools;
    private final OpsCatalog catalog;
    private final Duration timeout;

    public RestoreFilestore(ToolRunner tools, OpsCatalog catalog, Settings.Backup settings) {
        this.tools = tools;
        this.catalog = catalog;
        this.timeout = Duration.ofSeconds(settings.archiveTimeoutSeconds());
    }

    /**
     * Lists the archive with tar itself and refuses it (the step fails, the run rolls back) when any member may
     * not enter a filestore: see {@link TarListing#refusals}; the size bound is the total the backup recorded.
     * Writes filestore_archive_check.json either way.
     */
    private void admit(RestoreJob job, Path archive, Map<String, Object> meta) {
        List<String> argv = new ArrayList<>(List.of("tar", "--zstd", "--list"));
        argv.addAll(TarListing.LIST_OPTIONS);
        argv.add("--file=" + archive);
        List<TarListing.Member> members = TarListing.parse(tools.run(argv, Map.of(), timeout).stdout());
        long maxBytes = meta.get("total_bytes") instanceof Number n ? n.longValue() : -1;
        List<String> refused = TarListing.refusals(members, maxBytes);
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("ok", refused.isEmpty());
        check.put("members", members.size());
        check.put("max_bytes", maxBytes);
        check.put("refused", refused.size());
        check.put("refused_members", refused.subList(0, Math.min(100, refused.size())));
        job.evidence().json("filestore_archive_check.json", check);
        if (!refused.isEmpty()) {
            throw new IllegalStateException("filestore.tar.zst refused: " + refused.size() + " member(s) may not enter a "
                    + "filestore (only regular files and directories, relative paths, within the recorded size), first: "
                    + refused.get(0));
        }
    }

    public void restore(@Variable(Vars.RESTORE_JOB) RestoreJob job) throws Exception {
        if (!job.request().type().includesFilestore()) return;
        Path live = job.environment().filestore().toAbsolutePath();
        String tag = job.sideTag();
        Path fresh = SideCopies.filestore(live, SideCopies.Role.RESTORE, tag);
        Path aside = SideCopies.filestore(live, SideCopies.Role.PRE, tag);
        StringBuilder log = new StringBuilder();
        long t0 = System.nanoTime();
        WorkFiles.deleteTree(fresh); // a leftover of an earlier, killed run
        Files.createDirectories(fresh);
        job.newFilestore(fresh);
        Path archive = job.files().get("filestore.tar.zst");
        Map<String, Object> meta = Json.readMap(job.files().get("filestore.meta.json"));
        try {
            admit(job, archive, meta);
            tools.run(List.of("tar", "--zstd", "--extract", "--file=" + archive, "--directory=" + fresh,
                    "--no-same-owner", "--no-same-permissions", "--no-overwrite-dir"), Map.of(), timeout,
                    ToolRunner.Progress.directory(fresh));
            log.append("extracted filestore.tar.zst into ").append(fresh).append('\n');
            FilestoreOwner owner = FilestoreOwner.resolve(job.environment().filestoreOwner(), live);
            owner.apply(fresh);
            log.append("owner ").append(owner).append(", directories ").append(FilestoreOwner.DIR_MODE)
                    .append(", files ").append(FilestoreOwner.FILE_MODE).append('\n');
        } catch (RuntimeException | java.io.IOException e) {
            log.append("FAILED: ").append(e.getMessage()).append('\n');
            job.evidence().text("filestore_restore.log", log.toString());
            throw e;
        }
        long t1 = System.nanoTime();
        int version = meta.get("tree_digest_version") instanceof Number n ? n.intValue() : TreeDigest.V1;
        TreeDigest.Result tree = TreeDigest.of(fresh, version);
        boolean match = tree.digest().equals(meta.get("tree_digest"));
        Map<String, Object> verification = new LinkedHashMap<>();
        verification.put("directory", fresh.toString());
        verification.put("tree_digest_version", version);
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
        CrashPoints.reached("restore-filestore:live-moved-aside");
        Files.move(fresh, live, StandardCopyOption.ATOMIC_MOVE);
        job.filestoreSwapped(true);
        log.append("renamed ").append(fresh).append(" -> ").append(live).append('\n');
        long t3 = System.nanoTime();
        job.evidence().text("filestore_restore.log", log.toString());
        job.evidence().json("filestore_restore_duration.json", Map.of("extract_ms", (t1 - t0) / 1_000_000,
                "verify_ms", (t2 - t1) / 1_000_000, "swap_ms", (t3 - t2) / 1_000_000, "total_ms", (t3 - t0) / 1_000_000));
        job.stepDetail(Map.of("files", tree.fileCount(),
                "extract_ms", (t1 - t0) / 1_000_000));
    }
}
