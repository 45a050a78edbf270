package dev.odooops.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

/**
 * One row of the runs list (odoo-ops runs, GET /api/v1/runs): the run as the list shows it. Times are UTC, to the
 * second. Every field is present; those a run may not have are null. {@code operation_type} and {@code failure_reason}
 * repeat {@code operation} and {@code error} under the names of earlier releases, for one release.
 */
@Schema(name = "RunSummary", description = "A run as the runs list shows it.")
public record RunSummary(
        @JsonProperty("run_id") @Schema(requiredMode = REQUIRED, format = "uuid", description = "the run's id") String runId,
        @Schema(requiredMode = REQUIRED, description = "backup, restore, copy, snapshot, recover, ...") String operation,
        @Schema(requiredMode = REQUIRED, description = "queued, running, success, failed, abandoned, skipped_unchanged ...") String status,
        @JsonProperty("created_by") @Schema(requiredMode = REQUIRED, nullable = true, description = "who asked for it") String createdBy,
        @JsonProperty("created_at") @Schema(requiredMode = REQUIRED, format = "date-time", description = "when it was created (UTC)") String createdAt,
        @JsonProperty("finished_at") @Schema(requiredMode = REQUIRED, nullable = true, format = "date-time", description = "when it ended; null while it lives") String finishedAt,
        @JsonProperty("failed_step") @Schema(requiredMode = REQUIRED, nullable = true, description = "the step it failed in") String failedStep,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "why it failed") String error,
        @JsonProperty("evidence_dir") @Schema(requiredMode = REQUIRED, nullable = true, description = "its evidence directory on the server") String evidenceDir,
        @JsonProperty("parent_run_id") @Schema(requiredMode = REQUIRED, nullable = true, format = "uuid", description = "the run it is part of (a restore's safety backup)") String parentRunId,
        @JsonProperty("artifact_id") @Schema(requiredMode = REQUIRED, nullable = true, description = "the artifact it made or restored") String artifactId,
        @JsonProperty("operation_type") @Schema(requiredMode = REQUIRED, deprecated = true, description = "operation, under its old name") String operationType,
        @JsonProperty("failure_reason") @Schema(requiredMode = REQUIRED, nullable = true, deprecated = true, description = "error, under its old name") String failureReason) {
}
