package dev.odooops.ops;

import dev.odooops.domain.ArtifactManifest;
import dev.odooops.domain.Json;
import dev.odooops.model.Artifact;
import dev.odooops.model.ArtifactPage;
import dev.odooops.model.ArtifactSummary;
import dev.odooops.model.Fingerprinted;
import dev.odooops.model.PackRegistration;
import dev.odooops.model.PageCursor;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

import static dev.odooops.ops.RunCatalog.UTC_STAMP;

/**
 * Artifacts ({@code ops.artifacts}): their registration (with a packed artifact's packs, in one transaction), their
 * verification, pins and legal holds, and the lookups and lists of them. JSON columns are written from maps the
 * callers have already redacted.
 */
public final class ArtifactCatalog {
    private final CatalogSql sql;

    public ArtifactCatalog(CatalogSql sql) {
        this.sql = sql;
    }

    /**
     * Registers an uploaded artifact. {@code fingerprint} (the change fingerprints read before its dump) may be
     * null; {@code verified} records that the upload was read back and checked.
     */
    public void registerArtifact(String id, String environmentId, UUID runId, String kind, String backupType,
                                 String uri, Map<String, ?> checksums, Map<String, ?> sizes, ArtifactManifest manifest,
                                 String label, Instant createdAt, Map<String, ?> fingerprint, boolean verified) {
        registerArtifact(id, environmentId, runId, kind, backupType, uri, checksums, sizes, manifest, label, createdAt,
                fingerprint, verified, null);
    }

    /**
     * Registers an uploaded artifact, and for a packed one its packs, their objects and the packs it refers to, in
     * one transaction: an object is known to later backups only once an artifact referring to its pack exists.
     */
    public void registerArtifact(String id, String environmentId, UUID runId, String kind, String backupType,
                                 String uri, Map<String, ?> checksums, Map<String, ?> sizes, ArtifactManifest manifest,
                                 String label, Instant createdAt, Map<String, ?> fingerprint, boolean verified,
                                 PackRegistration packed) {
        sql.inTransaction("registering artifact " + id, tx -> {
            tx.update("insert into ops.artifacts(id, environment_id, run_id, "
                            + "kind, backup_type, uri, checksums, sizes, manifest, label, created_at, fingerprint, verified_at) "
                            + "values (?, ?, ?, ?, ?, ?, cast(? as jsonb), cast(? as jsonb), cast(? as jsonb), ?, ?, "
                            + "cast(? as jsonb), case when ? then now() end)",
                    id, environmentId, runId, kind, backupType, uri, Json.compact(checksums), Json.compact(sizes),
                    Json.compact(manifest), label, Timestamp.from(createdAt),
                    fingerprint == null ? null : Json.compact(fingerprint), verified);
            if (packed != null) PackCatalog.insertPacks(tx, id, packed);
            return null;
        });
    }

    /**
     * {@code odoo-ops rekey} wrote the artifact's encrypted objects again: its digests, sizes and manifest from now on, in
     * one statement, when it is still live at {@code uri} and no removal of it is pending (a prune planned meanwhile
     * deletes the folder; the caller sees false).
     */
    public boolean rekeyed(String id, String uri, Map<String, Object> checksums, Map<String, Object> sizes,
                           ArtifactManifest manifest) {
        return sql.update("update ops.artifacts a set checksums = cast(? as jsonb), sizes = cast(? as jsonb), "
                + "manifest = cast(? as jsonb) where a.id = ? and a.uri = ? and a.pruned_at is null and not exists "
                + "(select 1 from ops.store_deletions d where d.artifact_id = a.id and d.done_at is null)",
                Json.compact(checksums), Json.compact(sizes), Json.compact(manifest), id, uri) == 1;
    }

    /** verify-artifact found the artifact intact. */
    public void markVerified(String artifactId) {
        sql.update("update ops.artifacts set verified_at = now() where id = ?", artifactId);
    }

    /**
     * Removes a failed run's artifact row. The packs it registered stay (with the objects they hold): their content
     * is valid, another backup of the project may already count on it, and the next backup reuses it; `check`
     * finds packs no artifact references.
     */
    public void deleteArtifact(String id) {
        sql.update("delete from ops.artifact_packs where artifact_id = ?", id);
        sql.update("delete from ops.artifacts where id = ?", id);
    }

    public Optional<Artifact> artifact(String id) {
        return sql.first("select * from ops.artifacts where id = ?", ArtifactCatalog::artifactRow, id);
    }

    /** The live artifacts of a project's environments, oldest first. */
    public List<Artifact> liveArtifacts(String project) {
        return sql.query("select a.* from ops.artifacts a join ops.environments e on e.id = a.environment_id "
                + "where e.project = ? and a.pruned_at is null order by a.created_at", ArtifactCatalog::artifactRow, project);
    }

    /**
     * The environment's newest live, verified operator backup of {@code backupType}, with its fingerprints (null
     * for an artifact made before they were recorded).
     */
    public Optional<Fingerprinted> lastVerifiedBackup(String environmentId, String backupType) {
        return lastVerified(environmentId, backupType, "kind = 'backup'");
    }

    /**
     * The newest verified, unpruned artifact of the environment of this type, of either kind (a regular backup
     * or an earlier restore's safety backup): what a restore's safety backup may be when nothing changed since.
     */
    public Optional<Fingerprinted> lastVerifiedArtifact(String environmentId, String backupType) {
        return lastVerified(environmentId, backupType, "kind in ('backup', 'pre_restore')");
    }

