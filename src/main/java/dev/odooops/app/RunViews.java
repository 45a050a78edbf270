package dev.odooops.app;

import dev.odooops.domain.GenerationCache;
import dev.odooops.model.GetRunRequest;
import dev.odooops.model.Report;
import dev.odooops.model.RunPage;
import dev.odooops.domain.RequestRejected;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.model.RunView;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * get-run (one run of the catalog with its status, the steps it completed, its failure and its evidence files)
 * and list-runs. Service mode answers list-runs from a cache that {@link dev.odooops.ops.RunChanges} empties for
 * an environment whenever one of its runs changes (on any instance), so dashboards polling the list cost a map
 * lookup instead of a query; without a listener (the command line) every call reads the catalog.
 */
public final class RunViews {
    private final OpsCatalog catalog;
    private final GenerationCache<String, Integer, RunPage> lists;

    public RunViews(OpsCatalog catalog) {
        this(catalog, new GenerationCache<>());
    }

    public RunViews(OpsCatalog catalog, GenerationCache<String, Integer, RunPage> lists) {
        this.catalog = catalog;
        this.lists = lists;
    }

    /**
     * list-runs of a resolved request: a page of its environment's runs, newest first. The first page (no cursor) is
     * the one dashboards poll: it comes from the cache; a later page is read from the catalog.
     */
    public RunPage list(dev.odooops.model.ListRunsRequest request) {
        if (request.cursor() != null) return catalog.runs().runPage(request.environmentId(), request.limit(), request.cursor());
        return lists.get(request.environmentId(), request.limit(),
                () -> catalog.runs().runPage(request.environmentId(), request.limit(), null));
    }

    public Report get(GetRunRequest request) {
        RunView run = catalog.runs().runView(request.runId())
                .orElseThrow(() -> new RequestRejected("run_id", "no run '" + request.runId() + "' in the ops catalog", RequestRejected.Reason.NOT_FOUND));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_id", run.runId().toString());
        m.put("environment_id", run.environmentId());
        m.put("operation", run.operation());
        m.put("status", run.status());
        m.put("created_by", run.createdBy());
        m.put("created_at", run.createdAt().toString());
        m.put("finished_at", run.finishedAt() == null ? null : run.finishedAt().toString());
        m.put("parent_run_id", run.parentRunId() == null ? null : run.parentRunId().toString());
        m.put("artifact_id", run.metadata().get("artifact_id"));
        m.put("steps_completed", run.stepsCompleted());
        if (run.failedStep() != null || run.failureReason() != null) {
            m.put("failed_step", run.failedStep());
            m.put("error", run.failureReason());
        }
        if ("copy".equals(run.operation())) m.put("copied_from", run.metadata().get("copied_from"));
        if ("restore".equals(run.operation()) || "copy".equals(run.operation())) {
            m.put("mode", run.metadata().get("mode"));
            m.put("mode_reason", run.metadata().get("mode_reason"));
            m.put("pre_restore_backup_id", run.metadata().get("pre_restore_backup_id"));
        }
        m.put("warnings", warnings(run.evidenceDir()));
        m.put("evidence_dir", run.evidenceDir());
        m.put("evidence_files", evidenceFiles(run.evidenceDir()));
        // evidence retention moved it to the store (or deleted it): where, with its SHA-256 (docs/evidence.md)
        if (run.metadata().get("evidence_archive") != null) m.put("evidence_archive", run.metadata().get("evidence_archive"));
        return new Report("success".equals(run.status()) || "skipped_unchanged".equals(run.status()), m);
    }

    /**
     * What the run's end said it must still tell ({@code final_status.json}: a backup's {@code warnings}, a restore's
     * {@code after_commit.warnings}); empty while it runs or without evidence.
     */
    private static List<Object> warnings(String dir) {
        Path status = dir == null ? null : Path.of(dir, "final_status.json");
        if (status == null || !Files.isRegularFile(status)) return List.of();
        try {
            Map<String, Object> s = dev.odooops.domain.Json.readMap(status);
            List<Object> out = new java.util.ArrayList<>();
            if (s.get("warnings") instanceof List<?> w) out.addAll(w);
            if (s.get("after_commit") instanceof Map<?, ?> after && after.get("warnings") instanceof List<?> w) out.addAll(w);
            return out;
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /**
     * The evidence files of a run, relative to its evidence directory, sorted; empty when the directory is gone. A
     * running run writes each file as a hidden {@code .<name>.tmp} renamed into place: those are not evidence yet,
     * and one renamed while the folder is walked makes the walk read again (a few times, then what it has).
     */
    private static List<String> evidenceFiles(String dir) {
        if (dir == null || !Files.isDirectory(Path.of(dir))) return List.of();
        Path root = Path.of(dir);
        // a running step renames its .tmp file into place: an entry may vanish while the tree is walked (the walk
        // then throws UncheckedIOException), so the listing is read again
        for (int attempt = 1; ; attempt++) {
            try (Stream<Path> files = Files.walk(root)) {
                return files.filter(f -> !f.getFileName().toString().startsWith(".")).filter(Files::isRegularFile)
                        .map(f -> root.relativize(f).toString()).sorted().toList();
            } catch (IOException | java.io.UncheckedIOException e) {
                if (attempt == 5) return List.of();
            }
        }
    }
}
