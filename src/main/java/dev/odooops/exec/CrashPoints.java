package dev.odooops.exec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fault injection for the crash tests: when the environment variable {@code ODOO_OPS_CRASH_AT} names a point
 * this process reaches, the process sends itself SIGKILL there: no finally block, no shutdown hook, no
 * dead-letter channel runs, exactly as when an operator or the kernel kills it. Points are the route steps
 * ({@code before:<node id>}, see {@link CrashPointStrategy}) and named places inside the non-atomic sections
 * (the swaps, the deletion of kept-aside copies), and each catalog migration ({@code migrate:before:V<n>},
 * {@code migrate:after:V<n>}, see {@code ops.OpsDatabase}). Unset (always, outside tests), this does nothing.
 */
public final class CrashPoints {
    private static final Logger LOG = LoggerFactory.getLogger(CrashPoints.class);
    private static final String AT = System.getenv("ODOO_OPS_CRASH_AT");
    /** A point where a thread stops for good (tests: a worker that must not start a run before a crash point). */
    private static final String HOLD = System.getenv("ODOO_OPS_HOLD_AT");

    private CrashPoints() {
    }

    public static boolean armed() {
        return AT != null && !AT.isBlank();
    }

    public static void reached(String point) {
        if (HOLD != null && HOLD.equals(point)) {
            LOG.error("hold point {} reached: this thread waits until the process ends", point);
            while (true) java.util.concurrent.locks.LockSupport.park();
        }
        if (AT == null || !AT.equals(point)) return;
        LOG.error("crash point {} reached: killing this process (SIGKILL)", point);
        try {
            new ProcessBuilder("kill", "-KILL", String.valueOf(ProcessHandle.current().pid())).inheritIO().start().waitFor();
            Thread.sleep(60_000); // the signal arrives while we wait
        } catch (Exception e) {
            Runtime.getRuntime().halt(137);
        }
        Runtime.getRuntime().halt(137);
    }
}
