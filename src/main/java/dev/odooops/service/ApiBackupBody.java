package dev.odooops.service;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The JSON body of POST /api/v1/backups as the OpenAPI document states it (its fields are those Submission reads for
 * a backup; OpenApiContractTest compares the two). Only a schema: Submission reads the body into model.BackupRequest.
 */
@Schema(name = "BackupBody", description = "A backup to queue (every field as the command line's option, in snake_case).")
public record ApiBackupBody(
        @Schema(description = "the project, when the environment's name is in several") String project,
        @Schema(description = "the environment, E or P/E", requiredMode = Schema.RequiredMode.REQUIRED) String environment,
        @Schema(description = "what to back up (default full)", allowableValues = {"full", "db_only", "filestore_only"}) String type,
        @Schema(description = "a label kept with the artifact") String label,
        @JsonProperty("keep_daily") @Schema(description = "retention: daily artifacts kept") Integer keepDaily,
        @JsonProperty("keep_weekly") @Schema(description = "retention: weekly artifacts kept") Integer keepWeekly,
        @JsonProperty("keep_monthly") @Schema(description = "retention: monthly artifacts kept") Integer keepMonthly,
        @JsonProperty("keep_yearly") @Schema(description = "retention: yearly artifacts kept") Integer keepYearly,
        @Schema(description = "back up even when a precondition would refuse it (default false)") Boolean force,
        @JsonProperty("request_id") @Schema(description = "idempotency key of the environment") String requestId) {
}
