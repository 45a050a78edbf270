package dev.odooops.service;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;
import java.util.Map;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

/**
 * The JSON answers of the HTTP API that the application layer returns as a {@code Report} or rows of JSON (not as a
 * record of model/): their schemas, named as the responseModel of each operation in routes/service/http-api.camel.yaml.
 * Only schemas: nothing is made of them. ApiAnswersTest calls every read operation of a real serve and validates its
 * answer against the schema the served document states, so a field added, renamed or retyped without its schema fails.
 * The runs and artifacts lists answer model.RunPage and model.ArtifactPage, the records the application layer returns.
 */
public final class ApiAnswers {
    private ApiAnswers() {
    }

    private static final String OPEN = "other fields may appear";

    @Schema(name = "Run", description = "One run (GET /runs/{id}, odoo-ops run ID).")
    public record Run(
            @JsonProperty("run_id") @Schema(requiredMode = REQUIRED, format = "uuid") String runId,
            @JsonProperty("environment_id") @Schema(requiredMode = REQUIRED, description = "P/E") String environmentId,
            @Schema(requiredMode = REQUIRED, description = "backup, restore, copy, snapshot, recover, ...") String operation,
            @Schema(requiredMode = REQUIRED, description = "queued, running, success, failed, abandoned, skipped_unchanged ...") String status,
            @JsonProperty("created_by") @Schema(requiredMode = REQUIRED, nullable = true) String createdBy,
            @JsonProperty("created_at") @Schema(requiredMode = REQUIRED, format = "date-time") String createdAt,
            @JsonProperty("finished_at") @Schema(requiredMode = REQUIRED, nullable = true, format = "date-time") String finishedAt,
            @JsonProperty("parent_run_id") @Schema(requiredMode = REQUIRED, nullable = true, format = "uuid") String parentRunId,
            @JsonProperty("artifact_id") @Schema(requiredMode = REQUIRED, nullable = true, description = "the artifact it made or restored") String artifactId,
            @JsonProperty("steps_completed") @Schema(requiredMode = REQUIRED, description = "the steps it completed, in order") List<String> stepsCompleted,
            @JsonProperty("failed_step") @Schema(nullable = true, description = "a failed run's step") String failedStep,
            @Schema(nullable = true, description = "a failed run's reason") String error,
            @JsonProperty("copied_from") @Schema(nullable = true, description = "a copy's source environment") String copiedFrom,
            @Schema(nullable = true, description = "a restore's mode") String mode,
            @JsonProperty("mode_reason") @Schema(nullable = true, description = "why that mode") String modeReason,
            @JsonProperty("pre_restore_backup_id") @Schema(nullable = true, description = "a restore's safety backup") String preRestoreBackupId,
            @Schema(requiredMode = REQUIRED, description = "what its end said it must still tell") List<String> warnings,
            @JsonProperty("evidence_dir") @Schema(requiredMode = REQUIRED, nullable = true) String evidenceDir,
            @JsonProperty("evidence_files") @Schema(requiredMode = REQUIRED, description = "relative to evidence_dir") List<String> evidenceFiles,
            @JsonProperty("evidence_archive") @Schema(description = "where evidence retention moved the evidence (uri, sha256, ...)") AnyObject evidenceArchive) {
    }

    @Schema(name = "Schedule", description = "A configured schedule and its state in the shared job store.")
    public record Schedule(
            @Schema(requiredMode = REQUIRED, description = "project.env.name") String key,
            @JsonProperty("environment_id") @Schema(requiredMode = REQUIRED) String environmentId,
            @Schema(requiredMode = REQUIRED) String name,
            @Schema(requiredMode = REQUIRED, description = "Quartz cron") String cron,
            @JsonProperty("time_zone") @Schema(requiredMode = REQUIRED) String timeZone,
            @Schema(requiredMode = REQUIRED, description = "backup, or the queued operation") String operation,
            @Schema(description = "a backup's type") String type,
            @Schema(description = "another operation's fields") AnyObject request,
            @Schema(requiredMode = REQUIRED, description = "NORMAL, PAUSED, ... or why it is not known") String state,
            @JsonProperty("next_fire_time") @Schema(nullable = true, format = "date-time") String nextFireTime) {
    }

