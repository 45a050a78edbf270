package dev.odooops.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

/**
 * One row of the artifacts list (odoo-ops artifacts, GET /api/v1/artifacts). Times are UTC, to the second;
 * {@code pin_reason} and {@code pinned_until} only for a legal hold that has them.
 */
@Schema(name = "ArtifactSummary", description = "An artifact as the artifacts list shows it.")
public record ArtifactSummary(
        @JsonProperty("artifact_id") @Schema(requiredMode = REQUIRED, description = "the artifact's id") String artifactId,
        @JsonProperty("created_at") @Schema(requiredMode = REQUIRED, format = "date-time", description = "when it was made (UTC)") String createdAt,
        @JsonProperty("backup_type") @Schema(requiredMode = REQUIRED, description = "full, db_only or filestore_only") String backupType,
        @Schema(requiredMode = REQUIRED, description = "backup, pre_restore, snapshot, ...") String kind,
        @Schema(requiredMode = REQUIRED, nullable = true, description = "its label") String label,
        @Schema(requiredMode = REQUIRED, description = "pinned: retention never prunes it") boolean pinned,
        @Schema(requiredMode = REQUIRED, description = "where it is stored") String uri,
        @JsonProperty("size_bytes") @Schema(requiredMode = REQUIRED, description = "the stored size of its files") long sizeBytes,
        @JsonProperty("pruned_at") @Schema(requiredMode = REQUIRED, nullable = true, format = "date-time", description = "when retention pruned it; null: live") String prunedAt,
        @JsonProperty("pin_reason") @JsonInclude(JsonInclude.Include.NON_NULL) @Schema(description = "a legal hold's reason") String pinReason,
        @JsonProperty("pinned_until") @JsonInclude(JsonInclude.Include.NON_NULL) @Schema(format = "date-time", description = "a legal hold's end") String pinnedUntil,
        @JsonProperty("last_drill_status") @Schema(requiredMode = REQUIRED, nullable = true, description = "its last conclusive restore drill: passed or failed (an inconclusive one, stopped by an outage or a kill, leaves it); null: never drilled") String lastDrillStatus,
        @JsonProperty("last_drill_at") @Schema(requiredMode = REQUIRED, nullable = true, format = "date-time", description = "when its last drill ended (UTC)") String lastDrillAt) {
}
