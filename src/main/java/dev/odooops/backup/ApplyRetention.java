package dev.odooops.backup;

import dev.odooops.run.Vars;

import dev.odooops.domain.RetentionPolicy;
import dev.odooops.domain.RetentionPlanner;
import dev.odooops.model.BackupJob;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.store.ArtifactRemover;
import dev.odooops.model.Artifact;
import dev.odooops.model.DeletionReason;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Retention over the environment's live artifacts of the same kind and backup type (so daily database-only
 * backups never push out the full ones, and a restore's safety backup never pushes out the regular backup of
 * the day); regular backups by GFS, safety backups by their own last-N-and-age policy, neither younger than
 * keep_within. Never prunes the artifact just made, the newest one, or a pinned one. In two steps:
 * <ol>
 *   <li>{@link #plan} (before the commit): what would be pruned, written as retention_prune.json; nothing is
 *   deleted, so a run that fails later has pruned nothing;</li>
 *   <li>{@link #apply} (after the commit): each prune journaled then done through {@link ArtifactRemover}
 *   (the artifact's own URI); the outcome is added to retention_prune.json. A prune that fails is recorded
 *   (event, evidence, a warning in the result) and retried by the next run; it never fails the backup.</li>
 * </ol>
 */
public class ApplyRetention {
    private static final Logger LOG = LoggerFactory.getLogger(ApplyRetention.class);
    static final String EVIDENCE = "retention_prune.json";
    private final OpsCatalog catalog;
    private final RetentionPlanner planner;
    private final ArtifactRemover remover;
    private final Clock clock;

    private final dev.odooops.store.PackCollector packs;
    private final dev.odooops.store.PackRepacker repacker;

    public ApplyRetention(OpsCatalog catalog, RetentionPlanner planner, ArtifactRemover remover, Clock clock,
                          dev.odooops.store.PackCollector packs, dev.odooops.store.PackRepacker repacker) {
        this.packs = packs;
        this.repacker = repacker;
        this.catalog = catalog;
        this.planner = planner;
        this.remover = remover;
        this.clock = clock;
    }

    public void plan(@Variable(Vars.BACKUP_JOB) BackupJob job) {
        List<RetentionPlanner.Candidate> candidates =
                catalog.retention().retentionCandidates(job.environment().id(), job.request().kind().wire(), job.request().type().wire());
        RetentionPolicy.Series series = job.retention().series(job.request().kind().wire());
        // an artifact a recent restore recorded as its safety backup (reused because nothing had changed) is kept as
        // long as a safety backup of its own would be
        java.time.Duration window = job.retention().series(dev.odooops.model.ArtifactKind.PRE_RESTORE.wire()).keepWithin();
        Map<String, String> held = RetentionPlanner.heldAsSafetyBackups(
                catalog.retention().safetyBackupsOfRestoresSince(job.environment().id(), clock.instant().minus(window)));
        RetentionPlanner.Plan plan = planner.plan(candidates, series, Set.of(job.artifactId()), held,
                catalog.retention().drillHolds(job.environment().id()), clock.instant());
        job.plannedPrunes(plan.prune());
        Map<String, Object> evidence = planEvidence(job, series, candidates.size(), plan);
        evidence.put("status", "planned: pruned only after the run is committed");
        job.evidence().json(EVIDENCE, evidence);
    }

    /** After the commit. Never throws: whatever goes wrong is recorded and becomes a warning of the result. */
    public void apply(@Variable(Vars.BACKUP_JOB) BackupJob job) {
        if (!job.committed()) throw new IllegalStateException("retention applied before the run was committed");
        List<String> pruned = new ArrayList<>();
        Map<String, Object> failures = new LinkedHashMap<>();
        Map<String, Object> skipped = new LinkedHashMap<>();
        try {
            for (String id : job.plannedPrunes()) {
                Optional<Artifact> artifact = catalog.artifacts().artifact(id);
                if (artifact.isEmpty() || artifact.get().prunedAt() != null) {
                    skipped.put(id, "already gone");
                    continue;
                }
                if (artifact.get().pinned()) {
                    skipped.put(id, "pinned since the plan");
                    continue;
                }
                ArtifactRemover.Outcome o = remover.remove(job.environment().id(), id, artifact.get().uri(),
                        DeletionReason.PRUNE, job.runId(), job.redactor());
                if (o.done()) {
                    pruned.add(id);
                } else if (o.keptForDrill()) {
                    skipped.put(id, ArtifactRemover.KEPT_FOR_DRILL);
                    job.warn("retention: artifact " + id + " " + ArtifactRemover.KEPT_FOR_DRILL + " (pruned by a later run)");
                } else {
                    failures.put(id, o.error());
                    job.warn("retention: artifact " + id + " was not pruned (retried by the next run): " + o.error());
                }
            }
        } catch (RuntimeException e) {
            String reason = job.redactor().scrub(String.valueOf(e.getMessage()));
            failures.put("retention", reason);
            job.warn("retention: stopped: " + reason);
            LOG.warn("retention of run {} stopped: {}", job.runId(), reason);
        }
        job.prunedIds(pruned);
        // the packed filestore: the packs the pruned artifacts left mostly dead are written again with their live
        // members, then the packs no live artifact of the project refers to any more are removed
        dev.odooops.store.PackRepacker.Outcome repacked = repacker == null
                ? new dev.odooops.store.PackRepacker.Outcome(Map.of(), Map.of())
                : repacker.repack(job.environment().project(), pruned, job.artifactId());
        repacked.failures().forEach((id, why) -> job.warn("retention: pack " + id + " was not repacked (tried again later): "
                + job.redactor().scrub(String.valueOf(why))));
        dev.odooops.store.PackCollector.Outcome collected = packs.collect(job.environment().project());
        collected.failures().forEach((id, why) -> job.warn("retention: pack " + id + " was not removed (retried by the "
                + "next run): " + job.redactor().scrub(String.valueOf(why))));
        try {
            Map<String, Object> outcome = new LinkedHashMap<>();
            outcome.put("pruned_ids", pruned);
            outcome.put("prune_failures", failures);
            outcome.put("packs_removed", collected.removed());
            if (!repacked.repacked().isEmpty()) outcome.put("packs_repacked", repacked.repacked());
            if (!repacked.failures().isEmpty()) outcome.put("repack_failures", repacked.failures());
            if (!collected.claimed().isEmpty()) outcome.put("packs_claimed_meanwhile", collected.claimed());
            if (!collected.failures().isEmpty()) outcome.put("pack_failures", collected.failures());
            if (!skipped.isEmpty()) outcome.put("skipped", skipped);
            Map<String, Object> evidence = new LinkedHashMap<>(dev.odooops.domain.Json.readMap(job.evidence().dir().resolve(EVIDENCE)));
            evidence.put("status", failures.isEmpty() ? "applied" : "applied with failures (retried by the next run)");
            evidence.putAll(outcome);
            job.evidence().json(EVIDENCE, evidence);
        } catch (RuntimeException e) {
            String reason = job.redactor().scrub(String.valueOf(e.getMessage()));
            job.warn("retention: the outcome could not be written to " + EVIDENCE + ": " + reason);
            LOG.warn("run {}: could not write the retention outcome: {}", job.runId(), reason);
        }
        try {
            catalog.runs().event(job.runId(), "retention_applied", "apply-retention", Map.of("pruned_ids", pruned,
                    "planned", job.plannedPrunes().size(), "failures", failures));
        } catch (RuntimeException e) {
            job.warn("retention: the outcome could not be recorded in the ops catalog");
            LOG.warn("run {}: could not record retention_applied: {}", job.runId(), e.getMessage());
        }
    }

    private static Map<String, Object> planEvidence(BackupJob job, RetentionPolicy.Series series, int candidates,
                                                    RetentionPlanner.Plan plan) {
        Map<String, Object> policy = new LinkedHashMap<>();
        policy.put("daily", series.daily());
        policy.put("weekly", series.weekly());
        policy.put("monthly", series.monthly());
        policy.put("yearly", series.yearly());
        policy.put("last", series.last());
        policy.put("keep_within", series.keepWithin().toString());
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("policy", policy);
        evidence.put("scope", Map.of("environment_id", job.environment().id(), "kind", job.request().kind().wire(),
                "backup_type", job.request().type().wire()));
        evidence.put("rules", "newest artifact of each of the N most recent days / ISO weeks / months / years (UTC) that have one; "
                + "the last N; every artifact younger than keep_within; plus the newest, the one just made and pinned ones, "
                + "the newest whose restore drill passed and any an active drill holds a lease on");
        evidence.put("candidates", candidates);
        evidence.put("kept", plan.keep());
        evidence.put("planned_prune", plan.prune());
        return evidence;
    }
}
