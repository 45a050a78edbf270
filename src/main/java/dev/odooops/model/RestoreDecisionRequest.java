package dev.odooops.model;

import java.util.Locale;
import java.util.UUID;
import dev.odooops.domain.RequestRejected;

/**
 * {@code accept RUN} or {@code discard RUN}: the operator's decision on a restore that failed where nothing was live
 * before it (disaster recovery), whose restored copy was kept in maintenance instead of being deleted. Accept lifts
 * maintenance and keeps the copy; discard removes it (and puts back whatever part was kept aside). Permission
 * action: {@code restore}.
 */
public record RestoreDecisionRequest(UUID runId, Decision decision, String user, String trigger)
        implements AuthenticatedRequest {
    public enum Decision {
        ACCEPT, DISCARD;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The word the catalog records: accepted, discarded. */
        public String past() {
            return this == ACCEPT ? "accepted" : "discarded";
        }
    }

    public RestoreDecisionRequest {
        if (runId == null) throw new RequestRejected("run_id", "required");
        if (decision == null) throw new RequestRejected("decision", "accept or discard expected");
        Fields.required("user", user);
        if (trigger == null) trigger = "cli";
    }

    /** From untrusted text: the run id named by {@code field}. */
    public static RestoreDecisionRequest of(String field, String runId, Decision decision, String user, String trigger) {
        return new RestoreDecisionRequest(GetRunRequest.runId(field, runId), decision, user, trigger);
    }
}
