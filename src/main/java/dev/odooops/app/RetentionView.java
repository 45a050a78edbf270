package dev.odooops.app;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.RetentionPolicy;
import dev.odooops.domain.RetentionPlanner;
import dev.odooops.model.ArtifactKind;
import dev.odooops.model.BackupType;
import dev.odooops.model.Report;
import dev.odooops.model.RetentionPlanRequest;
import dev.odooops.ops.OpsCatalog;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * retention plan: the plan retention would apply after a backup taken now, for every series of the environment
 * (kind {@code backup} and {@code pre_restore}, each backup type), with the rules that keep each artifact and, for
 * each one that would be pruned, why no rule keeps it. It reads the catalog and changes nothing; the next backup
 * of a series applies its plan.
 */
public final class RetentionView {
    private final EnvironmentLookup environments;
    private final OpsCatalog catalog;
    private final RetentionPlanner planner;
    private final Clock clock;

    public RetentionView(EnvironmentLookup environments, OpsCatalog catalog, RetentionPlanner planner, Clock clock) {
        this.environments = environments;
        this.catalog = catalog;
        this.planner = planner;
        this.clock = clock;
    }

    public Report plan(RetentionPlanRequest request) {
        EnvironmentConfig env = environments.environment(request);
        Instant now = clock.instant();
        Map<String, Instant> endedHolds = catalog.retention().endedHolds(env.id());
        RetentionPlanner.DrillHolds drills = catalog.retention().drillHolds(env.id());
        List<Map<String, Object>> series = new ArrayList<>();
        int prunes = 0;
        for (ArtifactKind kind : ArtifactKind.values()) {
            for (BackupType type : BackupType.values()) {
                List<RetentionPlanner.Candidate> candidates = catalog.retention().retentionCandidates(env.id(), kind.wire(), type.wire());
                if (candidates.isEmpty()) continue;
                RetentionPolicy.Series policy = env.retention().with(request.keepDaily(), request.keepWeekly(),
                        request.keepMonthly(), request.keepYearly()).series(kind.wire());
                // as a backup's retention does: what recent restores recorded as their safety backup is held
                Map<String, String> held = RetentionPlanner.heldAsSafetyBackups(catalog.retention().safetyBackupsOfRestoresSince(env.id(),
                        now.minus(env.retention().series(ArtifactKind.PRE_RESTORE.wire()).keepWithin())));
                RetentionPlanner.Plan plan = planner.plan(candidates, policy, Set.of(), held, drills, now);
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("kind", kind.wire());
                s.put("backup_type", type.wire());
                s.put("policy", policy(policy));
                Set<String> distinct = new LinkedHashSet<>();
                candidates.forEach(c -> distinct.add(c.id()));
                s.put("artifacts", distinct.size());
                Map<String, Object> keep = new LinkedHashMap<>();
                plan.keep().forEach((id, rules) -> keep.put(id, List.copyOf(rules)));
                s.put("keep", keep);
                List<Map<String, Object>> prune = new ArrayList<>();
                for (String id : plan.prune()) {
                    Map<String, Object> p = new LinkedHashMap<>();
                    p.put("artifact_id", id);
                    String why = "no rule keeps it: " + rules(policy);
                    if (endedHolds.containsKey(id)) why += "; its legal hold ended at " + endedHolds.get(id);
                    p.put("why", why);
                    prune.add(p);
                }
                s.put("would_prune", prune);
                prunes += prune.size();
                series.add(s);
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("environment_id", env.id());
        body.put("planned_at", now.toString());
        body.put("changes_nothing", "the next backup of each series applies its plan, after its own commit");
        body.put("would_prune", prunes);
        body.put("series", series);
        return new Report(true, body);
    }

    private static Map<String, Object> policy(RetentionPolicy.Series p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("daily", p.daily());
        m.put("weekly", p.weekly());
        m.put("monthly", p.monthly());
        m.put("yearly", p.yearly());
        m.put("last", p.last());
        m.put("keep_within", p.keepWithin().toString());
        return m;
    }

    private static String rules(RetentionPolicy.Series p) {
        List<String> r = new ArrayList<>();
        if (p.daily() > 0) r.add("not the newest of one of the " + p.daily() + " most recent days");
        if (p.weekly() > 0) r.add("nor of the " + p.weekly() + " most recent ISO weeks");
        if (p.monthly() > 0) r.add("nor of the " + p.monthly() + " most recent months");
        if (p.yearly() > 0) r.add("nor of the " + p.yearly() + " most recent years");
        if (p.last() > 0) r.add("not among the last " + p.last());
        r.add("older than keep_within " + p.keepWithin());
        r.add("not pinned");
        r.add("not the newest whose restore drill passed, not leased by an active drill");
        return String.join(", ", r);
    }
}
