package dev.odooops.cli;

import dev.odooops.app.Operations;
import dev.odooops.domain.Json;
import dev.odooops.model.ArtifactRequest;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.GetRunRequest;
import dev.odooops.model.ListArtifactsRequest;
import dev.odooops.model.ListRunsRequest;
import dev.odooops.model.PinRequest;
import dev.odooops.model.RecoverRequest;
import dev.odooops.model.Report;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.model.ValidateEnvRequest;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the command line does with a parsed request ({@link Cli} parses): call the application layer
 * ({@link Operations}), print the result as JSON on stdout, and return the exit code. No operation's logic
 * lives here.
 */
public final class Commands {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int REJECTED = 2;
    /** A failed restore after which Odoo did not answer healthy again: the data is as the status says, the service is down. */
    public static final int ODOO_DOWN = 3;

    /** How the views (artifacts, runs, run) print: JSON (the default), or for a person on a terminal ({@link Table}). */
    public enum Format { JSON, TABLE }

    private final Operations operations;
    private final PrintStream out;
    private final Format format;

    public Commands(Operations operations, PrintStream out) {
        this(operations, out, Format.JSON);
    }

    public Commands(Operations operations, PrintStream out, Format format) {
        this.operations = operations;
        this.out = out;
        this.format = format;
    }

    /** backup: prints {run_id, artifact_id, status, evidence_dir[, warnings][, failed_step, error]}. */
    public int backup(BackupRequest request) {
        BackupResult result = operations.backup(request);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("run_id", result.runId());
        json.put("artifact_id", result.artifactId());
        json.put("status", result.status());
        json.put("evidence_dir", result.evidenceDir());
        if (!result.warnings().isEmpty()) json.put("warnings", result.warnings());
        if (!result.succeeded()) {
            json.put("failed_step", result.failedStep());
            json.put("error", result.error());
        }
        out.println(Json.compact(json));
        return result.succeeded() ? OK : FAILED;
    }

    /** restore: prints {run_id, status, evidence_dir, pre_restore_backup_id, app_status, mode, mode_reason[, warnings][, downtime_ms, downtime][, failed_step, error, odoo_healthy, app_healthy]}. */
    public int restore(RestoreRequest request) {
        RestoreResult result = operations.restore(request);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("run_id", result.runId());
        json.put("status", result.status());
        json.put("app_status", dev.odooops.model.RunStatus.neutral(result.status()));
        json.put("evidence_dir", result.evidenceDir());
        json.put("pre_restore_backup_id", result.preRestoreBackupId());
        json.put("mode", result.mode());
        if (result.modeReason() != null) json.put("mode_reason", result.modeReason());
        if (result.validationOnly()) json.put("validation_only", true);
        if (!result.warnings().isEmpty()) json.put("warnings", result.warnings());
        if (result.downtimeMs() != null) {
            json.put("downtime_ms", result.downtimeMs());
            json.put("downtime", result.downtime());
        }
        if (!result.succeeded()) {
            json.put("failed_step", result.failedStep());
            json.put("error", result.error());
            json.put("odoo_healthy", result.odooHealthy()); // the Odoo word, kept for one release
            json.put("app_healthy", result.odooHealthy());
        }
        out.println(Json.compact(json));
        if (result.succeeded()) return OK;
        return result.odooDown() ? ODOO_DOWN : FAILED;
    }

    /** preflight-restore: the eleven checks; exit 0 when all pass, else 2. */
    public int preflightRestore(RestoreRequest request) {
        return print(operations.preflightRestore(request), REJECTED);
    }

    /** validate-env: the seven validations now; exit 0 when none failed. */
    public int validateEnv(ValidateEnvRequest request) {
        return print(operations.validateEnvironment(request), FAILED);
    }

    /**
     * recover: clean up after runs whose process died, bring Odoo back after a rolled_back_odoo_down; prints what was
     * done. Exit 3 when Odoo it had to bring back still does not answer.
     */
    public int recover(RecoverRequest request) {
        Map<String, Object> body = operations.recover(request).body();
        out.println(Json.compact(body));
        return Boolean.FALSE.equals(body.get("odoo_healthy")) ? ODOO_DOWN : OK;
    }

    /** accept RUN / discard RUN: prints what was done; exit 0 when it was done, else 1. */
    public int decideRestore(dev.odooops.model.RestoreDecisionRequest request) {
        return print(operations.decideRestore(request), FAILED);
    }

    /** verify-artifact ID: the artifact re-read from the store; exit 0 when every check passed. */
    public int verifyArtifact(String id, String user) {
        return verifyArtifact(new ArtifactRequest(id, user));
    }

    public int verifyArtifact(ArtifactRequest request) {
        return print(operations.verifyArtifact(request), FAILED);
    }

    /** artifacts: a page of the environment's artifacts, newest first ({artifacts, next_cursor}). */
    public int artifacts(ListArtifactsRequest request) {
        printRows(operations.listArtifacts(request), "artifacts", Table.ARTIFACTS);
        return OK;
    }

