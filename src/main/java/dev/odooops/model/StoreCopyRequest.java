package dev.odooops.model;

/**
 * store copy: the live artifacts (of one environment, or of every environment when {@code environment} is null) and
 * the packs they need, copied to the configured store named {@code to}, read back, and re-pointed there in the catalog.
 * {@code user} is who asks, for the record (the command line is trusted: whoever can read the configuration and its
 * secrets may read and write every store).
 */
public record StoreCopyRequest(String to, String project, String environment, String user) {
    public StoreCopyRequest {
        Fields.required("to", to);
        if (environment != null) Fields.environment(environment);
    }
}
