package dev.odooops.staging;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.OpsConfig;
import dev.odooops.domain.NeutralizationRules;
import dev.odooops.model.RestoreJob;
import dev.odooops.odoo.NeutralizationCheck;
import dev.odooops.odoo.Neutralizer;
import dev.odooops.run.Vars;
import org.apache.camel.Variable;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The restore route's two copy steps (routes/restore.camel.yaml), both on the NEW database, after pg_restore and
 * its row counts and before the swap, so that neither a running Odoo nor the swap ever sees an un-neutralised copy:
 * <ul>
 *   <li>{@code neutralize}: the {@link Neutralizer} (odoo-bin neutralize when configured, then the rules); evidence
 *       {@code neutralization.json}; the tables the rules touch are left out of the post-restore row-count
 *       comparison (the check covers them);</li>
 *   <li>{@code verify-neutralization}: the {@link NeutralizationCheck} against the source's project's production
 *       environment; evidence {@code neutralization_check.json}; a problem fails the step, and the restore's rollback
 *       puts the target back (nothing of it was swapped yet).</li>
 * </ul>
 * A plain restore (not a copy) passes both unchanged.
 */
public final class NeutralizeCopy {
    private final OpsConfig config;
    private final Neutralizer neutralizer;
    private final NeutralizationCheck check;

    public NeutralizeCopy(OpsConfig config, Neutralizer neutralizer, NeutralizationCheck check) {
        this.config = config;
        this.neutralizer = neutralizer;
        this.check = check;
    }

    public void neutralize(@Variable(Vars.RESTORE_JOB) RestoreJob job) throws Exception {
        if (!applies(job)) return;
        EnvironmentConfig target = job.environment();
        job.newDatabaseFingerprint(null); // written after check-row-counts read it: fingerprint-new-copies reads it again
        Neutralizer.Outcome outcome = neutralizer.neutralize(target, job.newDatabase());
        Map<String, Object> evidence = new LinkedHashMap<>(outcome.evidence());
        evidence.put("copied_from", job.request().copyFrom());
        evidence.put("artifact_id", job.artifact().id());
        job.evidence().json("neutralization.json", evidence);
        Set<String> tables = new TreeSet<>();
        for (NeutralizationRules.Rule r : check.rulesOf(target).rules()) tables.addAll(r.needs().keySet());
        job.neutralizedTables(tables);
        job.stepDetail(Map.of("applied", evidence.get("applied"), "skipped", evidence.get("skipped")));
    }

    public void verify(@Variable(Vars.RESTORE_JOB) RestoreJob job) throws Exception {
        if (!applies(job)) return;
        judge(job, job.newDatabase(), "neutralization_check.json");
    }

    /**
     * Step {@code final-neutralization-check}: the copy ends with the check again, on the live database once Odoo ran on
     * it and the validations passed (nothing may have turned a cron or a server back on); a problem rolls back.
     */
    public void verifyLive(@Variable(Vars.RESTORE_JOB) RestoreJob job) throws Exception {
        if (!job.request().isCopy() || !job.request().type().includesDatabase()) return;
        judge(job, job.environment().database().name(), "neutralization_check_final.json");
    }

    private void judge(RestoreJob job, String database, String evidenceFile) throws Exception {
        EnvironmentConfig target = job.environment();
        EnvironmentConfig production = NeutralizationReport.productionOf(config, projectOf(job.request().copyFrom()))
                .or(() -> NeutralizationReport.productionOf(config, target.project())).orElse(null);
        NeutralizationCheck.Result r = check.check(target, database, production);
        job.evidence().json(evidenceFile, r.detail());
        job.stepDetail(Map.of("problems", r.problems().size()));
        if (!r.ok()) {
            throw new IllegalStateException("the copy is not neutralised (" + r.problems().size() + " problem(s)): "
                    + String.join("; ", r.problems()));
        }
    }

    private static boolean applies(RestoreJob job) {
        return job.request().isCopy() && job.request().type().includesDatabase() && job.newDatabase() != null;
    }

    private static String projectOf(String environmentId) {
        int slash = environmentId.indexOf('/');
        return slash < 0 ? environmentId : environmentId.substring(0, slash);
    }
}
