package dev.odooops.run;

import dev.odooops.model.RunState;
import dev.odooops.exec.WorkFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The end of any run, whatever its outcome: the lease is released and the work directory removed. Never throws. */
public final class RunEnd {
    private static final Logger LOG = LoggerFactory.getLogger(RunEnd.class);

    private RunEnd() {
    }

    public static void release(RunState run) {
        try {
            if (run.lease() != null) run.lease().close();
        } catch (Exception e) {
            LOG.warn("releasing the lease of run {} failed: {}", run.runId(), e.getMessage());
        }
        WorkFiles.deleteTree(run.workDir());
    }

    /**
     * The failure's message (its type when it has none, never "null") and, when it adds something, its cause's:
     * "cannot write evidence ...: No space left on device".
     */
    public static String describe(Throwable t) {
        if (t == null) return "unknown error";
        String msg = t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName() : t.getMessage();
        Throwable c = t.getCause();
        if (c != null && c != t && c.getMessage() != null && !msg.contains(c.getMessage())) msg += ": " + c.getMessage();
        return msg;
    }
}
