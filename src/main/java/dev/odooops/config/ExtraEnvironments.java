package dev.odooops.config;

import java.util.Optional;

/**
 * Environments that are not written in the environments file but made from a template of it at run time (the
 * pull-request environments {@code P/pr-<N>}, see {@link PrEnvironmentsSettings}): {@link OpsConfig#environment}
 * finds them here once the file's own environments did not match. The source is set once at start, when the catalog
 * that records which exist is open (staging.PrEnvironments); until then, and without it, there are none.
 */
public final class ExtraEnvironments {
    /** Where the made environments come from. */
    public interface Source {
        /** The environment {@code name} of {@code project} when it exists now (its catalog row). */
        Optional<EnvironmentConfig> existing(String project, String name);

        /**
         * The environment {@code name} of {@code project} a request is about to make (pr-env create): its configuration
         * from the template whether it exists or not (nothing is written: the operation registers it once authorised).
         */
        Optional<EnvironmentConfig> creatable(String project, String name);
    }

    private volatile Source source;

    public void use(Source source) {
        this.source = source;
    }

    Optional<EnvironmentConfig> existing(String project, String name) {
        Source s = source;
        return s == null ? Optional.empty() : s.existing(project, name);
    }

    Optional<EnvironmentConfig> creatable(String project, String name) {
        Source s = source;
        return s == null ? Optional.empty() : s.creatable(project, name);
    }
}
