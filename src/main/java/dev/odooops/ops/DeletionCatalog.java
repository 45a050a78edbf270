package dev.odooops.ops;

import dev.odooops.model.DeletionReason;
import dev.odooops.model.StoreDeletion;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The journal of removals of stored objects ({@code ops.store_deletions}): a removal is journaled before any object
 * is deleted, retried until done, and a prune's artifact is marked pruned in the statement that ends it.
 */
public final class DeletionCatalog {
    private final CatalogSql sql;

    public DeletionCatalog(CatalogSql sql) {
        this.sql = sql;
    }

    /**
     * Journals the removal of an artifact's objects before any is deleted; returns the journal row (the pending
     * one when the removal was already journaled).
     */
    public StoreDeletion planDeletion(String environmentId, String artifactId, String uri, DeletionReason reason, UUID runId) {
        return sql.query("insert into ops.store_deletions(environment_id, artifact_id, uri, reason, run_id) values (?, ?, ?, ?, ?) "
                        + "on conflict (artifact_id) where done_at is null do update set uri = ops.store_deletions.uri "
                        + "returning id, environment_id, artifact_id, uri, reason, attempts, last_error",
                DeletionCatalog::deletionRow, environmentId, artifactId, uri, reason.wire(), runId).get(0);
    }

    /**
     * Journals the prune of an artifact unless an active drill holds a lease on it (see {@link DrillCatalog}): the
     * artifact's row is locked ({@code for update}, the lock {@link DrillCatalog#begin} takes) and the lease checked
     * again in the same transaction, so a prune and a drill's start never both go ahead. Empty, with nothing
     * journaled, when the artifact is leased; the pending row when the prune was journaled already.
     */
    public Optional<StoreDeletion> planPrune(String environmentId, String artifactId, String uri, UUID runId) {
        return sql.inTransaction("journaling the prune of " + artifactId, tx -> {
            tx.first("select id from ops.artifacts where id = ? for update", rs -> rs.getString(1), artifactId);
            // a new statement, a new snapshot: it sees a drill that took its lease while we waited for the lock
            if (tx.first("select 1 from ops.drills d join ops.runs r on r.run_id = d.run_id where d.artifact_id = ? "
                    + "and d.status = 'running' and r.status in ('queued', 'running') limit 1", rs -> 1, artifactId).isPresent()) {
                tx.rollbackOnly();
                return Optional.<StoreDeletion>empty();
            }
            return Optional.of(tx.query("insert into ops.store_deletions(environment_id, artifact_id, uri, reason, run_id) "
                            + "values (?, ?, ?, ?, ?) on conflict (artifact_id) where done_at is null do update set uri = ops.store_deletions.uri "
                            + "returning id, environment_id, artifact_id, uri, reason, attempts, last_error",
                    DeletionCatalog::deletionRow, environmentId, artifactId, uri, DeletionReason.PRUNE.wire(), runId).get(0));
        });
    }

    /** Removals of the environment's stored objects that are journaled and not done, oldest first. */
    public List<StoreDeletion> pendingDeletions(String environmentId) {
        return sql.query("select id, environment_id, artifact_id, uri, reason, attempts, last_error from ops.store_deletions "
                + "where environment_id = ? and done_at is null order by id", DeletionCatalog::deletionRow, environmentId);
    }

    /** A removal attempt that failed: it stays pending, with the (redacted) reason. */
    public void deletionFailed(long id, String error) {
        sql.update("update ops.store_deletions set attempts = attempts + 1, last_attempt_at = now(), last_error = ? "
                + "where id = ? and done_at is null", error, id);
    }

    /** Every object is gone: the journal row is done and, for a prune, the artifact is pruned (one statement). */
    public void deletionDone(long id) {
        sql.update("with d as (update ops.store_deletions set done_at = now(), attempts = attempts + 1, last_attempt_at = now(), "
                + "last_error = null where id = ? and done_at is null returning artifact_id, reason) "
                + "update ops.artifacts a set pruned_at = now() from d where a.id = d.artifact_id and d.reason = 'prune' "
                + "and a.pruned_at is null", id);
    }

    private static StoreDeletion deletionRow(ResultSet rs) throws SQLException {
        return new StoreDeletion(rs.getLong("id"), rs.getString("environment_id"), rs.getString("artifact_id"),
                rs.getString("uri"), DeletionReason.parse(rs.getString("reason")), rs.getInt("attempts"),
                rs.getString("last_error"));
    }
}
