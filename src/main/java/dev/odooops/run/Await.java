package dev.odooops.run;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Waiting for work a step runs beside itself: its value, or its own failure rethrown as it was (not wrapped). */
public final class Await {
    private Await() {
    }

    public static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }
}
