package dev.odooops.model;

import java.util.Set;

/**
 * rekey --project P [--dry-run]: the project's live packs and artifacts encrypted to an older recipient set (or not
 * encrypted) written again for the recipients configured now, so that a retired key can be destroyed. With
 * {@code dryRun} nothing changes and no run is made: the report lists what would. Needs {@code backup} on the project
 * (as {@code store copy} and {@code check}); the identity configured for the project must open the older generations.
 */
public record RekeyRequest(String project, boolean dryRun, String user) implements ActionRequest {
    public RekeyRequest {
        Fields.required("project", project);
        Fields.required("user", user);
    }

    @Override
    public String action() {
        return "backup";
    }

    @Override
    public Set<String> projects() {
        return Set.of(project);
    }
}