    /** {@code kinds}: one of the two constant conditions above, never input. */
    @SuppressWarnings("unchecked")
    private Optional<Fingerprinted> lastVerified(String environmentId, String backupType, String kinds) {
        return sql.first("select id, created_at, fingerprint::text from ops.artifacts where environment_id = ? and backup_type = ? "
                        + "and " + kinds + " and pruned_at is null and verified_at is not null and not exists (select 1 "
                        + "from ops.store_deletions d where d.artifact_id = ops.artifacts.id and d.done_at is null) "
                        + "order by created_at desc limit 1",
                rs -> {
                    String f = rs.getString(3);
                    Map<String, Map<String, String>> fp = null;
                    if (f != null) {
                        fp = new LinkedHashMap<>();
                        for (Map.Entry<String, Object> e : Json.readMap(f).entrySet()) {
                            Map<String, String> part = new LinkedHashMap<>();
                            ((Map<String, Object>) e.getValue()).forEach((k, v) -> part.put(k, String.valueOf(v)));
                            fp.put(e.getKey(), part);
                        }
                    }
                    return new Fingerprinted(rs.getString(1), rs.getTimestamp(2).toInstant(), fp);
                }, environmentId, backupType);
    }

    /** Pins (with the hold's reason and end, both optional) or unpins (clearing them) an artifact. */
    public void setPinned(String id, boolean pinned, String reason, Instant until) {
        sql.update("update ops.artifacts set pinned = ?, pin_reason = ?, pinned_until = ? where id = ?", pinned,
                pinned ? reason : null, pinned && until != null ? Timestamp.from(until) : null, id);
    }

    /**
     * A page of an environment's artifacts, newest first, pruned ones only when asked: at most {@code limit}, those
     * after {@code after} in the order (created_at, id) descending (keyset, never an offset); {@code next_cursor}
     * when more follow.
     */
    public ArtifactPage artifactPage(String environmentId, boolean includePruned, int limit, PageCursor after) {
        List<Keyed> rows = rows(environmentId, includePruned, limit + 1, after);
        String next = null;
        if (rows.size() > limit) {
            Keyed last = rows.get(limit - 1);
            next = new PageCursor(PageCursor.ARTIFACTS, last.createdAt(), last.row().artifactId()).encode();
            rows = rows.subList(0, limit);
        }
        return new ArtifactPage(rows.stream().map(Keyed::row).toList(), next);
    }

    /** Every artifact of an environment, newest first, pruned ones only when asked, as JSON rows (list-artifacts'). */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> listArtifacts(String environmentId, boolean includePruned) {
        return rows(environmentId, includePruned, null, null).stream()
                .map(k -> (Map<String, Object>) Json.MAPPER.convertValue(k.row(), LinkedHashMap.class)).toList();
    }

    private record Keyed(ArtifactSummary row, Instant createdAt) {
    }

    private List<Keyed> rows(String environmentId, boolean includePruned, Integer limit, PageCursor after) {
        List<Object> args = new ArrayList<>(List.of(environmentId, includePruned));
        String where = "a.environment_id = ? and (? or a.pruned_at is null)";
        if (after != null) {
            where += " and (a.created_at, a.id) < (cast(? as timestamptz), ?)";
            args.add(after.createdAt().toString());
            args.add(after.id());
        }
        String page = "";
        if (limit != null) {
            page = " limit ?";
            args.add(limit);
        }
        return sql.query("select a.id, to_char(a.created_at at time zone 'UTC', " + UTC_STAMP + "), a.backup_type, a.kind, "
                + "a.label, a.pinned, a.uri, (select coalesce(sum(v::bigint), 0) from jsonb_each_text(a.sizes) as s(k, v)), "
                + "to_char(a.pruned_at at time zone 'UTC', " + UTC_STAMP + "), a.pin_reason, "
                + "to_char(a.pinned_until at time zone 'UTC', " + UTC_STAMP + "), a.created_at, a.last_drill_status, "
                + "to_char(a.last_drill_at at time zone 'UTC', " + UTC_STAMP + ") from ops.artifacts a "
                + "where " + where + " order by a.created_at desc, a.id desc" + page, rs -> new Keyed(
                new ArtifactSummary(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getBoolean(6), rs.getString(7), rs.getLong(8), rs.getString(9), rs.getString(10), rs.getString(11),
                        rs.getString(13), rs.getString(14)),
                rs.getObject(12, OffsetDateTime.class).toInstant()), args.toArray());
    }

    /** The newest live regular backup of an environment per backup type: type -> {artifact_id, created_at}. */
    public Map<String, Map<String, Object>> lastBackups(String environmentId) {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        sql.query("select distinct on (backup_type) backup_type, id, created_at from ops.artifacts where environment_id = ? "
                + "and kind = 'backup' and pruned_at is null order by backup_type, created_at desc", rs -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("artifact_id", rs.getString(2));
            m.put("created_at", rs.getTimestamp(3).toInstant().toString());
            out.put(rs.getString(1), m);
            return null;
        }, environmentId);
        return out;
    }

    /** Pinned, and its legal hold (if it has an end) not over: what keeps an artifact from retention. */
    private static boolean heldNow(ResultSet rs) throws SQLException {
        Timestamp until = rs.getTimestamp("pinned_until");
        return rs.getBoolean("pinned") && (until == null || until.toInstant().isAfter(Instant.now()));
    }

    private static Artifact artifactRow(ResultSet rs) throws SQLException {
        Timestamp pruned = rs.getTimestamp("pruned_at");
        return new Artifact(rs.getString("id"), rs.getString("environment_id"), (UUID) rs.getObject("run_id"),
                rs.getString("kind"), rs.getString("backup_type"), rs.getString("uri"),
                Json.readMap(rs.getString("checksums")), Json.readMap(rs.getString("sizes")),
                ArtifactManifest.parse(rs.getString("manifest")), rs.getString("label"), heldNow(rs),
                rs.getTimestamp("created_at").toInstant(), pruned == null ? null : pruned.toInstant());
    }
}
