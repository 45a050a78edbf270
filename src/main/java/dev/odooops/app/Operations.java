package dev.odooops.app;

import dev.odooops.model.ArtifactRequest;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.GetRunRequest;
import dev.odooops.model.ListArtifactsRequest;
import dev.odooops.model.ListRunsRequest;
import dev.odooops.model.PinRequest;
import dev.odooops.model.PauseScheduleRequest;
import dev.odooops.model.PinResult;
import dev.odooops.model.QueuedRun;
import dev.odooops.model.RecoverRequest;
import dev.odooops.model.Report;
import dev.odooops.domain.RequestRejected;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.model.RunStartFailed;
import dev.odooops.model.ValidateEnvRequest;
import dev.odooops.run.Vars;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

import java.util.List;
import java.util.Map;

/**
 * The application layer as every trigger sees it (the command line today; HTTP, JMS, the inbox and Quartz
 * call the same): one method per operation, each sending its typed request to the operation's {@code direct:}
 * entry route (routes/backup, restore and operations .camel.yaml) and returning the route's typed result.
 * <p>Contract: a request refused before any run existed throws {@link RequestRejected} (its field named); a run
 * that could not start returns a failed result (failed step {@code create-run}); a failed run returns its
 * failed result, never throws; anything else (a bug, the catalog down) throws {@link OperationFailed}.
 */
public final class Operations {
    private final ProducerTemplate template;

    public Operations(ProducerTemplate template) {
        this.template = template;
    }

    public BackupResult backup(BackupRequest request) {
        return backup(request, null);
    }

    /** A backup in the run a service channel queued for it ({@code queued} null: a new run). */
    public BackupResult backup(BackupRequest request, QueuedRun queued) {
        try {
            return call("direct:backup", request, BackupResult.class, queued);
        } catch (RunStartFailed f) {
            return f.backupResult();
        }
    }

    public RestoreResult restore(RestoreRequest request) {
        return restore(request, null);
    }

    /**
     * A backup of {@code source}: the request's environment as configured but for its database and filestore, which
     * are a staging operation's scratch copy (a sanitised snapshot's anonymised copy, an imported zip loaded). The
     * request's kind and parent run say whose child run it is; everything else is a backup's (run, evidence, artifact,
     * retention).
     */
    public BackupResult backupOf(BackupRequest request, dev.odooops.config.EnvironmentConfig source) {
        try {
            return call("direct:backup", request, BackupResult.class, null, Map.of(Vars.BACKUP_SOURCE, source));
        } catch (RunStartFailed f) {
            return f.backupResult();
        }
    }


    /** A restore in the run a service channel queued for it ({@code queued} null: a new run). */
    public RestoreResult restore(RestoreRequest request, QueuedRun queued) {
        try {
            return call("direct:restore", request, RestoreResult.class, queued);
        } catch (RunStartFailed f) {
            return f.restoreResult();
        }
    }

