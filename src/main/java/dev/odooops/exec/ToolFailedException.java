package dev.odooops.exec;

/** An external tool exited non-zero or timed out. The message carries a redacted tail of its stderr. */
public class ToolFailedException extends RuntimeException {
    private final String tool;
    private final int exitCode;

    public ToolFailedException(String tool, int exitCode, String message) {
        super(message);
        this.tool = tool;
        this.exitCode = exitCode;
    }

    public String tool() {
        return tool;
    }

    public int exitCode() {
        return exitCode;
    }
}