    @Schema(name = "ScheduleState", description = "A schedule paused or resumed.")
    public record ScheduleState(@Schema(requiredMode = REQUIRED) String key,
                                @Schema(requiredMode = REQUIRED, description = "PAUSED, NORMAL, ...") String state) {
    }

    @Schema(name = "Environment", description = "A configured environment the user may read, with its last backup per type.")
    public record Environment(
            @Schema(requiredMode = REQUIRED, description = "P/E") String id,
            @Schema(requiredMode = REQUIRED) String project,
            @Schema(requiredMode = REQUIRED) String name,
            @Schema(requiredMode = REQUIRED, description = "production, staging, development ...") String type,
            @JsonProperty("last_backup") @Schema(requiredMode = REQUIRED, description = "backup type -> the newest live backup of it")
            Map<String, LastBackup> lastBackup) {
    }

    @Schema(name = "LastBackup", description = "The newest live backup of a type.")
    public record LastBackup(@JsonProperty("artifact_id") @Schema(requiredMode = REQUIRED) String artifactId,
                             @JsonProperty("created_at") @Schema(requiredMode = REQUIRED, format = "date-time") String createdAt) {
    }

    @Schema(name = "Pin", description = "An artifact's pin after pin or unpin; a legal hold's reason and end when it has them.")
    public record Pin(@JsonProperty("artifact_id") @Schema(requiredMode = REQUIRED) String artifactId,
                      @Schema(requiredMode = REQUIRED) boolean pinned,
                      @JsonProperty("pin_reason") String pinReason,
                      @JsonProperty("pinned_until") @Schema(format = "date-time") String pinnedUntil) {
    }

