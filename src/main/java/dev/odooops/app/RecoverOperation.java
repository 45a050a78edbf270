package dev.odooops.app;

import dev.odooops.run.RecoverEnvironment;

import dev.odooops.model.RecoverRequest;
import dev.odooops.model.Report;

/** recover: the resolved request's environment put in order now (see {@link RecoverEnvironment}). */
public final class RecoverOperation {
    private final EnvironmentLookup environments;
    private final RecoverEnvironment recover;

    public RecoverOperation(EnvironmentLookup environments, RecoverEnvironment recover) {
        this.environments = environments;
        this.recover = recover;
    }

    public Report recover(RecoverRequest request) {
        return new Report(true, recover.recover(environments.environment(request), request.user()));
    }
}
