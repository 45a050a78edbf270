package dev.odooops.model;

/** A pack a backup wrote, to register with its artifact (and a pack as the catalog knows it). */
public record NewPack(String packId, String uri, String sha256, long size, int files, long bytes, boolean compressed) {
}
