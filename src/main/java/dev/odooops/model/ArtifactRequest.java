package dev.odooops.model;

import dev.odooops.domain.RequestRejected;

/**
 * An operation on one artifact of the catalog, by id: verify it ({@code verify-artifact}). {@code readData}
 * (packed artifacts) reads the packs and checks every file's SHA-1 and size against the index, for
 * {@code samplePercent} of the packs (100: all; the packs are chosen at random); without it the packs are only
 * checked for presence and size.
 */
public record ArtifactRequest(String artifactId, boolean readData, int samplePercent, String user)
        implements AuthenticatedRequest {
    public ArtifactRequest {
        Fields.required("ID", artifactId);
        Fields.required("user", user);
        if (samplePercent < 1 || samplePercent > 100) {
            throw new RequestRejected("sample", "must be a whole percentage from 1 to 100, got " + samplePercent);
        }
        if (samplePercent < 100 && !readData) throw new RequestRejected("sample", "only with --read-data");
    }

    public ArtifactRequest(String artifactId, String user) {
        this(artifactId, false, 100, user);
    }
}
