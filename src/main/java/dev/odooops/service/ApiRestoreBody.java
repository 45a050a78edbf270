package dev.odooops.service;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The JSON body of POST /api/v1/restores as the OpenAPI document states it (its fields are those Submission reads
 * for a restore; OpenApiContractTest compares the two). Only a schema: Submission reads the body into
 * model.RestoreRequest.
 */
@Schema(name = "RestoreBody", description = "A restore to queue (every field as the command line's option, in snake_case).")
public record ApiRestoreBody(
        @Schema(description = "the project, when the environment's name is in several") String project,
        @Schema(description = "the environment restored into, E or P/E", requiredMode = Schema.RequiredMode.REQUIRED) String environment,
        @Schema(description = "what to restore (default full)", allowableValues = {"full", "db_only", "filestore_only"}) String type,
        @JsonProperty("artifact_id") @Schema(description = "the artifact to restore", requiredMode = Schema.RequiredMode.REQUIRED) String artifactId,
        @Schema(description = "confirms a restore into production (as odoo-ops restore --confirm)") String confirm,
        @Schema(description = "check the restored copy before it goes live (default true)") Boolean verify,
        @Schema(description = "put the previous state back when the restore fails (default true)") Boolean rollback,
        @Schema(description = "as odoo-ops restore --mode (default auto)", allowableValues = {"auto", "force", "validate_only"}) String mode,
        @JsonProperty("odoo_version") @Schema(description = "the target server's Odoo series, when it cannot be learned") String odooVersion,
        @JsonProperty("request_id") @Schema(description = "idempotency key of the environment") String requestId) {
}
