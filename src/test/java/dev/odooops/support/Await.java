package dev.odooops.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/** Waiting in the service tests: for a condition (polled, never a timed assertion) or a spawned serve to be ready. */
public final class Await {
    private Await() {
    }

    /** Polls {@code condition} every 100 ms for up to two minutes; fails naming {@code what}. */
    public static void until(String what, BooleanSupplier condition) throws InterruptedException {
        Instant until = Instant.now().plusSeconds(120);
        while (Instant.now().isBefore(until)) {
            if (condition.getAsBoolean()) return;
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    /** A spawned `odoo-ops serve` printed its ready line on stderr ({@code err}); fails if it ended first. */
    public static void serveReady(Process serve, Path err) throws Exception {
        until("serve to get ready", () -> {
            if (!serve.isAlive()) throw new AssertionError("serve ended: " + read(err));
            return read(err).contains("odoo-ops serve: ready");
        });
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
