package dev.odooops.backup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * The packs of one backup written {@code writers} at a time ({@code backup.pack-writers}), each by its own tar and
 * zstd: one zstd per pack compresses with fewer threads than a machine has, and the packs together keep every core
 * busy. At most two packs per writer are planned and not yet written, so the files read ahead of tar stay few.
 * A failed pack fails the backup at the next pack submitted ({@link #submit}) or when its result is asked for.
 * Closing drops the packs not begun and waits for those being written (their tar and zstd write into the work
 * directory), so nothing of them runs once close has returned.
 */
final class PackWriters implements AutoCloseable {
    private final WorkerThreads workers;
    private final ExecutorService pool;
    private final Semaphore planned;
    private final List<Future<?>> submitted = new ArrayList<>();
    private volatile boolean closing;

    /**
     * True once closing began. A backup collects every pack's result before it closes the writers, so a pack that sees
     * this is one of a failed backup: its tar ended, but sealing and uploading it would only be undone.
     */
    boolean closing() {
        return closing;
    }

    /** The packs submitted whose end {@link #submit} has not seen yet. */
    private final List<Future<?>> unchecked = new java.util.LinkedList<>();

    PackWriters(int writers) {
        if (writers < 1) throw new IllegalArgumentException("writers must be at least 1, got " + writers);
        this.planned = new Semaphore(2 * writers);
        this.workers = new WorkerThreads("pack-writer", writers);
        this.pool = workers.pool();
    }

    /**
     * Writes a pack on a writer's thread; waits while two packs per writer are already waiting or being written.
     * Rethrows the failure of a pack submitted before, so that a failed backup stops planning packs.
     */
    <T> Future<T> submit(Callable<T> write) throws Exception {
        for (java.util.Iterator<Future<?>> it = unchecked.iterator(); it.hasNext(); ) {
            Future<?> f = it.next();
            if (!f.isDone()) continue;
            result(f); // throws its failure
            it.remove();
        }
        planned.acquire();
        Future<T> f;
        try {
            f = pool.submit(() -> {
                try {
                    return write.call();
                } finally {
                    planned.release();
                }
            });
        } catch (RuntimeException e) {
            planned.release();
            throw e;
        }
        submitted.add(f);
        unchecked.add(f);
        return f;
    }

    /** What a pack's writing returned: waits for it; its failure is rethrown as it was thrown. */
    static <T> T result(Future<T> f) throws Exception {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) throw x;
            if (e.getCause() instanceof Error x) throw x;
            throw e;
        }
    }

    @Override
    public void close() {
        closing = true; // a pack whose tar ends from now on is not sealed or uploaded (closing(): the backup failed)
        submitted.forEach(f -> f.cancel(false)); // not begun: dropped; those being written end with their tar
        workers.end();
    }
}
