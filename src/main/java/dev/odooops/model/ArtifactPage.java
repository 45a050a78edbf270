package dev.odooops.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

/**
 * One page of an environment's artifacts, newest first (list-artifacts): at most the request's limit, and the cursor
 * of the next page, null when this page holds the last artifact.
 */
@Schema(name = "ArtifactPage", description = "A page of artifacts, newest first, and the cursor of the next page.")
public record ArtifactPage(
        @Schema(requiredMode = REQUIRED, description = "the artifacts of this page") List<ArtifactSummary> artifacts,
        @JsonProperty("next_cursor") @Schema(requiredMode = REQUIRED, nullable = true,
                description = "send it back as cursor for the next page; null: this was the last page") String nextCursor) {
    public ArtifactPage {
        artifacts = List.copyOf(artifacts);
    }
}
