package dev.odooops.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

/**
 * One page of an environment's runs, newest first (list-runs): at most the request's limit, and the cursor of the
 * next page, null when this page holds the last run.
 */
@Schema(name = "RunPage", description = "A page of runs, newest first, and the cursor of the next page.")
public record RunPage(
        @Schema(requiredMode = REQUIRED, description = "the runs of this page") List<RunSummary> runs,
        @JsonProperty("next_cursor") @Schema(requiredMode = REQUIRED, nullable = true,
                description = "send it back as cursor for the next page; null: this was the last page") String nextCursor) {
    public RunPage {
        runs = List.copyOf(runs);
    }
}
