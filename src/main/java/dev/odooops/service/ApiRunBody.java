package dev.odooops.service;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The JSON body of POST /api/v1/runs as the OpenAPI document states it: the fields every queued operation takes;
 * the operation's own fields (Submission.fields) are the additional properties. Only a schema: Submission reads it.
 */
@Schema(name = "RunBody", additionalProperties = Schema.AdditionalPropertiesValue.TRUE,
        description = "A long operation to queue by name, with its own fields (as its command line's options, in snake_case).")
public record ApiRunBody(
        @Schema(description = "backup, restore, drill (restore drill; field artifact_id), or a staging operation: snapshot, copy, pr_env_create, pr_env_delete, pr_env_expire, import_zip, export_zip, evidence_retention",
                requiredMode = Schema.RequiredMode.REQUIRED) String operation,
        @Schema(description = "the project, when the environment's name is in several") String project,
        @Schema(description = "the environment, E or P/E") String environment,
        @JsonProperty("request_id") @Schema(description = "idempotency key of the environment") String requestId) {
}
