package dev.odooops.staging;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.model.PrEnvironment;
import dev.odooops.ops.CatalogSql;

import javax.sql.DataSource;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The catalog's record of the pull-request environments (ops.pr_environments, V20) and their rows in
 * ops.environments (type development). The row is the create's and the delete's journal: written {@code creating}
 * before anything is made, {@code ready} once everything is, {@code deleting} before anything is removed, and
 * deleted once everything is gone.
 */
public final class PrEnvironmentCatalog {
    private static final String COLUMNS = "project, pr, environment_id, database_name, filestore, env_file, source, artifact_id, "
            + "status, run_id, created_at";
    private final CatalogSql sql;

    public PrEnvironmentCatalog(DataSource dataSource) {
        this.sql = new CatalogSql(dataSource);
    }

    /**
     * The environment's row in ops.environments (type development), so that runs can refer to it; a row marked removed
     * by an earlier delete is live again.
     */
    public void registerEnvironment(EnvironmentConfig env) {
        sql.update("insert into ops.environments(id, project, name, type) values (?, ?, ?, 'development') "
                + "on conflict (id) do update set removed_at = null where ops.environments.removed_at is not null",
                env.id(), env.project(), env.name());
    }

    /**
     * The environment's row in ops.environments once the PR environment is gone: deleted when no run or artifact refers
     * to it, else marked removed (its history stays). Returns "deleted" or "marked_removed".
     */
    public String unregisterEnvironment(String environmentId) {
        try {
            int n = sql.update("delete from ops.environments e where e.id = ? and e.type = 'development' "
                    + "and not exists (select 1 from ops.runs r where r.environment_id = e.id) "
                    + "and not exists (select 1 from ops.artifacts a where a.environment_id = e.id)", environmentId);
            if (n == 1) return "deleted";
        } catch (IllegalStateException referenced) {
            // another table refers to it (a retention journal line): kept, marked below
        }
        sql.update("update ops.environments set removed_at = coalesce(removed_at, now()) where id = ?", environmentId);
        return "marked_removed";
    }

    public Optional<PrEnvironment> find(String project, int pr) {
        return sql.first("select " + COLUMNS + " from ops.pr_environments where project = ? and pr = ?", PrEnvironmentCatalog::row,
                project, pr);
    }

    /** Every PR environment (of {@code project}, or of all when null), oldest first. */
    public List<PrEnvironment> list(String project) {
        return project == null
                ? sql.query("select " + COLUMNS + " from ops.pr_environments order by created_at, project, pr", PrEnvironmentCatalog::row)
                : sql.query("select " + COLUMNS + " from ops.pr_environments where project = ? order by created_at, pr",
                PrEnvironmentCatalog::row, project);
    }

    /** Records a PR environment about to be made ({@code creating}); false when a row is there already. */
    public boolean beginCreate(PrEnvironment e) {
        return sql.update("insert into ops.pr_environments(" + COLUMNS + ") values (?, ?, ?, ?, ?, ?, ?, ?, 'creating', ?, now()) "
                        + "on conflict (project, pr) do nothing", e.project(), e.pr(), e.environmentId(), e.database(),
                e.filestore(), e.envFile(), e.source(), e.artifactId(), e.runId()) == 1;
    }

    public void status(String project, int pr, String status, UUID runId) {
        sql.update("update ops.pr_environments set status = ?, run_id = ? where project = ? and pr = ?", status, runId, project, pr);
    }

    public void artifact(String project, int pr, String artifactId) {
        sql.update("update ops.pr_environments set artifact_id = ? where project = ? and pr = ?", artifactId, project, pr);
    }

    public void remove(String project, int pr) {
        sql.update("delete from ops.pr_environments where project = ? and pr = ?", project, pr);
    }

    /** Whether run {@code runId} is still active (queued or running) in the catalog. */
    public boolean runActive(UUID runId) {
        return runId != null && sql.first("select 1 from ops.runs where run_id = ? and status in ('queued', 'running')",
                rs -> 1, runId).isPresent();
    }

    /** The newest live artifact of kind sanitized_snapshot of {@code environmentId}. */
    public Optional<String> newestSnapshot(String environmentId) {
        return sql.first("select id from ops.artifacts where environment_id = ? and kind = 'sanitized_snapshot' "
                + "and pruned_at is null order by created_at desc limit 1", rs -> rs.getString(1), environmentId);
    }

    /** Whether a live process holds run {@code runId}'s lease (its advisory lock). */
    public boolean runHeld(UUID runId) {
        if (runId == null) return false;
        return sql.inTransaction("checking the lease of run " + runId, tx -> !tx.first(
                "select pg_try_advisory_xact_lock(ops.run_lock_key(?))", rs -> rs.getBoolean(1), runId).orElse(false));
    }

    private static PrEnvironment row(ResultSet rs) throws SQLException {
        return new PrEnvironment(rs.getString("project"), rs.getInt("pr"), rs.getString("environment_id"),
                rs.getString("database_name"), rs.getString("filestore"), rs.getString("env_file"), rs.getString("source"),
                rs.getString("artifact_id"), rs.getString("status"), (UUID) rs.getObject("run_id"),
                rs.getTimestamp("created_at").toInstant());
    }
}
