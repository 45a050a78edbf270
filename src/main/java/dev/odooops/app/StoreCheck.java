package dev.odooops.app;

import dev.odooops.config.OpsConfig;
import dev.odooops.domain.ArtifactManifest;
import dev.odooops.model.CheckRequest;
import dev.odooops.model.Report;
import dev.odooops.domain.RequestRejected;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.store.ArtifactStore;
import dev.odooops.store.StoreLocator;
import dev.odooops.model.Artifact;
import dev.odooops.model.NewPack;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * check --project P: every live packed artifact's index must find each of its packs, in the store the catalog records
 * it in (the current one or a previous one, {@code store.previous}), with the size the manifest records (a missing one
 * is an artifact that cannot be restored: not ok); the packs in the current store that no live artifact refers to are
 * listed (the next backup's retention removes them). Reads only.
 */
public final class StoreCheck {
    private final OpsConfig config;
    private final OpsCatalog catalog;
    private final StoreLocator stores;

    public StoreCheck(OpsConfig config, OpsCatalog catalog, StoreLocator stores) {
        this.config = config;
        this.catalog = catalog;
        this.stores = stores;
    }

    public Report check(CheckRequest request) {
        if (config.environments().stream().noneMatch(e -> e.project().equals(request.project()))) {
            throw new RequestRejected("project", "no project '" + request.project() + "' in the environments file",
                    RequestRejected.Reason.NOT_FOUND);
        }
        String packsPath = ArtifactStore.packsPath(request.project());
        Set<String> inStore = new LinkedHashSet<>();
        for (String name : stores.current().list(packsPath)) {
            if (name.endsWith(".tar.zst")) inStore.add(name.substring(0, name.length() - ".tar.zst".length()));
        }
        Set<String> referenced = new LinkedHashSet<>();
        Set<String> inPrevious = new LinkedHashSet<>();
        List<Map<String, Object>> broken = new ArrayList<>();
        int packedArtifacts = 0;
        for (Artifact a : catalog.artifacts().liveArtifacts(request.project())) {
            var fs = a.manifest().filestore();
            if (fs == null || fs.packs() == null) continue;
            packedArtifacts++;
            // a pack written again by a repack is found under the id it moved to, with that pack's size
            Map<String, ArtifactManifest.PackRef> now = catalog.packs().currentPacks(request.project(),
                    fs.packs().stream().map(ArtifactManifest.PackRef::id).toList());
            Map<String, NewPack> recorded = catalog.packs().packs(request.project(),
                    now.values().stream().map(ArtifactManifest.PackRef::id).toList());
            for (ArtifactManifest.PackRef named : fs.packs()) {
                ArtifactManifest.PackRef ref = now.getOrDefault(named.id(), named);
                referenced.add(ref.id());
                NewPack row = recorded.get(ref.id());
                String unreachable = null;
                long size;
                try {
                    StoreLocator.PackLocation at = stores.pack(request.project(), ref.id(), row == null ? null : row.uri());
                    size = at.store() == stores.current() && !inStore.contains(ref.id()) ? -1 : at.store().size(at.packsPath(), at.name());
                    if (at.store() != stores.current()) inPrevious.add(ref.id());
                } catch (RuntimeException e) {
                    size = -1;
                    unreachable = e.getMessage();
                }
                if (size != ref.size()) {
                    Map<String, Object> b = new LinkedHashMap<>();
                    b.put("artifact_id", a.id());
                    b.put("pack", ref.id());
                    if (!ref.id().equals(named.id())) b.put("repacked_from", named.id());
                    b.put("problem", unreachable != null ? "its store cannot be reached: " + unreachable
                            : size < 0 ? "missing from the store" : "is " + size + " bytes, the manifest says " + ref.size());
                    broken.add(b);
                }
            }
        }
        List<String> unreferenced = inStore.stream().filter(id -> !referenced.contains(id)).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("project", request.project());
        body.put("packed_artifacts", packedArtifacts);
        body.put("packs_in_store", inStore.size());
        body.put("packs_referenced", referenced.size());
        body.put("packs_in_previous_stores", inPrevious.size());
        body.put("missing_or_damaged", broken);
        body.put("unreferenced_packs", unreferenced);
        body.put("ok", broken.isEmpty());
        body.put("method", "the project's packs in the store compared with the catalog by name and size only; "
                + "no content was read (verify-artifact ID --read-data reads an artifact's packs and checks every file)");
        body.put("note", "unreferenced packs are removed by the next backup's retention of the project; "
                + "verify-artifact --read-data reads packs and checks every file");
        return new Report(broken.isEmpty(), body);
    }
}
