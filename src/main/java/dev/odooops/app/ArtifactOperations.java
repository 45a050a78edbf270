package dev.odooops.app;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.OpsConfig;
import dev.odooops.model.ArtifactRequest;
import dev.odooops.model.PinRequest;
import dev.odooops.model.PinResult;
import dev.odooops.model.Report;
import dev.odooops.domain.RequestRejected;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.store.ArtifactVerifier;
import dev.odooops.model.Artifact;

import java.io.IOException;
import java.util.Map;

/**
 * The operations on one live artifact of the catalog: verify-artifact (re-read it from the store, every
 * checksum and {@code pg_restore --list}) and pin/unpin. An unknown or pruned id is rejected naming {@code ID}.
 */
public final class ArtifactOperations {
    private final OpsConfig config;
    private final OpsCatalog catalog;
    private final ArtifactVerifier verifier;

    private final java.time.Clock clock;

    public ArtifactOperations(OpsConfig config, OpsCatalog catalog, ArtifactVerifier verifier, java.time.Clock clock) {
        this.clock = clock;
        this.config = config;
        this.catalog = catalog;
        this.verifier = verifier;
    }

    /** list-artifacts of a resolved request: a page of its environment's artifacts, newest first. */
    public dev.odooops.model.ArtifactPage list(dev.odooops.model.ListArtifactsRequest request) {
        return catalog.artifacts().artifactPage(request.environmentId(), request.includePruned(), request.limit(),
                request.cursor());
    }

    public Report verify(ArtifactRequest request) throws IOException {
        Artifact artifact = live(request.artifactId());
        EnvironmentConfig env = config.environments().stream()
                .filter(e -> e.id().equals(artifact.environmentId())).findFirst()
                .orElseThrow(() -> new RequestRejected("ID", "artifact '" + artifact.id() + "' belongs to "
                        + artifact.environmentId() + ", which is not in the environments file"));
        Map<String, Object> report = request.readData()
                ? verifier.verifyData(artifact, env.project(), env.name(), request.samplePercent())
                : verifier.verify(artifact, env.project(), env.name());
        boolean ok = Boolean.TRUE.equals(report.get("ok"));
        if (ok) catalog.artifacts().markVerified(artifact.id()); // an intact artifact may stand for an unchanged environment
        return new Report(ok, report);
    }

    public PinResult pin(PinRequest request) {
        Artifact artifact = live(request.artifactId());
        if (request.until() != null && !request.until().isAfter(clock.instant())) {
            throw new RequestRejected("until", "the hold would already be over: " + request.until());
        }
        catalog.artifacts().setPinned(artifact.id(), request.pinned(), request.reason(), request.until());
        return new PinResult(artifact.id(), request.pinned(), request.reason(), request.until());
    }

    private Artifact live(String id) {
        Artifact artifact = catalog.artifacts().artifact(id)
                .orElseThrow(() -> new RequestRejected("ID", "no artifact '" + id + "' in the ops catalog",
                        RequestRejected.Reason.NOT_FOUND));
        if (artifact.prunedAt() != null) {
            throw new RequestRejected("ID", "artifact '" + id + "' was pruned at " + artifact.prunedAt());
        }
        return artifact;
    }
}
