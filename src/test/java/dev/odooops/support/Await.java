package dev.odooops.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * Waiting in the tests: for a condition (polled with a deadline, never a timed assertion) or a spawned serve to be
 * ready. This is the only place where a test waits by pausing a thread ({@code grep -rn "Thread.sleep" src/test}; the
 * other hit is {@link StoreFaults}' slow store, a fault and not a wait): between two polls of a condition that has no
 * event to wait on (a catalog row another process writes, a child process appearing, a line in another process's log).
 */
public final class Await {
    /** How long a wait lasts at most unless the caller says otherwise. */
    public static final Duration DEFAULT = Duration.ofSeconds(120);
    private static final Duration EVERY = Duration.ofMillis(100);

    private Await() {
    }

    /** A condition that may throw (a catalog query, a file read): an exception fails the wait at once. */
    @FunctionalInterface
    public interface Check {
        boolean holds() throws Exception;
    }

    /** What a wait returns once it is there; null while it is not. */
    @FunctionalInterface
    public interface Probe<T> {
        T get() throws Exception;
    }

    /** Polls {@code condition} every 100 ms for up to two minutes; fails naming {@code what}. */
    public static void until(String what, BooleanSupplier condition) throws InterruptedException {
        try {
            until(what, DEFAULT, condition::getAsBoolean);
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e); // a BooleanSupplier throws nothing checked
        }
    }

    /** Polls {@code condition} every 100 ms for up to {@code within}; fails naming {@code what}. */
    public static void until(String what, Duration within, Check condition) throws Exception {
        value(what, within, EVERY, () -> condition.holds() ? Boolean.TRUE : null);
    }

    /** Polls {@code probe} every 100 ms for up to {@code within} until it answers non-null, and returns that. */
    public static <T> T value(String what, Duration within, Probe<T> probe) throws Exception {
        return value(what, within, EVERY, probe);
    }

    /** As {@link #value(String, Duration, Probe)}, polling every {@code every} (a race a test must win). */
    public static <T> T value(String what, Duration within, Duration every, Probe<T> probe) throws Exception {
        T v = poll(within, every, probe);
        if (v == null) throw new AssertionError("timed out after " + within.toSeconds() + " s waiting for " + what);
        return v;
    }

    /**
     * Polls {@code condition} every 100 ms for up to {@code within}: true once it holds, false when the time is up. For
     * a caller that asserts after it with a message of its own (the state it found).
     */
    public static boolean polled(Duration within, Check condition) throws Exception {
        return poll(within, EVERY, () -> condition.holds() ? Boolean.TRUE : null) != null;
    }

    /** Polls {@code probe} every 100 ms for up to {@code within}: its first non-null answer, or null when the time is up. */
    public static <T> T poll(Duration within, Probe<T> probe) throws Exception {
        return poll(within, EVERY, probe);
    }

    private static <T> T poll(Duration within, Duration every, Probe<T> probe) throws Exception {
        Instant deadline = Instant.now().plus(within);
        while (true) {
            T v = probe.get();
            if (v != null || !Instant.now().isBefore(deadline)) return v;
            Thread.sleep(every.toMillis()); // between two polls: the one pause of the test code
        }
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
