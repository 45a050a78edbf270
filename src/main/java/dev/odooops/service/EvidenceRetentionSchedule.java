package dev.odooops.service;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.EvidenceSettings;
import dev.odooops.config.OpsConfig;
import dev.odooops.domain.RequestRejected;
import dev.odooops.model.EvidencePruneRequest;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Date;

/**
 * The evidence retention schedule (routes/service/evidence-retention.camel.yaml, serve only): each firing queues one
 * evidence_retention run per environment in {@link RunQueue}, as {@code evidence.retention-user} (default the built-in
 * scheduler), with the request id {@code evidence-retention:<fire time>}, so a firing taken over by another instance or
 * delivered twice starts no second run. A refused environment (busy, no permission) is logged and tried at the next firing.
 */
public final class EvidenceRetentionSchedule {
    private static final Logger LOG = LoggerFactory.getLogger(EvidenceRetentionSchedule.class);
    private final OpsConfig config;
    private final RunQueue queue;
    private final EvidenceSettings settings;

    public EvidenceRetentionSchedule(OpsConfig config, RunQueue queue, EvidenceSettings settings) {
        this.config = config;
        this.queue = queue;
        this.settings = settings;
    }

    public void fired(Exchange exchange) {
        Date scheduled = exchange.getMessage().getHeader("scheduledFireTime", Date.class);
        String fireTime = (scheduled == null ? new Date() : scheduled).toInstant().toString();
        for (EnvironmentConfig env : config.environments()) {
            String requestId = "evidence-retention:" + fireTime;
            try {
                RunQueue.Accepted a = queue.submit(new Submission(EvidencePruneRequest.OPERATION,
                        new EvidencePruneRequest(env.project(), env.name(), false, settings.user(), "schedule"), requestId));
                LOG.info("evidence retention fired for {} at {}: run {} {}", env.id(), fireTime, a.runId(),
                        a.duplicate() ? "(already fired)" : a.status());
            } catch (RequestRejected r) {
                LOG.warn("evidence retention of {} at {} skipped (the next firing tries again): {}", env.id(), fireTime, r.getMessage());
            }
        }
    }
}
