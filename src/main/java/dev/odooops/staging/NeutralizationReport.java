package dev.odooops.staging;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.OpsConfig;
import dev.odooops.model.CheckNeutralizationRequest;
import dev.odooops.model.Report;
import dev.odooops.odoo.NeutralizationCheck;

import java.util.Optional;

/**
 * check-neutralization's step: the {@link NeutralizationCheck} of the environment against its project's production
 * environment (the first one of type {@code production}; none: nothing to compare secrets, uuid and URL with).
 * Report body: the check's detail ({@code environment_id, ok, compared_with, problems, checks, absent_tables}).
 */
public final class NeutralizationReport {
    private final OpsConfig config;
    private final NeutralizationCheck check;

    public NeutralizationReport(OpsConfig config, NeutralizationCheck check) {
        this.config = config;
        this.check = check;
    }

    public Report check(CheckNeutralizationRequest request) {
        EnvironmentConfig target = config.environment(request.project(), request.environment()).orElseThrow();
        NeutralizationCheck.Result r = check.check(target, productionOf(config, target.project()).orElse(null));
        return new Report(r.ok(), r.detail());
    }

    /** The project's production environment, if it has one. */
    public static Optional<EnvironmentConfig> productionOf(OpsConfig config, String project) {
        return config.environments().stream().filter(e -> e.project().equals(project) && e.isProduction()).findFirst();
    }
}
