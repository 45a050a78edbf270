package dev.odooops.app;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.OpsConfig;
import dev.odooops.config.Schedule;
import dev.odooops.model.ArtifactKind;
import dev.odooops.model.ArtifactRequest;
import dev.odooops.model.AuthenticatedRequest;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.CheckRequest;
import dev.odooops.model.EnvironmentRequest;
import dev.odooops.model.GetRunRequest;
import dev.odooops.model.ListArtifactsRequest;
import dev.odooops.model.ListEnvironmentsRequest;
import dev.odooops.model.ListRunsRequest;
import dev.odooops.model.ListSchedulesRequest;
import dev.odooops.model.PauseScheduleRequest;
import dev.odooops.model.PinRequest;
import dev.odooops.model.RecoverRequest;
import dev.odooops.domain.RequestRejected;
import dev.odooops.model.RestoreDecisionRequest;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RetentionPlanRequest;
import dev.odooops.model.StoreCopyRequest;
import dev.odooops.model.ValidateEnvRequest;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.model.Artifact;
import dev.odooops.model.RunView;
import org.apache.camel.Variable;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The one permission decision of odoo-ops: the {@code authorize-*} node of every {@code direct:} entry route (right
 * after the environment lookup) hands it the typed request, whatever channel it came by, and it either lets the
 * request through unchanged or throws {@link dev.odooops.domain.PermissionDenied} (field {@code user}, HTTP 403, the
 * same text on every channel). The rule itself is {@link OpsConfig#require}. Which action each operation needs:
 * <table>
 *   <tr><td>{@code backup}</td><td>backup; verify-artifact, pin and unpin; check; retention plan; pause and resume a
 *   schedule; store copy (on every project it re-points); rekey (a {@code model.ActionRequest})</td></tr>
 *   <tr><td>{@code restore}</td><td>restore (its safety backup runs under it); preflight-restore; validate-env;
 *   recover; accept and discard; check-neutralization</td></tr>
 *   <tr><td>{@code backup} or {@code restore} ("read")</td><td>list runs and artifacts, get a run, list schedules and
 *   environments (the lists show only the projects the user may read)</td></tr>
 *   <tr><td>{@code copy}</td><td>a neutralised copy (a restore with {@code copyFrom}): on the target's and the source's
 *   projects; its safety backup runs under it</td></tr>
 * </table>
 * {@code drill}, {@code pr-env} and {@code evidence} are reserved for the operations of those names. A request that
 * names its action ({@code model.ActionRequest}: copy, check-neutralization) is judged on every project it touches.
 * A request about an artifact, a run or a schedule is judged on the project that owns it; one naming none that exists
 * is refused as not found (its operation would refuse it the same way).
 */
public final class Authorizer {
    /** The action of the reading operations: either of these on the project. */
    static final List<String> READ = List.of("backup", "restore");

    private final OpsConfig config;
    private final OpsCatalog catalog;

    public Authorizer(OpsConfig config, OpsCatalog catalog) {
        this.config = config;
        this.catalog = catalog;
    }

    /** The request, unchanged, when its user holds the operation's action on the project it touches. */
    public AuthenticatedRequest authorize(AuthenticatedRequest request) {
        String user = request.user();
        if (request instanceof BackupRequest b) {
            // a restore's safety backup runs under the restore's permission
            // a sanitised snapshot's storing backup runs under the snapshot's action (copy); a neutralised copy's safety
            // backup under copy too: either action lets it through
            if (b.kind() == ArtifactKind.PRE_RESTORE && config.allows(user, b.project(), "copy")) return request;
            require(user, b.project(), b.kind() == ArtifactKind.PRE_RESTORE ? "restore"
                    : b.kind() == ArtifactKind.SANITIZED_SNAPSHOT ? "copy" : "backup");
        } else if (request instanceof RestoreRequest r && r.isCopy()) {
            // a neutralised copy: copy on the project it reads and on the one it writes
            require(user, r.project(), "copy");
            require(user, projectOf(r.copyFrom()), "copy");
        } else if (request instanceof RestoreRequest || request instanceof RecoverRequest || request instanceof ValidateEnvRequest) {
            require(user, ((EnvironmentRequest) request).project(), "restore");
        } else if (request instanceof RetentionPlanRequest r) {
            require(user, r.project(), "backup");
        } else if (request instanceof ListRunsRequest || request instanceof ListArtifactsRequest) {
            requireRead(user, ((EnvironmentRequest) request).project());
        } else if (request instanceof ArtifactRequest a) {
            require(user, artifactProject(a.artifactId()), "backup");
        } else if (request instanceof PinRequest p) {
            require(user, artifactProject(p.artifactId()), "backup");
        } else if (request instanceof CheckRequest c) {
            require(user, c.project(), "backup");
        } else if (request instanceof PauseScheduleRequest p) {
            require(user, scheduleProject(p.key()), "backup");
        } else if (request instanceof GetRunRequest g) {
            requireRead(user, runProject(g.runId()));
        } else if (request instanceof StoreCopyRequest s) {
            // every project whose artifacts it re-points: the named one, the environment's, or all
            for (String project : storeCopyProjects(s)) require(user, project, "backup");
        } else if (request instanceof dev.odooops.model.EvidenceGetRequest g) {
            requireRead(user, runProject(g.runId())); // reading a run's evidence, as reading the run
        } else if (request instanceof dev.odooops.model.DriftRequest d) {
            requireRead(user, d.project()); // check-drift reads only
        } else if (request instanceof dev.odooops.model.ExportZipRequest e) {
            // the artifact names the project (its environment is filled in after this decision)
            require(user, artifactProject(e.artifactId()), e.action());
        } else if (request instanceof dev.odooops.model.ActionRequest a) {
            // a request that names its action (the staging operations): on every project it touches
            for (String project : a.projects()) require(user, project, a.action());
        } else if (request instanceof RestoreDecisionRequest d) {
            require(user, runProject(d.runId()), "restore");
        } else if (!(request instanceof ListSchedulesRequest) && !(request instanceof ListEnvironmentsRequest)) {
            // the lists are filtered by readable(); anything else must say which action it needs
            throw new IllegalStateException("no permission rule for " + request.getClass().getSimpleName());
        }
        return request;
    }

    /**
     * The rows of a list the principal may read (a schedule names its {@code environment_id}, an environment its
     * {@code project}); the list's route keeps the principal in the variable {@code principal}.
     */
    public List<Map<String, Object>> readable(List<Map<String, Object>> rows, @Variable("principal") String user) {
        return rows.stream().filter(r -> mayRead(user, r.containsKey("environment_id")
                ? projectOf((String) r.get("environment_id")) : (String) r.get("project"))).toList();
    }

    private void require(String user, String project, String action) {
        config.require(user, project, action);
    }

    private boolean mayRead(String user, String project) {
        return READ.stream().anyMatch(a -> config.allows(user, project, a));
    }

    private void requireRead(String user, String project) {
        if (!mayRead(user, project)) config.require(user, project, String.join(" or ", READ));
    }

    private String artifactProject(String id) {
        Artifact a = catalog.artifacts().artifact(id).orElseThrow(() -> new RequestRejected("ID", "no artifact '" + id
                + "' in the ops catalog", RequestRejected.Reason.NOT_FOUND));
        return projectOf(a.environmentId());
    }

    private String runProject(UUID runId) {
        RunView run = catalog.runs().runView(runId).orElseThrow(() -> new RequestRejected("run_id", "no run '" + runId
                + "' in the ops catalog", RequestRejected.Reason.NOT_FOUND));
        return projectOf(run.environmentId());
    }

    private String scheduleProject(String key) {
        for (EnvironmentConfig env : config.environments()) {
            for (Schedule s : env.schedules()) {
                if ((env.project() + "." + env.name() + "." + s.name()).equals(key)) return env.project();
            }
        }
        throw new RequestRejected("schedule", "no schedule '" + key + "' (keys are <project>.<env>.<name>)",
                RequestRejected.Reason.NOT_FOUND);
    }

    private java.util.Set<String> storeCopyProjects(StoreCopyRequest s) {
        java.util.Set<String> projects = new java.util.TreeSet<>();
        for (EnvironmentConfig env : config.environments()) {
            if (s.environment() == null ? s.project() == null || s.project().equals(env.project())
                    : EnvironmentLookup.resolve(config, s.project(), s.environment()) == env) projects.add(env.project());
        }
        return projects;
    }

    private static String projectOf(String environmentId) {
        int slash = environmentId.indexOf('/');
        return slash < 0 ? environmentId : environmentId.substring(0, slash);
    }
}
