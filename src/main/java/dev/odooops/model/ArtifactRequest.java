package dev.odooops.model;

/** An operation on one artifact of the catalog, by id: verify it ({@code verify-artifact}). */
public record ArtifactRequest(String artifactId) {
    public ArtifactRequest {
        Fields.required("ID", artifactId);
    }
}
