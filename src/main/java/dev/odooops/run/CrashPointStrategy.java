package dev.odooops.run;

import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.processor.DelegateAsyncProcessor;
import dev.odooops.exec.CrashPoints;

/**
 * Makes every route step a crash point {@code before:<node id>} (see {@link CrashPoints}). Installed only
 * when a crash point is armed.
 */
public final class CrashPointStrategy implements InterceptStrategy {
    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target,
                                                 Processor nextTarget) {
        String point = "before:" + definition.getId();
        return new DelegateAsyncProcessor(target) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                CrashPoints.reached(point);
                return super.process(exchange, callback);
            }
        };
    }
}
