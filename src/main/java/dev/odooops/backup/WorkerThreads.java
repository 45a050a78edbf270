package dev.odooops.backup;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A backup's background workers (pack writers, the pack sealer): daemon threads of one name, and an end that waits for
 * them all, whatever interrupts the caller meanwhile: their tools still write into the work directory, and nothing of
 * them may run once the step that owns them has returned.
 */
final class WorkerThreads {
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final ExecutorService pool;

    WorkerThreads(String name, int count) {
        this.pool = Executors.newFixedThreadPool(count, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            threads.add(t);
            return t;
        });
    }

    ExecutorService pool() {
        return pool;
    }

    /**
     * No new work; waits until the work begun has ended and every thread has exited (awaitTermination returns from
     * inside a worker's exit: its thread may still be alive for a moment). The caller's interrupt is kept for after.
     */
    void end() {
        pool.shutdown();
        boolean interrupted = false;
        while (true) {
            try {
                if (pool.awaitTermination(1, TimeUnit.MINUTES)) break;
            } catch (InterruptedException e) {
                interrupted = true; // a tool still writes into the work directory: wait for it all the same
            }
        }
        for (Thread t : threads) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
