package dev.odooops.staging;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.OpsConfig;
import dev.odooops.domain.RequestRejected;
import dev.odooops.model.Artifact;
import dev.odooops.model.ArtifactKind;
import dev.odooops.model.BackupType;
import dev.odooops.model.CopyRequest;
import dev.odooops.model.Report;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.model.QueuedRun;
import dev.odooops.run.Vars;
import org.apache.camel.Variable;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The copy operation's own two steps around the restore route (routes/staging-copy.camel.yaml):
 * {@link #plan} turns the request into the restore of the source's artifact into the target (refused, naming the
 * field, when the target is a production environment whatever else is asked, when the source is the target or
 * unknown, or when the artifact is not one of the source's); {@link #report} turns the restore's result into the
 * copy's report {@code {run_id, status, evidence_dir, artifact_id, copied_from, copied_to, pre_restore_backup_id
 * [, failed_step, error]}}. Everything between (safety backup, swap, neutralisation, check, validations, rollback) is
 * the restore route's.
 */
public final class CopyPlanner {
    public static final String PLANNED = "copyRestore";

    /** The restore route as app.Operations calls it (a run of its own, or the queued one). */
    public interface Restore {
        RestoreResult restore(RestoreRequest request, QueuedRun queued);
    }

    private final OpsConfig config;
    private final OpsCatalog catalog;
    private final Restore restore;

    public CopyPlanner(OpsConfig config, OpsCatalog catalog, Restore restore) {
        this.config = config;
        this.catalog = catalog;
        this.restore = restore;
    }

    /**
     * The planned restore through direct:restore (called, not routed to: the restore route's error handler ends its
     * own exchange with the failed result, which the copy then reports). The queued run, when there is one, is the
     * restore's run.
     */
    public RestoreResult restore(@Variable(PLANNED) RestoreRequest planned, @Variable(Vars.QUEUED_RUN) QueuedRun queued) {
        return restore.restore(planned, queued);
    }

    public RestoreRequest plan(CopyRequest r) {
        EnvironmentConfig target = config.environment(r.project(), r.environment()).orElseThrow();
        if (target.isProduction()) {
            throw new RequestRejected("to", target.id() + " is a production environment: a copy never goes into production");
        }
        EnvironmentConfig source = source(r, target);
        if (source.id().equals(target.id())) throw new RequestRejected("from", "is the target itself (" + target.id() + ")");
        String artifactId = r.snapshotId() != null ? snapshot(r.snapshotId(), source)
                : r.artifactId() != null ? backup(r.artifactId(), source) : newest(source);
        return new RestoreRequest(target.project(), target.name(), artifactId, BackupType.FULL, true, true, null, r.user(),
                r.trigger(), RestoreRequest.Mode.FORCE, null, source.id());
    }

    public Report report(RestoreResult result, @Variable(PLANNED) RestoreRequest planned) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_id", result.runId());
        m.put("status", result.status());
        m.put("evidence_dir", result.evidenceDir());
        m.put("artifact_id", planned.artifactId());
        m.put("copied_from", planned.copyFrom());
        m.put("copied_to", planned.project() + "/" + planned.environment());
        m.put("pre_restore_backup_id", result.preRestoreBackupId());
        if (!result.succeeded()) {
            m.put("failed_step", result.failedStep());
            m.put("error", result.error());
            m.put("app_healthy", result.odooHealthy());
        }
        return new Report(result.succeeded(), m);
    }

    private EnvironmentConfig source(CopyRequest r, EnvironmentConfig target) {
        String from = r.from().strip();
        String project = target.project();
        String env = from;
        int slash = from.indexOf('/');
        if (slash >= 0) {
            project = from.substring(0, slash);
            env = from.substring(slash + 1);
        }
        String p = project;
        String e = env;
        return config.environment(p, e).orElseThrow(() -> new RequestRejected("from", "project '" + p
                + "' has no environment '" + e + "'", RequestRejected.Reason.NOT_FOUND));
    }

    private String snapshot(String id, EnvironmentConfig source) {
        Artifact a = live(id, "snapshot");
        if (ArtifactKind.of(a.kind()) != ArtifactKind.SANITIZED_SNAPSHOT) {
            throw new RequestRejected("snapshot", "artifact '" + id + "' is a " + a.kind() + ", not a sanitized_snapshot");
        }
        if (!a.environmentId().equals(source.id())) {
            throw new RequestRejected("snapshot", "snapshot '" + id + "' is of " + a.environmentId() + ", not of " + source.id());
        }
        return id;
    }

    private String backup(String id, EnvironmentConfig source) {
        Artifact a = live(id, "artifact");
        if (!a.environmentId().equals(source.id())) {
            throw new RequestRejected("artifact", "artifact '" + id + "' belongs to " + a.environmentId() + ", not to " + source.id());
        }
        return id;
    }

    private Artifact live(String id, String field) {
        Artifact a = catalog.artifacts().artifact(id).orElseThrow(() -> new RequestRejected(field, "no artifact '" + id
                + "' in the ops catalog", RequestRejected.Reason.NOT_FOUND));
        if (a.prunedAt() != null) throw new RequestRejected(field, "artifact '" + id + "' was pruned at " + a.prunedAt());
        return a;
    }

    private String newest(EnvironmentConfig source) {
        return catalog.artifacts().listArtifacts(source.id(), false).stream()
                .filter(m -> "full".equals(m.get("backup_type")) && ArtifactKind.BACKUP.wire().equals(m.get("kind")))
                .map(m -> (String) m.get("artifact_id")).findFirst()
                .orElseThrow(() -> new RequestRejected("from", source.id() + " has no live full backup to copy: back it up "
                        + "first or name one (--artifact)"));
    }
}
