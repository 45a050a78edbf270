package dev.odooops.staging;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.ExtraEnvironments;
import dev.odooops.config.PrEnvironmentsSettings;

import java.util.Optional;

/**
 * Where {@code P/pr-<N>} comes from (config.ExtraEnvironments' source): the project's {@code pr_environments}
 * template with {@code {pr}} = N. It exists while ops.pr_environments has its row (whatever the row's status: a
 * half-made one is found, so that recover and delete can clean it up); a create request (model.MakesEnvironment)
 * finds it whether it exists or not; its ops.environments row (type development) is registered once the request is
 * authorised (PrEnvironmentOperations: the admit route's admit-pr-environment for a queued request, the operation
 * itself otherwise), so that its run can refer to it.
 */
public final class PrEnvironments implements ExtraEnvironments.Source {
    private final PrEnvironmentsSettings settings;
    private final PrEnvironmentCatalog catalog;

    public PrEnvironments(PrEnvironmentsSettings settings, PrEnvironmentCatalog catalog) {
        this.settings = settings;
        this.catalog = catalog;
    }

    @Override
    public Optional<EnvironmentConfig> existing(String project, String name) {
        Integer pr = PrEnvironmentsSettings.number(name);
        if (pr == null) return Optional.empty();
        var template = settings.template(project);
        if (template.isEmpty() || catalog.find(project, pr).isEmpty()) return Optional.empty();
        return Optional.of(template.get().environment(pr));
    }

    @Override
    public Optional<EnvironmentConfig> creatable(String project, String name) {
        Integer pr = PrEnvironmentsSettings.number(name);
        if (pr == null) return Optional.empty();
        var template = settings.template(project);
        if (template.isEmpty()) return Optional.empty();
        return Optional.of(template.get().environment(pr));
    }

    public PrEnvironmentsSettings settings() {
        return settings;
    }
}
