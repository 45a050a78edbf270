package dev.odooops.ops;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Where the catalog says an artifact and a pack are: their recorded URIs, and the move of one to another store
 * ({@code store copy}). A move re-points one row in one statement, only from the URI the copier read (a row that
 * changed meanwhile is left as it is: the caller sees false): the catalog names a store holding a complete copy
 * before and after, never a half-copied one.
 */
public final class StoreLocations {
    private final DataSource dataSource;

    public StoreLocations(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * The artifact is in {@code to} from now on, when it is still live, still at {@code from} and no removal of it is
     * pending (a prune planned with the old URI deletes it there; the copy would be left behind).
     */
    public boolean moveArtifact(String artifactId, String from, String to) {
        return update("update ops.artifacts a set uri = ? where a.id = ? and a.uri = ? and a.pruned_at is null and not exists "
                + "(select 1 from ops.store_deletions d where d.artifact_id = a.id and d.done_at is null)", to, artifactId, from) == 1;
    }

    /** The pack is in {@code to} from now on, when it is still live (not being collected) and still at {@code from}. */
    public boolean movePack(String project, String packId, String from, String to) {
        return update("update ops.filestore_packs set uri = ? where project = ? and pack_id = ? and uri = ? "
                + "and deleted_at is null and pending_since is null", to, project, packId, from) == 1;
    }

    private int update(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("ops catalog update failed: " + e.getMessage(), e);
        }
    }
}
