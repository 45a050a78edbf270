package dev.odooops.model;

import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The uploads of a packed backup's new packs started while its filestore half still writes the next ones
 * (backup.UploadPacks#start), by pack file name: one after the other, in the order started, each completing with what
 * it stored ({@code [size, sha256]}). {@link #stop} is a failed run's: the uploads not begun are dropped and it returns
 * once none runs any more, so the failure path removes everything they stored.
 */
public final class PackUploads {
    private final Map<String, CompletableFuture<String[]>> started = new ConcurrentHashMap<>();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private CompletableFuture<?> last = CompletableFuture.completedFuture(null);

    /** Chains {@code upload} of {@code name} after the uploads already started, on {@code executor}. */
    public synchronized CompletableFuture<String[]> start(String name, Supplier<String[]> upload, Executor executor) {
        CompletableFuture<String[]> f = last.handle((r, t) -> null).thenApplyAsync(x -> {
            if (stopped.get()) throw new CancellationException("the run stopped its uploads");
            return upload.get();
        }, executor);
        last = f;
        started.put(name, f);
        return f;
    }

    /** The upload started for {@code name}, or null. */
    public CompletableFuture<String[]> of(String name) {
        return started.get(name);
    }

    /** Drops the uploads not begun and waits until the one running (if any) has ended, whatever it ends with. */
    public void stop() {
        stopped.set(true);
        CompletableFuture<?> end;
        synchronized (this) {
            end = last;
        }
        // each upload starts only after the one before it has ended: the last one's end is the end of all
        end.handle((r, t) -> null).join();
    }
}