    /** runs: a page of the environment's runs, newest first ({runs, next_cursor}). */
    public int runs(ListRunsRequest request) {
        printRows(operations.listRuns(request), "runs", Table.RUNS);
        return OK;
    }

    /** run ID: one run with its steps, failure and evidence files; exit 0 when it succeeded, 1 otherwise. */
    public int run(String id, String user) {
        Report report = operations.getRun(GetRunRequest.parse("ID", id, user));
        if (format == Format.JSON) return print(report, FAILED);
        out.print(Table.record(report.body()));
        return report.ok() ? OK : FAILED;
    }

    /** A view's answer: JSON as it is, or the table of its rows ({@link Table#answer}). */
    private void printRows(Object answer, String key, java.util.List<Table.Column> columns) {
        if (format == Format.JSON) out.println(Json.pretty(answer));
        else out.print(Table.answer(answer instanceof java.util.List<?> ? answer : Json.readMap(Json.compact(answer)), key, columns));
    }

    /** schedules: every configured schedule the user may read, with its state and next fire time. */
    public int schedules(String user) {
        out.println(Json.pretty(operations.listSchedules(new dev.odooops.model.ListSchedulesRequest(user))));
        return OK;
    }

    /** pause-schedule / resume-schedule KEY: prints {key, state}. */
    public int pauseSchedule(String key, boolean paused, String user) {
        out.println(Json.compact(operations.pauseSchedule(new dev.odooops.model.PauseScheduleRequest(key, paused, user))));
        return OK;
    }

    /** pin / unpin: prints {artifact_id, pinned}. */
    /** check: the report as JSON; exit 1 when a live artifact's pack is missing or damaged. */
    public int check(dev.odooops.model.CheckRequest request) {
        return print(operations.check(request), FAILED);
    }

    /** store copy: the report as JSON; exit 1 when an artifact could not be copied (a rerun continues). */
    public int storeCopy(dev.odooops.model.StoreCopyRequest request) {
        return print(operations.storeCopy(request), FAILED);
    }

    /** rekey: the report as JSON; exit 1 when something is left of an older generation (a rerun continues). */
    public int rekey(dev.odooops.model.RekeyRequest request) {
        return print(operations.rekey(request), FAILED);
    }

    /** retention plan: the report as JSON; exit 0 (it changes nothing). */
    public int retentionPlan(dev.odooops.model.RetentionPlanRequest request) {
        return print(operations.retentionPlan(request), FAILED);
    }

    public int pin(PinRequest request) {
        out.println(Json.compact(operations.pin(request).toJson()));
        return OK;
    }

    /** snapshot: the run's report as JSON; exit 0 when stored, 1 when the run failed. */
    public int snapshot(dev.odooops.model.SnapshotRequest request) {
        return print(operations.runQueued(request, null), FAILED);
    }

    /** drill: the run's report as JSON; exit 0 when the drill passed, 1 when it failed. */
    public int drill(dev.odooops.model.DrillRequest request) {
        return print(operations.drill(request), FAILED);
    }

    /** pr-env create, delete, list: the report as JSON; exit 1 when the run failed. */
    public int prEnv(Report report) {
        return print(report, FAILED);
    }

    /**
     * check-neutralization: one remediation line per problem (or one line saying it is neutralised); with
     * {@code json} the report as JSON. Exit 0 when neutralised, 1 otherwise.
     */
    public int checkNeutralization(dev.odooops.model.CheckNeutralizationRequest request, boolean json) {
        Report report = operations.checkNeutralization(request);
        if (json) return print(report, FAILED);
        @SuppressWarnings("unchecked")
        java.util.List<String> problems = (java.util.List<String>) report.body().get("problems");
        if (report.ok()) {
            out.println(report.body().get("environment_id") + " is neutralised"
                    + (report.body().get("compared_with") == null ? " (no production environment to compare with)"
                    : " (compared with " + report.body().get("compared_with") + ")"));
        } else {
            for (String p : problems) out.println(p);
        }
        return report.ok() ? OK : FAILED;
    }

    /** copy: the copy's report as JSON; exit 0 on success, 1 when it failed (and was rolled back). */
    public int copy(dev.odooops.model.CopyRequest request) {
        return print(operations.copy(request, null), FAILED);
    }

    /** import-odoo-zip: the run's report as JSON; exit 1 when the zip was refused or the run failed. */
    public int importOdooZip(dev.odooops.model.ImportZipRequest request) {
        return print(operations.importOdooZip(request), FAILED);
    }

    /** export-odoo-zip: the run's report as JSON; exit 1 when the run failed. */
    public int exportOdooZip(dev.odooops.model.ExportZipRequest request) {
        return print(operations.exportOdooZip(request), FAILED);
    }

    private int print(Report report, int whenNotOk) {
        out.println(Json.pretty(report.body()));
        return report.ok() ? OK : whenNotOk;
    }
}
