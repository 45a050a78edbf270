package dev.odooops.model;

import java.util.UUID;

/**
 * A run recorded {@code queued} when a service channel accepted its request (see service.RunQueue), with the
 * lease this process holds on it. The operation's first step gives its job this run id and lease, and
 * create-run adopts the queued row instead of inserting a new one.
 */
public record QueuedRun(UUID runId, AutoCloseable lease) {
}
