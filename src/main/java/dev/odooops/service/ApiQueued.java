package dev.odooops.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The JSON shape of a queued run (RunQueue.Accepted.toJson): the answer of every POST that queues a run (202, or
 * 200 with duplicate true for a repeated request_id), named as its responseModel in routes/service/http-api.camel.yaml.
 */
@Schema(name = "ApiQueued", description = "A queued run; its Location header is /api/v1/runs/{run_id}.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiQueued(
        @JsonProperty("run_id") @Schema(description = "the run's id (a UUID)", format = "uuid", requiredMode = Schema.RequiredMode.REQUIRED) String runId,
        @Schema(description = "queued; for a duplicate, the first run's status", requiredMode = Schema.RequiredMode.REQUIRED) String status,
        @Schema(description = "true when request_id repeated an earlier request (status 200)") Boolean duplicate) {
}