    /**
     * A queued operation besides backup and restore (model.QueuedRequest) in the run a service channel queued for it,
     * or in a new run when {@code queued} is null. A run that could not start is a failed report (step create-run).
     */
    public Report runQueued(dev.odooops.model.QueuedRequest request, QueuedRun queued) {
        try {
            return call(request.route(), request, Report.class, queued);
        } catch (RunStartFailed f) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("run_id", f.runId() == null ? null : f.runId().toString());
            m.put("status", "failed");
            m.put("evidence_dir", f.evidenceDir());
            m.put("failed_step", RunStartFailed.STEP);
            m.put("error", f.getMessage());
            return new Report(false, m);
        }
    }

    /** The nine restore checks without restoring: ok when all pass. */
    public Report preflightRestore(RestoreRequest request) {
        return call("direct:preflight-restore", request, Report.class);
    }

    public Report validateEnvironment(ValidateEnvRequest request) {
        return call("direct:validate-env", request, Report.class);
    }

    public Report recover(RecoverRequest request) {
        return call("direct:recover", request, Report.class);
    }

    /** accept RUN / discard RUN: the operator's decision on a failed restore whose restored copy was kept. */
    public Report decideRestore(dev.odooops.model.RestoreDecisionRequest request) {
        return call("direct:restore-decide", request, Report.class);
    }

    public Report verifyArtifact(ArtifactRequest request) {
        return call("direct:artifact-verify", request, Report.class);
    }

    public PinResult pin(PinRequest request) {
        return call("direct:artifact-pin", request, PinResult.class);
    }

    /** A page of the environment's artifacts, newest first, with the cursor of the next page. */
    public dev.odooops.model.ArtifactPage listArtifacts(ListArtifactsRequest request) {
        return call("direct:artifact-list", request, dev.odooops.model.ArtifactPage.class);
    }

    /** A page of the environment's runs, newest first, with the cursor of the next page. */
    public dev.odooops.model.RunPage listRuns(ListRunsRequest request) {
        return call("direct:run-list", request, dev.odooops.model.RunPage.class);
    }

    /** The configured schedules the user may read, with their state in the job store and next fire time. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> listSchedules(dev.odooops.model.ListSchedulesRequest request) {
        return call("direct:schedule-list", request, List.class);
    }

    /** The configured environments the user may read, with the last backup of each type. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> listEnvironments(dev.odooops.model.ListEnvironmentsRequest request) {
        return call("direct:environment-list", request, List.class);
    }

    /**
     * What a service channel must answer before it queues a backup or restore (route {@code admit}): the request
     * resolved, or refused naming the field (environment, permission, a restore's confirmation and artifact).
     */
    public dev.odooops.model.EnvironmentRequest admit(dev.odooops.model.EnvironmentRequest request) {
        return call("direct:admit", request, dev.odooops.model.EnvironmentRequest.class);
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> pauseSchedule(PauseScheduleRequest request) {
        return call("direct:schedule-pause", request, Map.class);
    }

    /** What retention would prune in an environment now, and why (nothing changes). */
    public Report retentionPlan(dev.odooops.model.RetentionPlanRequest request) {
        return call("direct:retention-plan", request, Report.class);
    }

    /** The store of a project against the catalog: packs missing for live artifacts, packs nobody refers to. */
    public Report check(dev.odooops.model.CheckRequest request) {
        return call("direct:store-check", request, Report.class);
    }

    /** Live artifacts and their packs copied to another configured store and re-pointed there. */
    public Report storeCopy(dev.odooops.model.StoreCopyRequest request) {
        return call("direct:store-copy", request, Report.class);
    }

    /** rekey: a project's artifacts and packs of older recipients written again for the current ones (or a dry run). */
    public Report rekey(dev.odooops.model.RekeyRequest request) {
        return call("direct:rekey", request, Report.class);
    }

    /** pr-env create: a pull-request environment made from the newest sanitised snapshot (or empty); a run. */
    public Report prEnvCreate(dev.odooops.model.PrEnvCreateRequest request) {
        return call("direct:pr-env-create", request, Report.class);
    }

    /** pr-env delete: a pull-request environment removed, or nothing to do; a run when there is something to remove. */
    public Report prEnvDelete(dev.odooops.model.PrEnvDeleteRequest request) {
        return call("direct:pr-env-delete", request, Report.class);
    }

    /** pr-env list: the pull-request environments with their age. */
    public Report prEnvList(dev.odooops.model.PrEnvListRequest request) {
        return call("direct:pr-env-list", request, Report.class);
    }

    /** An Odoo backup zip (dump.sql, filestore/, manifest.json) imported as an artifact of the environment. */
    public Report importOdooZip(dev.odooops.model.ImportZipRequest request) {
        return runQueued(request, null);
    }

    /** A restore drill: the artifact restored into scratch copies, validated, its RTO recorded, the copies dropped. */
    public Report drill(dev.odooops.model.DrillRequest request) {
        return runQueued(request, null);
    }

    /** An artifact written as an Odoo backup zip that Odoo's database manager restores. */
    public Report exportOdooZip(dev.odooops.model.ExportZipRequest request) {
        return runQueued(request, null);
    }

    public Report getRun(GetRunRequest request) {
        return call("direct:run-get", request, Report.class);
    }

    private <T> T call(String route, Object request, Class<T> type) {
        return call(route, request, type, null);
    }

    private <T> T call(String route, Object request, Class<T> type, QueuedRun queued) {
        return call(route, request, type, queued, Map.of());
    }

    private <T> T call(String route, Object request, Class<T> type, QueuedRun queued, Map<String, Object> variables) {
        Exchange ex = template.request(route, e -> {
            e.getMessage().setBody(request);
            if (queued != null) e.setVariable(Vars.QUEUED_RUN, queued);
            variables.forEach(e::setVariable);
        });
        Exception failure = ex.getException();
        if (failure instanceof RequestRejected r) throw r;
        if (failure instanceof RunStartFailed f) throw f;
        if (failure != null) throw new OperationFailed(route, failure);
        T result = ex.getMessage().getBody(type);
        if (result == null) throw new OperationFailed(route, new IllegalStateException("no " + type.getSimpleName() + " returned"));
        return result;
    }

    /** check-neutralization: the neutralisation check of an environment against its project's production (ok or not). */
    public Report checkNeutralization(dev.odooops.model.CheckNeutralizationRequest request) {
        return call("direct:check-neutralization", request, Report.class);
    }

    /** copy: a neutralised copy into a non-production environment, in a new run (or the one {@code queued} names). */
    public Report copy(dev.odooops.model.CopyRequest request, QueuedRun queued) {
        return runQueued(request, queued);
    }

    /** An operation that neither ran to a result nor was rejected: a fault of odoo-ops or of its catalog. */
    public static final class OperationFailed extends RuntimeException {
        OperationFailed(String route, Throwable cause) {
            super(cause.getMessage() == null ? route + " failed: " + cause.getClass().getName() : cause.getMessage(), cause);
        }
    }

    /** check-drift: the project's environments side by side; ok when nothing diverges that matters. */
    public Report checkDrift(dev.odooops.model.DriftRequest request) {
        return call("direct:check-drift", request, Report.class);
    }

    /** evidence prune: one environment's evidence retention run (or, with dry_run, its plan only). */
    public Report evidencePrune(dev.odooops.model.EvidencePruneRequest request) {
        return runQueued(request, null);
    }

    /** evidence get RUN: a run's evidence, local or fetched back from the store. */
    public Report evidenceGet(dev.odooops.model.EvidenceGetRequest request) {
        return call("direct:evidence-get", request, Report.class);
    }
}
