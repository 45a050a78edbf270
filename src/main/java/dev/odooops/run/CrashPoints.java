package dev.odooops.run;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fault injection for the crash tests: when the environment variable {@code ODOO_OPS_CRASH_AT} names a point
 * this process reaches, the process sends itself SIGKILL there: no finally block, no shutdown hook, no
 * dead-letter channel runs, exactly as when an operator or the kernel kills it. Points are the route steps
 * ({@code before:<node id>}, see {@link CrashPointStrategy}) and named places inside the non-atomic sections
 * (the swaps, the deletion of kept-aside copies). Unset (always, outside tests), this does nothing.
 */
public final class CrashPoints {
    private static final Logger LOG = LoggerFactory.getLogger(CrashPoints.class);
    private static final String AT = System.getenv("ODOO_OPS_CRASH_AT");

    private CrashPoints() {
    }

    public static boolean armed() {
        return AT != null && !AT.isBlank();
    }

    public static void reached(String point) {
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
