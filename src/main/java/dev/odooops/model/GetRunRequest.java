package dev.odooops.model;

import java.util.UUID;
import dev.odooops.domain.RequestRejected;

/** One run of the catalog by id: its status, the steps it completed, its failure and its evidence files. */
public record GetRunRequest(UUID runId, String user) implements AuthenticatedRequest {
    public GetRunRequest {
        Fields.required("user", user);
    }

    public static GetRunRequest parse(String field, String value, String user) {
        return new GetRunRequest(runId(field, value), user);
    }

    /** A run id from untrusted text, refused naming {@code field}. */
    public static UUID runId(String field, String value) {
        Fields.required(field, value);
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw new RequestRejected(field, "expected a run id (a UUID), got '" + value + "'");
        }
    }
}
