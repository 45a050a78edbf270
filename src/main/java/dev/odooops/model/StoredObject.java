package dev.odooops.model;

/** A file the project's packs hold: its path, the SHA-1 of its content, its size and its pack. */
public record StoredObject(String path, String sha1, long size, String packId) {
}
