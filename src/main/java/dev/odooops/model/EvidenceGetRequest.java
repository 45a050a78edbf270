package dev.odooops.model;

import dev.odooops.domain.RequestRejected;

import java.nio.file.Path;
import java.util.UUID;

/**
 * evidence get RUN: a run's evidence, wherever evidence retention left it: still local (its directory is named), or
 * fetched from the store, its SHA-256 checked against the catalog's record, and unpacked into {@code out} (a
 * directory that must not exist yet). {@code user} needs backup or restore (read) on the run's project.
 */
public record EvidenceGetRequest(UUID runId, Path out, String user) implements AuthenticatedRequest {
    public EvidenceGetRequest {
        if (runId == null) throw new RequestRejected("RUN", "is required: a run id");
        if (out == null) throw new RequestRejected("out", "is required: a directory to unpack into");
        if (user == null || user.isBlank()) throw new RequestRejected("user", "is required");
    }

    /** {@code RUN} as typed: refused naming the field when it is not a run id. */
    public static UUID runId(String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new RequestRejected("RUN", "expected a run id (a UUID), got '" + value + "'");
        }
    }
}