    @Schema(name = "Verification", description = "verify-artifact's report: every stored object checked; with read_data=true also "
            + "read_data, what the read of the packs found (an object; a string for an artifact that is not packed) (" + OPEN + ").",
            additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
    public record Verification(@Schema(requiredMode = REQUIRED, description = "every check passed") boolean ok,
                               @Schema(requiredMode = REQUIRED, description = "file -> its check") Map<String, AnyObject> files,
                               @Schema(description = "what failed") List<String> problems) {
    }

    @Schema(name = "Decision", description = "accept or discard of a kept restore: a run of its own (" + OPEN + ").",
            additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
    public record Decision(@JsonProperty("run_id") @Schema(requiredMode = REQUIRED, format = "uuid") String runId,
                           @JsonProperty("restore_run_id") @Schema(format = "uuid") String restoreRunId,
                           @Schema(description = "accept or discard") String decision,
                           @Schema(requiredMode = REQUIRED, description = "success or failed") String status,
                           @JsonProperty("app_healthy") Boolean appHealthy,
                           List<String> actions) {
    }

    @Schema(name = "Drift", description = "check-drift: the project's environments side by side (" + OPEN + ").",
            additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
    public record Drift(@Schema(requiredMode = REQUIRED) String project,
                        @Schema(requiredMode = REQUIRED, description = "false when something that matters diverges") boolean ok,
                        @JsonProperty("compared_with") @Schema(nullable = true, description = "the reference environment") String comparedWith,
                        @Schema(requiredMode = REQUIRED, description = "what diverges, in words") List<String> divergences,
                        @Schema(requiredMode = REQUIRED) List<String> notes,
                        @Schema(requiredMode = REQUIRED, description = "each environment's side") List<DriftEnvironment> environments) {
    }

    @Schema(name = "DriftEnvironment", description = "One environment's side of check-drift.")
    public record DriftEnvironment(
            @JsonProperty("environment_id") @Schema(requiredMode = REQUIRED) String environmentId,
            @Schema(requiredMode = REQUIRED) String type,
            @JsonProperty("addons_path") @Schema(requiredMode = REQUIRED) List<String> addonsPath,
            @JsonProperty("addons_path_from") @Schema(requiredMode = REQUIRED) String addonsPathFrom,
            @JsonProperty("addons_commits") @Schema(requiredMode = REQUIRED, description = "addons path -> git commit") Map<String, String> addonsCommits,
            @Schema(description = "why it could not be read") String error,
            @JsonProperty("odoo_series") @Schema(nullable = true) String odooSeries,
            @JsonProperty("modules_installed") @Schema(description = "module -> version") Map<String, String> modulesInstalled,
            @JsonProperty("active_mail_server") @Schema(nullable = true, description = "production: an outgoing mail server is active") Boolean activeMailServer,
            @JsonProperty("is_neutralized") @Schema(nullable = true, description = "production: marked neutralised") Boolean isNeutralized,
            @Schema(description = "another environment: its neutralisation check") CheckOutcome neutralization) {
    }

    @Schema(name = "CheckOutcome", description = "A check: ok, or its problems.")
    public record CheckOutcome(@Schema(requiredMode = REQUIRED) boolean ok, @Schema(requiredMode = REQUIRED) List<String> problems) {
    }

    @Schema(name = "AnyObject", description = "A JSON object.", additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
    public record AnyObject() {
    }

    @Schema(name = "Neutralization", description = "The neutralisation check of an environment (" + OPEN + ").",
            additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
    public record Neutralization(@JsonProperty("environment_id") @Schema(requiredMode = REQUIRED) String environmentId,
                                 @Schema(requiredMode = REQUIRED, description = "true: neutralised") boolean ok,
                                 @JsonProperty("compared_with") @Schema(nullable = true) String comparedWith,
                                 @Schema(requiredMode = REQUIRED) List<String> problems,
                                 @Schema(requiredMode = REQUIRED) List<NeutralizationItem> checks,
                                 @JsonProperty("absent_tables") @Schema(requiredMode = REQUIRED) List<String> absentTables) {
    }

    @Schema(name = "NeutralizationItem", description = "One check of the neutralisation and what it found.")
    public record NeutralizationItem(@Schema(requiredMode = REQUIRED) String check, @Schema(requiredMode = REQUIRED) boolean ok,
                                     @Schema(requiredMode = REQUIRED, description = "how many offending rows or settings") int found) {
    }

    @Schema(name = "PrEnvironments", description = "The pull-request environments with their age.")
    public record PrEnvironments(@JsonProperty("pr_environments") @Schema(requiredMode = REQUIRED) List<PrEnvironment> prEnvironments) {
    }

    @Schema(name = "PrEnvironment", description = "A pull-request environment.")
    public record PrEnvironment(
            @JsonProperty("environment_id") @Schema(requiredMode = REQUIRED, description = "P/pr-N") String environmentId,
            @Schema(requiredMode = REQUIRED) String project,
            @Schema(requiredMode = REQUIRED) int pr,
            @Schema(requiredMode = REQUIRED, description = "creating, ready, deleting") String status,
            @Schema(requiredMode = REQUIRED) String database,
            @Schema(requiredMode = REQUIRED) String filestore,
            @JsonProperty("env_file") @Schema(requiredMode = REQUIRED) String envFile,
            @Schema(requiredMode = REQUIRED, description = "snapshot, staging or empty") String source,
            @JsonProperty("artifact_id") @Schema(requiredMode = REQUIRED, nullable = true) String artifactId,
            @JsonProperty("created_at") @Schema(requiredMode = REQUIRED, format = "date-time") String createdAt,
            @Schema(requiredMode = REQUIRED, description = "e.g. 3d 4h") String age,
            @JsonProperty("age_seconds") @Schema(requiredMode = REQUIRED) long ageSeconds,
            @JsonProperty("expires_in") @Schema(description = "until the expiry removes it") String expiresIn) {
    }
}
