package dev.odooops.store;

import dev.odooops.ops.OpsCatalog;
import dev.odooops.run.CrashPoints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Removes the packs of a project no live artifact refers to (the packed filestore), after retention has pruned
 * artifacts: for each one, (1) mark it deleted in the catalog under its row lock, only if still unreferenced (a
 * backup registering an artifact takes the same lock and refuses a marked pack), (2) delete its object from the
 * store, (3) forget its rows. A crash between the steps leaves a pack marked deleted, whatever is left of it in the
 * store: no live index refers to it, and the next collection finishes it. Never throws: failures are returned.
 */
public final class PackCollector {
    private static final Logger LOG = LoggerFactory.getLogger(PackCollector.class);
    private final OpsCatalog catalog;
    private final ArtifactStore store;

    public PackCollector(OpsCatalog catalog, ArtifactStore store) {
        this.catalog = catalog;
        this.store = store;
    }

    /** What a collection did: the packs removed, those a live artifact claimed meanwhile, and failures. */
    public record Outcome(List<String> removed, List<String> claimed, Map<String, String> failures) {
    }

    public Outcome collect(String project) {
        List<String> removed = new ArrayList<>();
        List<String> claimed = new ArrayList<>();
        Map<String, String> failures = new LinkedHashMap<>();
        List<String> candidates;
        try {
            candidates = catalog.collectablePacks(project);
        } catch (RuntimeException e) {
            failures.put("catalog", e.getMessage());
            return new Outcome(removed, claimed, failures);
        }
        String packs = ArtifactStore.packsPath(project);
        for (String id : candidates) {
            try {
                if (!catalog.markPackDeleted(project, id)) {
                    claimed.add(id);
                    continue;
                }
                CrashPoints.reached("pack-collection:marked");
                store.delete(packs, id + ".tar.zst");
                CrashPoints.reached("pack-collection:object-removed");
                catalog.forgetPack(project, id);
                removed.add(id);
            } catch (RuntimeException e) {
                failures.put(id, e.getMessage());
                LOG.warn("pack {} of {} not collected (the next collection retries): {}", id, project, e.getMessage());
            }
        }
        return new Outcome(removed, claimed, failures);
    }
}
