package dev.odooops.run;

import dev.odooops.model.RunState;
import dev.odooops.ops.OpsCatalog;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.processor.DelegateAsyncProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;

/**
 * The one place where a run's steps are recorded: every node with an id in the run routes (the step names of
 * the route files) becomes the run's current step before it runs, so that a failure is reported in that step,
 * and, when it completed, a {@code step_completed} event with that name and the detail the step reported
 * ({@link RunState#stepDetail}). Steps never name themselves. The run is the exchange's backup or restore job.
 */
public final class StepJournal implements InterceptStrategy {
    private static final Logger LOG = LoggerFactory.getLogger(StepJournal.class);
    private final OpsCatalog catalog;
    private final Set<String> routes;

    /** @param routes the ids of the routes whose nodes are a run's steps (not the failure and rollback routes) */
    public StepJournal(OpsCatalog catalog, Set<String> routes) {
        this.catalog = catalog;
        this.routes = Set.copyOf(routes);
    }

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target,
                                                 Processor nextTarget) {
        if (!(definition instanceof ProcessorDefinition<?> node) || !node.hasCustomIdAssigned()) return target;
        // a choice or a stop routes the run; it does no work of its own to record as a step
        if (node instanceof org.apache.camel.model.ChoiceDefinition || node instanceof org.apache.camel.model.StopDefinition) {
            return target;
        }
        RouteDefinition route = ProcessorDefinitionHelper.getRoute(node);
        if (route == null || !routes.contains(route.getRouteId())) return target;
        String step = node.getId();
        return new DelegateAsyncProcessor(target) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                RunState run = run(exchange);
                if (run == null) return super.process(exchange, callback);
                run.step(step);
                run.takeStepDetail();
                return super.process(exchange, done -> {
                    if (exchange.getException() == null) completed(run, step);
                    callback.done(done);
                });
            }
        };
    }

    /** A step that completed is never failed for want of its event: the run's own records say how it ended. */
    private void completed(RunState run, String step) {
        try {
            catalog.runs().event(run.runId(), "step_completed", step, run.takeStepDetail());
        } catch (RuntimeException e) {
            LOG.warn("run {}: step {} completed but its event could not be recorded: {}", run.runId(), step, e.getMessage());
        }
    }

    private static RunState run(Exchange exchange) {
        Object job = exchange.getVariable(Vars.BACKUP_JOB);
        if (job == null) job = exchange.getVariable(Vars.RESTORE_JOB);
        if (job == null) job = exchange.getVariable(Vars.STAGING_JOB);
        return job instanceof RunState r ? r : null;
    }
}
