package dev.odooops.store;

import dev.odooops.ops.OpsCatalog;
import dev.odooops.exec.CrashPoints;
import dev.odooops.model.NewPack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
    private final StoreLocator stores;

    /** Only for {@link #removeUnregistered} (packs a killed run left in the current store). */
    public PackCollector(OpsCatalog catalog, ArtifactStore store) {
        this.catalog = catalog;
        this.store = store;
        this.stores = null;
    }

    /** @param stores a pack is deleted from the store its catalog row names (the current one or a previous one) */
    public PackCollector(OpsCatalog catalog, StoreLocator stores) {
        this.catalog = catalog;
        this.store = stores.current();
        this.stores = stores;
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
            candidates = catalog.packs().collectablePacks(project);
        } catch (RuntimeException e) {
            failures.put("catalog", e.getMessage());
            return new Outcome(removed, claimed, failures);
        }
        String packs = ArtifactStore.packsPath(project);
        for (String id : candidates) {
            try {
                if (!catalog.packs().markPackDeleted(project, id)) {
                    claimed.add(id);
                    continue;
                }
                CrashPoints.reached("pack-collection:marked");
                // a repacked pack: before it goes, the store says (for a rebuild by hand) where its files are, and so
                // for every pack whose files had moved into it, now in the same pack
                Optional<String> target = catalog.packs().movedTo(project, id);
                if (target.isPresent()) {
                    for (String from : catalog.packs().movedInto(project, target.get())) note(packs, from, target.get());
                }
                NewPack row = catalog.packs().packs(project, List.of(id)).get(id);
                StoreLocator.PackLocation at = stores == null ? new StoreLocator.PackLocation(store, packs, id + ".tar.zst")
                        : stores.pack(project, id, row == null ? null : row.uri());
                at.store().delete(at.packsPath(), at.name());
                CrashPoints.reached("pack-collection:object-removed");
                // the notes of packs whose files had moved into this one go with it (this pack's own note stays:
                // it says where its files went while the pack they went to lives)
                for (String from : catalog.packs().movedInto(project, id)) store.delete(packs, from + PackRepacker.MOVED);
                catalog.packs().forgetPack(project, id);
                removed.add(id);
            } catch (RuntimeException e) {
                failures.put(id, e.getMessage());
                LOG.warn("pack {} of {} not collected (the next collection retries): {}", id, project, e.getMessage());
            }
        }
        return new Outcome(removed, claimed, failures);
    }

    /** {@code <from>.moved} holding the id of the pack that has its files now. */
    private void note(String packs, String from, String to) {
        try {
            java.nio.file.Path tmp = java.nio.file.Files.createTempFile("pack-moved-", ".txt");
            try {
                java.nio.file.Files.writeString(tmp, to + "\n");
                store.put(packs, from + PackRepacker.MOVED, tmp);
            } finally {
                java.nio.file.Files.deleteIfExists(tmp);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + from + PackRepacker.MOVED, e);
        }
    }

    /**
     * The packs a run uploaded and never registered (its process was killed between the upload and the
     * registration, which is one transaction with the artifact): every object of the project's {@code _packs}
     * named after that run's artifact ({@code <artifact id>-<n>.tar.zst}) that the catalog does not know, and the
     * uploads of such names left unfinished. Only for a run known dead (abandoned); a pack another run registered
     * is never touched, since pack names are the uploading run's own. Returns the names removed; throws when the
     * store cannot be listed (the sweep records it, and `check` still finds them).
     */
    public List<String> removeUnregistered(String project, String artifactId) {
        String packs = ArtifactStore.packsPath(project);
        String prefix = artifactId.toLowerCase(java.util.Locale.ROOT) + "-";
        List<String> names = store.list(packs).stream()
                .filter(n -> n.startsWith(prefix) && n.endsWith(".tar.zst")).toList();
        java.util.Set<String> ids = new java.util.LinkedHashSet<>();
        names.forEach(n -> ids.add(n.substring(0, n.length() - ".tar.zst".length())));
        java.util.Set<String> known = catalog.packs().packs(project, ids).keySet();
        List<String> removed = new ArrayList<>();
        for (String n : names) {
            if (known.contains(n.substring(0, n.length() - ".tar.zst".length()))) continue;
            store.delete(packs, n);
            removed.add(n);
        }
        store.abortIncompleteUploads(packs, prefix);
        return removed;
    }
}
