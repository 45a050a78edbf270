package dev.odooops.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The JSON shape of every error the HTTP API answers (HttpApi.error): its schema in the OpenAPI document
 * (routes/service/http-api.camel.yaml names it as the responseModel of every 4xx/5xx answer).
 */
@Schema(name = "ApiError", description = "An error: what went wrong, the field it concerns (when one does) and the HTTP status.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(
        @Schema(description = "what went wrong, in words", requiredMode = Schema.RequiredMode.REQUIRED) String error,
        @Schema(description = "the request field, header (Authorization) or path parameter the error concerns") String field,
        @Schema(description = "the HTTP status, repeated", requiredMode = Schema.RequiredMode.REQUIRED) int status) {
}
