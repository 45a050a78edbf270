package dev.odooops.backup;

import dev.odooops.config.EncryptionSettings.Encryption;
import dev.odooops.domain.Checksums;
import dev.odooops.store.ArtifactCipher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The stored form of each new pack of a packed filestore, as soon as tar has written it: with the project's
 * {@code encryption}, the pack is encrypted in place with age on a thread of its own (so age and the hash of its
 * output run while tar writes the next pack, and the whole filestore half runs beside pg_dump); without, its plain
 * SHA-256, also on that thread. Either way only the stored bytes are hashed, once.
 * <p>
 * {@link #close} (always, in a finally) drops what has not started and waits for the pack being encrypted, so
 * a failed archive never leaves age writing into a work directory the failure path removes; the packs stay in the
 * work directory, registered by nobody (upload-artifact registers them), so a killed run leaves no pack registered.
 */
final class PackSealer implements AutoCloseable {
    private final ArtifactCipher cipher;
    private final Encryption encryption;
    private final ExecutorService worker;
    /** Its thread, joined by {@link #close}. */
    private final WorkerThreads workers;
    private final List<Future<ArtifactCipher.Sealed>> pending = new ArrayList<>();
    private final AtomicLong encryptNanos = new AtomicLong();
    private long waitNanos;

    /** @param encryption null: plain text, each pack only hashed (on the sealer's thread) */
    PackSealer(ArtifactCipher cipher, Encryption encryption) {
        this.cipher = cipher;
        this.encryption = encryption;
        this.workers = new WorkerThreads("pack-sealer", 1);
        this.worker = workers.pool();
    }

    boolean encrypts() {
        return encryption != null;
    }

    /**
     * The pack at {@code file} is complete: its stored form is made in the background (plain text: hashed while tar
     * writes the next pack, unless {@code plainSha256} already says its SHA-256; encrypted: age and the hash of its
     * output).
     */
    synchronized Future<ArtifactCipher.Sealed> seal(Path file, String plainSha256) throws IOException {
        if (encryption == null && plainSha256 != null) {
            long size = Files.size(file); // hashed as it was written: nothing to read again
            return java.util.concurrent.CompletableFuture.completedFuture(new ArtifactCipher.Sealed(plainSha256, size, size));
        }
        if (encryption == null) {
            Future<ArtifactCipher.Sealed> f = worker.submit(() -> {
                long size = Files.size(file);
                return new ArtifactCipher.Sealed(Checksums.sha256(file), size, size);
            });
            pending.add(f);
            return f;
        }
        Future<ArtifactCipher.Sealed> f = worker.submit(() -> {
            long t = System.nanoTime();
            try {
                return cipher.seal(encryption, file);
            } finally {
                encryptNanos.addAndGet(System.nanoTime() - t);
            }
        });
        pending.add(f);
        return f;
    }

    /** The stored form of a pack {@link #seal} was given: waits for it; its failure is rethrown as it was. */
    ArtifactCipher.Sealed get(Future<ArtifactCipher.Sealed> sealed) {
        long t = System.nanoTime();
        try {
            return sealed.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while packs were being encrypted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new UncheckedIOException(new IOException(e.getCause()));
        } catch (CancellationException e) {
            throw new IllegalStateException("a pack's encryption was cancelled", e);
        } finally {
            waitNanos += System.nanoTime() - t;
        }
    }

    /** Time age and the hash of its output took, in all (overlapping tar and pg_dump). */
    long encryptMillis() {
        return encryptNanos.get() / 1_000_000;
    }

    /** Time the filestore half waited for encryption (what it added to the half, beyond the overlap). */
    long waitMillis() {
        return waitNanos / 1_000_000;
    }

    @Override
    public void close() {
        List<Future<ArtifactCipher.Sealed>> pending;
        synchronized (this) {
            pending = List.copyOf(this.pending);
        }
        pending.forEach(f -> f.cancel(false)); // not started: dropped; the one running ends with its age
        workers.end();
    }
}
