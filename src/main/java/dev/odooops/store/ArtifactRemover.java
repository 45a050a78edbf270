package dev.odooops.store;

import dev.odooops.exec.CrashPoints;

import dev.odooops.domain.SecretRedactor;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.model.DeletionReason;
import dev.odooops.model.StoreDeletion;
import dev.odooops.model.Artifact;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Removes an artifact's stored objects the journaled way, for every reason objects go (a retention prune, the
 * upload of a failed run, the partial upload of a dead run):
 * <ol>
 *   <li>the removal is written to ops.store_deletions (and a {@code prune_planned} / {@code cleanup_planned}
 *   event with the artifact id and URI) before any object is touched;</li>
 *   <li>the store is found from the artifact's recorded URI ({@link StoreLocator}); incomplete uploads are
 *   aborted, every object deleted and the folder listed again;</li>
 *   <li>only then is the row done, and a pruned artifact's {@code pruned_at} set, in one statement.</li>
 * </ol>
 * A failure (store down, store unreachable) leaves the row pending with its reason, and the artifact unpruned;
 * {@link #retryPending} (every run start) finishes it. Never throws for a store failure.
 */
public class ArtifactRemover {
    private static final Logger LOG = LoggerFactory.getLogger(ArtifactRemover.class);
    private final StoreLocator locator;
    private final OpsCatalog catalog;

    public ArtifactRemover(StoreLocator locator, OpsCatalog catalog) {
        this.locator = locator;
        this.catalog = catalog;
    }

    /** The result of one removal attempt. {@code error} is redacted; null when done. */
    public record Outcome(String artifactId, String uri, DeletionReason reason, boolean done, int objects,
                          int incompleteUploads, String error) {
        /** A prune refused because an active drill holds a lease on the artifact (retried by the next retention). */
        public boolean keptForDrill() {
            return !done && KEPT_FOR_DRILL.equals(error);
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("artifact_id", artifactId);
            m.put("uri", uri);
            m.put("reason", reason.wire());
            m.put("done", done);
            if (done) {
                m.put("objects_removed", objects);
                m.put("incomplete_uploads_aborted", incompleteUploads);
            } else {
                m.put("error", error);
            }
            return m;
        }
    }

    /** The error of a prune refused because an active drill holds a lease on the artifact (see {@link Outcome#keptForDrill}). */
    public static final String KEPT_FOR_DRILL = "kept for a drill: an active drill holds a lease on it";

    /**
     * Journals the removal of the artifact folder at {@code uri}, then removes it. A prune of an artifact an active
     * drill holds a lease on is not journaled (decided under the artifact's row lock, see
     * {@link dev.odooops.ops.DeletionCatalog#planPrune}): the outcome is not done and {@link Outcome#keptForDrill}.
     */
    public Outcome remove(String environmentId, String artifactId, String uri, DeletionReason reason, UUID runId,
                          SecretRedactor redactor) {
        StoreDeletion d;
        if (reason == DeletionReason.PRUNE) {
            java.util.Optional<StoreDeletion> planned = catalog.deletions().planPrune(environmentId, artifactId, uri, runId);
            if (planned.isEmpty()) {
                LOG.info("artifact {} not pruned: {}", artifactId, KEPT_FOR_DRILL);
                catalog.runs().event(runId, "prune_kept_for_drill", null, Map.of("artifact_id", artifactId, "uri", uri));
                return new Outcome(artifactId, uri, reason, false, 0, 0, KEPT_FOR_DRILL);
            }
            d = planned.get();
        } else {
            d = catalog.deletions().planDeletion(environmentId, artifactId, uri, reason, runId);
        }
        catalog.runs().event(runId, eventPrefix(reason) + "_planned", null, Map.of("artifact_id", artifactId, "uri", uri,
                "reason", reason.wire(), "journal_id", d.id()));
        return attempt(d, runId, redactor);
    }

    /** Retries every pending removal of the environment (a prune or a cleanup that failed or was interrupted). */
    public List<Outcome> retryPending(String environmentId, UUID runId, SecretRedactor redactor) {
        List<Outcome> out = new ArrayList<>();
        for (StoreDeletion d : catalog.deletions().pendingDeletions(environmentId)) {
            if (d.reason() == DeletionReason.PRUNE && catalog.artifacts().artifact(d.artifactId()).map(Artifact::pinned).orElse(false)) {
                // pinned after its prune was planned: a pin wins; the prune stays pending until it is unpinned
                out.add(new Outcome(d.artifactId(), d.uri(), d.reason(), false, 0, 0, "pinned: prune held"));
                continue;
            }
            out.add(attempt(d, runId, redactor));
        }
        return out;
    }

    private Outcome attempt(StoreDeletion d, UUID runId, SecretRedactor redactor) {
        Outcome outcome;
        try {
            StoreLocator.Location where = locator.locate(d.uri(), d.artifactId());
            dev.odooops.exec.CrashPoints.reached("store-deletion:journaled");
            ArtifactStore.Removal removal = where.store().removeAll(where.artifactPath());
            dev.odooops.exec.CrashPoints.reached("store-deletion:objects-removed");
            catalog.deletions().deletionDone(d.id());
            outcome = new Outcome(d.artifactId(), d.uri(), d.reason(), true, removal.objects(), removal.incompleteUploads(), null);
        } catch (RuntimeException e) {
            String reason = redactor.scrub(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            LOG.warn("could not remove artifact {} ({}) from {}: {}", d.artifactId(), d.reason().wire(), d.uri(), reason);
            try {
                catalog.deletions().deletionFailed(d.id(), reason);
            } catch (RuntimeException ce) {
                LOG.error("could not record the failed removal of {}: {}", d.artifactId(), ce.getMessage());
            }
            outcome = new Outcome(d.artifactId(), d.uri(), d.reason(), false, 0, 0, reason);
        }
        try {
            catalog.runs().event(runId, eventPrefix(d.reason()) + (outcome.done() ? "_done" : "_failed"), null, outcome.toMap());
        } catch (RuntimeException e) {
            LOG.error("could not record the removal outcome of {}: {}", d.artifactId(), e.getMessage());
        }
        return outcome;
    }

    private static String eventPrefix(DeletionReason reason) {
        return reason == DeletionReason.PRUNE ? "prune" : "cleanup";
    }
}
