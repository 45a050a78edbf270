package dev.odooops.ops;

import dev.odooops.domain.Json;

import javax.sql.DataSource;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The catalog's side of evidence retention: the runs of an environment that have an evidence directory, with the
 * artifact each made, and where each run's evidence went. The record lives in the run's own row
 * ({@code ops.runs.metadata.evidence_archive}: uri, object, sha256, bytes, archived_at, archived_by; deleted_at once
 * the stored copy is deleted), so a run's evidence is found by its id with no other table.
 */
public final class EvidenceCatalog {
    /** A run with evidence. {@code archive}: its metadata's evidence_archive (JSON), or null. */
    public record EvidenceRun(UUID runId, String operation, String status, Instant createdAt, Instant finishedAt,
                              String evidenceDir, String artifactId, Instant artifactPrunedAt, Map<String, Object> archive) {
    }

    private final CatalogSql sql;

    public EvidenceCatalog(DataSource dataSource) {
        this.sql = new CatalogSql(dataSource);
    }

    /** Every run of the environment with an evidence directory recorded, but {@code except} (the retention run itself). */
    public List<EvidenceRun> runs(String environmentId, UUID except) {
        return sql.query("select r.run_id, r.operation_type, r.status, r.created_at, r.finished_at, r.evidence_dir, a.id, a.pruned_at, "
                        + "r.metadata -> 'evidence_archive' from ops.runs r left join lateral (select id, pruned_at from ops.artifacts "
                        + "where run_id = r.run_id order by created_at desc limit 1) a on true "
                        + "where r.environment_id = ? and r.evidence_dir is not null and r.run_id is distinct from cast(? as uuid) "
                        + "order by r.created_at",
                rs -> new EvidenceRun(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), instant(rs.getTimestamp(4)),
                        instant(rs.getTimestamp(5)), rs.getString(6), rs.getString(7), instant(rs.getTimestamp(8)),
                        rs.getString(9) == null ? null : Json.readMap(rs.getString(9))),
                environmentId, except);
    }

    /** Records where the run's evidence went (replacing an earlier record). */
    public void archived(UUID runId, Map<String, Object> archive) {
        sql.update("update ops.runs set metadata = metadata || jsonb_build_object('evidence_archive', cast(? as jsonb)) "
                + "where run_id = ?", Json.compact(archive), runId);
    }

    /** Marks the run's stored evidence deleted ({@code evidence_archive.deleted_at}) or, with no record, the local one. */
    public void deleted(UUID runId, Instant at) {
        sql.update("update ops.runs set metadata = jsonb_set(metadata, '{evidence_archive}', coalesce(metadata -> "
                + "'evidence_archive', '{}'::jsonb) || jsonb_build_object('deleted_at', cast(? as text))) where run_id = ?",
                at.toString(), runId);
    }

    /** The record of a run's evidence, when it was archived: its environment id and the evidence_archive object. */
    public Optional<Map<String, Object>> archiveOf(UUID runId) {
        return sql.first("select environment_id, metadata -> 'evidence_archive' from ops.runs where run_id = ? "
                        + "and metadata -> 'evidence_archive' is not null",
                rs -> {
                    Map<String, Object> m = new java.util.LinkedHashMap<>(Json.readMap(rs.getString(2)));
                    m.put("environment_id", rs.getString(1));
                    return m;
                }, runId);
    }

    /** The evidence directory the catalog records for a run (null when it has none), empty when the run is unknown. */
    public Optional<String> evidenceDirOf(UUID runId) {
        return sql.first("select coalesce(evidence_dir, '') from ops.runs where run_id = ?", rs -> rs.getString(1), runId)
                .filter(d -> !d.isEmpty());
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
