package dev.odooops.restore;

import dev.odooops.backup.SnapshotConfig;
import dev.odooops.run.Vars;

import dev.odooops.domain.ConfigComparison;
import dev.odooops.domain.Json;
import dev.odooops.model.RestoreJob;
import dev.odooops.ops.OpsCatalog;
import org.apache.camel.Variable;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Restore step 7: compare the configuration snapshot stored with the artifact against the environment's
 * configuration now ({@link ConfigComparison}) and flag what matters; nothing is applied. Writes
 * config_snapshot.json (the artifact's) and config_comparison.json.
 */
public class CompareConfig {
    private final SnapshotConfig snapshots;
    private final OpsCatalog catalog;

    public CompareConfig(SnapshotConfig snapshots, OpsCatalog catalog) {
        this.snapshots = snapshots;
        this.catalog = catalog;
    }

    public void compare(@Variable(Vars.RESTORE_JOB) RestoreJob job) throws Exception {
        Map<String, Object> then = Json.readMap(job.files().get("config_snapshot.json"));
        job.evidence().json("config_snapshot.json", then);
        List<String> critical = new ArrayList<>();
        Map<String, Object> now = Map.of();
        if (Files.isReadable(job.environment().appConf())) {
            now = snapshots.take(job.environment(), job.redactor());
        } else {
            critical.add(job.environment().app().confKey() + " " + job.environment().appConf()
                    + " is missing now: compare and restore it by hand");
        }
        ConfigComparison.Result result = ConfigComparison.compare(then, now, job.environment().app());
        critical.addAll(result.critical());
        Map<String, Object> comparison = new LinkedHashMap<>();
        comparison.put("critical", critical);
        comparison.put("warnings", result.warnings());
        comparison.put(job.environment().app().confKey() + "_differences", result.optionDifferences());
        comparison.put("applied", "nothing: odoo-ops never changes configuration");
        job.evidence().json("config_comparison.json", comparison);
        job.stepDetail(Map.of("critical", critical.size(),
                "warnings", result.warnings().size()));
        job.downtime().lap("compare_config_ms");
    }
}
