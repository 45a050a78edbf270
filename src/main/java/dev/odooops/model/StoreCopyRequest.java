package dev.odooops.model;

/**
 * store copy: the live artifacts (of one environment, or of every environment when {@code environment} is null) and
 * the packs they need, copied to the configured store named {@code to}, read back, and re-pointed there in the catalog.
 * {@code user} is who asks: it needs {@code backup} on every project whose artifacts are re-pointed (the command line
 * is trusted as whoever can read the configuration; {@code --user} names the user for audit and permissions).
 */
public record StoreCopyRequest(String to, String project, String environment, String user) implements AuthenticatedRequest {
    public StoreCopyRequest {
        Fields.required("to", to);
        if (environment != null) Fields.environment(environment);
    }
}
