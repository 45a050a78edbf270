package dev.odooops.step;

import dev.odooops.domain.RetentionPlanner;
import dev.odooops.model.BackupJob;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.store.ArtifactStore;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Step 8: grandfather-father-son retention over the environment's live artifacts of the same kind and
 * backup type (so daily database-only backups never push out the full ones, and a restore's safety backup
 * never pushes out the regular backup of the day). Never prunes the artifact just made, the
 * newest one, or a pinned one. A prune that fails is recorded and retried by the next run; it does not fail
 * the backup that has just succeeded.
 */
public class ApplyRetention {
    private static final Logger LOG = LoggerFactory.getLogger(ApplyRetention.class);
    private final ArtifactStore store;
    private final OpsCatalog catalog;
    private final RetentionPlanner planner;

    public ApplyRetention(ArtifactStore store, OpsCatalog catalog, RetentionPlanner planner) {
        this.store = store;
        this.catalog = catalog;
        this.planner = planner;
    }

    public void apply(@Variable(Vars.BACKUP_JOB) BackupJob job) {
        job.step("apply-retention");
        List<RetentionPlanner.Candidate> candidates =
                catalog.retentionCandidates(job.environment().id(), job.request().kind(), job.request().type().wire());
        RetentionPlanner.Plan plan = planner.plan(candidates, job.retention(), Set.of(job.artifactId()));
        List<String> pruned = new ArrayList<>();
        Map<String, String> failures = new LinkedHashMap<>();
        for (String id : plan.prune()) {
            String path = ArtifactStore.artifactPath(job.environment().project(), job.environment().name(), id);
            try {
                for (String name : store.list(path)) store.delete(path, name);
                catalog.markPruned(id);
                pruned.add(id);
            } catch (RuntimeException e) {
                failures.put(id, job.redactor().scrub(e.getMessage()));
                LOG.warn("could not prune artifact {}: {}", id, job.redactor().scrub(e.getMessage()));
            }
        }
        job.prunedIds(pruned);
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("policy", Map.of("daily", job.retention().daily(), "weekly", job.retention().weekly(),
                "monthly", job.retention().monthly()));
        evidence.put("scope", Map.of("environment_id", job.environment().id(), "kind", job.request().kind(),
                "backup_type", job.request().type().wire()));
        evidence.put("rules", "newest artifact of each of the N most recent days / ISO weeks / months (UTC) that have one; "
                + "plus the newest, the one just made and pinned ones");
        evidence.put("candidates", candidates.size());
        evidence.put("kept", plan.keep());
        evidence.put("pruned_ids", pruned);
        evidence.put("prune_failures", failures);
        job.evidence().json("retention_prune.json", evidence);
        catalog.event(job.runId(), "retention_applied", job.step(), Map.of("pruned_ids", pruned, "kept", plan.keep().size(),
                "failures", failures.size()));
    }
}
