package dev.odooops.store;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Where artifact files live. An artifact is a folder {@code <project>/<env>/<artifact id>/} of files.
 * <p>Contract: {@code put} replaces an existing object whole (a reader never sees half a file) and is safe to
 * repeat; {@code delete} of a missing object succeeds; {@code size} is read back from the store, not from
 * the local file. Nothing here retries beyond the client's own transient-error policy: a failed call throws.
 */
public interface ArtifactStore {

    /**
     * Whether reaching an object waits on the network (S3): then more packs are fetched at a time than the cores'
     * share of the CPU work (restore.pack-fetch-parallelism). A local store's fetch is a hard link.
     */
    default boolean remote() {
        return true;
    }

    /** A human- and machine-readable address of the artifact folder (s3://bucket/key/ or file:///dir/). */
    String uri(String artifactPath);

    void put(String artifactPath, String name, Path file);

    /** Size of the stored object in bytes, or -1 when it does not exist. */
    long size(String artifactPath, String name);

    /** The stored object's bytes; the caller closes the stream. */
    InputStream open(String artifactPath, String name);

    void delete(String artifactPath, String name);

    /** Names of the objects in the artifact folder. */
    List<String> list(String artifactPath);

    /**
     * Aborts the uploads under the artifact folder that were started and never finished (an S3 multipart
     * upload whose process was killed keeps its parts, invisible to {@link #list}, until it is aborted; a local
     * store's half-copied {@code .<name>.part} file). Only for an artifact no live run is writing. Returns how
     * many were aborted; none is not an error.
     */
    default int abortIncompleteUploads(String artifactPath) {
        return abortIncompleteUploads(artifactPath, "");
    }

    /**
     * The same for the uploads under the folder whose object name starts with {@code namePrefix} only (the packs
     * one run uploaded to its project's {@code _packs}, which other runs share).
     */
    int abortIncompleteUploads(String artifactPath, String namePrefix);

    /** What {@link #removeAll} removed. */
    record Removal(int objects, int incompleteUploads) {
    }

    /**
     * Removes the whole artifact folder: aborts its incomplete uploads, deletes every object, then lists the
     * folder again and throws when anything is left. Safe to repeat (a folder already gone is removed).
     */
    default Removal removeAll(String artifactPath) {
        int aborted = abortIncompleteUploads(artifactPath);
        List<String> names = list(artifactPath);
        for (String name : names) delete(artifactPath, name);
        List<String> left = list(artifactPath);
        if (!left.isEmpty()) throw new StoreException("objects still in " + uri(artifactPath) + " after deleting them: " + left);
        return new Removal(names.size(), aborted);
    }

    /**
     * Uploads {@code file} and reads the stored object back: its size must be {@code size}, and with
     * {@code verifySha256} its SHA-256 must be {@code sha256}. Returns the SHA-256 read back, or null when not
     * re-read; throws naming the object when the store holds something else.
     */
    default String putAndReadBack(String artifactPath, String name, Path file, long size, String sha256,
                                  boolean verifySha256) {
        put(artifactPath, name, file);
        return readBack(artifactPath, name, size, sha256, verifySha256);
    }

    /** The read-back of {@link #putAndReadBack}, after the upload. */
    default String readBack(String artifactPath, String name, long size, String sha256, boolean verifySha256) {
        long stored = size(artifactPath, name);
        if (stored != size) {
            throw new IllegalStateException("store read-back: " + name + " is " + stored + " bytes in the store, " + size
                    + " locally");
        }
        if (!verifySha256) return null;
        String read;
        try (InputStream in = open(artifactPath, name)) {
            read = dev.odooops.domain.Checksums.sha256(in);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("store read-back of " + name + " failed", e);
        }
        if (!read.equals(sha256)) throw new IllegalStateException("store read-back: sha256 of " + name + " differs from the local file");
        return read;
    }

    /** Copies an object to a local file and returns the SHA-256 of the bytes written (one pass). */
    default String fetch(String artifactPath, String name, Path target) {
        try (InputStream in = open(artifactPath, name);
             java.io.OutputStream out = java.nio.file.Files.newOutputStream(target)) {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[256 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
                out.write(buf, 0, n);
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot fetch " + name + " of " + artifactPath, e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String artifactPath(String project, String environment, String artifactId) {
        return project + "/" + environment + "/" + artifactId;
    }

    /** The folder of a project's packs (packed filestore): beside its environments' folders, a name no environment has. */
    String PACKS = "_packs";

    static String packsPath(String project) {
        return project + "/" + PACKS;
    }
}
