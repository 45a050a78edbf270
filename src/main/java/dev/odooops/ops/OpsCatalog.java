package dev.odooops.ops;

import dev.odooops.model.RunStatus;
import dev.odooops.domain.ArtifactManifest;
import dev.odooops.domain.Json;
import dev.odooops.domain.RetentionPlanner;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The durable record of runs, their events and artifacts. Every statement binds its parameters; JSON
 * columns are written from maps the callers have already redacted.
 */
public class OpsCatalog {
    private final DataSource dataSource;

    public OpsCatalog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** An artifact row as the restore and verify sides read it. */
    public record Artifact(String id, String environmentId, UUID runId, String kind, String backupType, String uri,
                           Map<String, Object> checksums, Map<String, Object> sizes, ArtifactManifest manifest,
                           String label, boolean pinned, Instant createdAt, Instant prunedAt) {
        // pinned: held now; a pin whose legal hold has ended (pinned_until passed) is not
        /** module -> version as the backup recorded them (the manifest's manifest.modules_installed), or null. */
        public Map<String, String> modulesInstalled() {
            return manifest == null ? null : manifest.modulesInstalled();
        }
    }

    /** A child run under an active parent's lease (the parent's lock and heartbeat cover it). */
    public void beginChildRun(UUID runId, UUID parent, String operation, String user, Map<String, ?> metadata) {
        query("select ops.begin_child_run(?, ?, ?, ?, cast(? as jsonb))", rs -> rs.getObject(1), runId, parent, operation,
                user, Json.compact(metadata));
    }

    public void runStarted(UUID runId, String evidenceDir) {
        update("update ops.runs set status = 'running', started_at = now(), heartbeat = now(), evidence_dir = ? "
                + "where run_id = ?", evidenceDir, runId);
        event(runId, "run_started", null, Map.of("evidence_dir", evidenceDir));
    }

    public void event(UUID runId, String type, String step, Map<String, ?> payload) {
        update("insert into ops.run_events(run_id, event_type, step, payload) values (?, ?, ?, cast(? as jsonb))",
                runId, type, step, Json.compact(payload == null ? Map.of() : payload));
    }

    /** Final status; merges {@code metadata} into the run's metadata. Only an active run changes. */
    public boolean finishRun(UUID runId, RunStatus status, String failedStep, String reason,
                             Map<String, ?> metadata) {
        if (status.active()) throw new IllegalArgumentException("a run ends in a final status, not " + status.wire());
        return update("update ops.runs set status = ?, finished_at = now(), failed_step = ?, failure_reason = ?, "
                        + "metadata = metadata || cast(? as jsonb) where run_id = ? and status in ('queued', 'running')",
                status.wire(), failedStep, reason, Json.compact(metadata), runId) == 1;
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

    /** What a packed artifact adds to its registration: the packs it wrote, their objects, the packs it refers to. */
    public record PackRegistration(String project, List<NewPack> packs, List<StoredObject> objects,
                                   java.util.Collection<String> referenced) {
    }

    /**
     * Registers an uploaded artifact, and for a packed one its packs, their objects and the packs it refers to, in
     * one transaction: an object is known to later backups only once an artifact referring to its pack exists.
     */
    public void registerArtifact(String id, String environmentId, UUID runId, String kind, String backupType,
                                 String uri, Map<String, ?> checksums, Map<String, ?> sizes, ArtifactManifest manifest,
                                 String label, Instant createdAt, Map<String, ?> fingerprint, boolean verified,
                                 PackRegistration packed) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = bind(c.prepareStatement("insert into ops.artifacts(id, environment_id, run_id, "
                                + "kind, backup_type, uri, checksums, sizes, manifest, label, created_at, fingerprint, verified_at) "
                                + "values (?, ?, ?, ?, ?, ?, cast(? as jsonb), cast(? as jsonb), cast(? as jsonb), ?, ?, "
                                + "cast(? as jsonb), case when ? then now() end)"),
                        id, environmentId, runId, kind, backupType, uri, Json.compact(checksums), Json.compact(sizes),
                        Json.compact(manifest), label, Timestamp.from(createdAt),
                        fingerprint == null ? null : Json.compact(fingerprint), verified)) {
                    ps.executeUpdate();
                }
                if (packed != null) insertPacks(c, id, packed);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("registering artifact " + id + " failed: " + e.getMessage(), e);
        }
    }

    private static void insertPacks(Connection c, String artifactId, PackRegistration r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into ops.filestore_packs(project, pack_id, uri, sha256, "
                + "size, files, bytes, compressed) values (?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (NewPack p : r.packs()) {
                bind(ps, r.project(), p.packId(), p.uri(), p.sha256(), p.size(), p.files(), p.bytes(), p.compressed());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        // a backup stores a known object again only when its pack is missing or in a previous store: it is found in
        // the new pack from now on (the old pack still serves the artifacts whose indexes name it)
        try (PreparedStatement ps = c.prepareStatement("insert into ops.filestore_objects(project, path, sha1, size, "
                + "pack_id) values (?, ?, ?, ?, ?) on conflict (project, path, sha1) do update set pack_id = excluded.pack_id, "
                + "size = excluded.size")) {
            for (StoredObject o : r.objects()) {
                bind(ps, r.project(), o.path(), o.sha1(), o.size(), o.packId());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        // the row lock the collector takes too: a pack it marked deleted cannot be referred to any more
        try (PreparedStatement ps = c.prepareStatement("update ops.filestore_packs set referenced_at = now() "
                + "where project = ? and pack_id = any(?) and deleted_at is null")) {
            ps.setString(1, r.project());
            ps.setArray(2, c.createArrayOf("text", r.referenced().toArray()));
            int live = ps.executeUpdate();
            if (live != r.referenced().size()) {
                throw new SQLException("a pack this artifact refers to was collected meanwhile (" + live + " of "
                        + r.referenced().size() + " live); the next backup stores those files again");
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "insert into ops.artifact_packs(artifact_id, project, pack_id) values (?, ?, ?)")) {
            for (String pack : r.referenced()) {
                bind(ps, artifactId, r.project(), pack);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** verify-artifact found the artifact intact. */
    public void markVerified(String artifactId) {
        update("update ops.artifacts set verified_at = now() where id = ?", artifactId);
    }

    /** A verified artifact's change fingerprints, for the skip-if-unchanged check. */
    public record Fingerprinted(String artifactId, Instant createdAt, Map<String, Map<String, String>> fingerprint) {
    }

    /**
     * The environment's newest live, verified operator backup of {@code backupType}, with its fingerprints (null
     * for an artifact made before they were recorded).
     */
    @SuppressWarnings("unchecked")
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
        return query("select id, created_at, fingerprint::text from ops.artifacts where environment_id = ? and backup_type = ? "
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
                }, environmentId, backupType).stream().findFirst();
    }

    /**
     * Removes a failed run's artifact row. The packs it registered stay (with the objects they hold): their content
     * is valid, another backup of the project may already count on it, and the next backup reuses it; `check`
     * finds packs no artifact references.
     */
    public void deleteArtifact(String id) {
        update("delete from ops.artifact_packs where artifact_id = ?", id);
        update("delete from ops.artifacts where id = ?", id);
    }

    /** A file the project's packs hold: its path, the SHA-1 of its content, its size and its pack. */
    public record StoredObject(String path, String sha1, long size, String packId) {
    }

    /** A pack a backup wrote, to register with its artifact. */
    public record NewPack(String packId, String uri, String sha256, long size, int files, long bytes, boolean compressed) {
    }

    /**
     * The objects the project's live packs hold under these paths (several per path when its content changed),
     * read in batches.
     */
    public Map<String, List<StoredObject>> storedObjects(String project, java.util.Collection<String> paths) {
        Map<String, List<StoredObject>> out = new java.util.HashMap<>();
        List<String> all = new ArrayList<>(paths);
        for (int i = 0; i < all.size(); i += 5000) {
            String[] batch = all.subList(i, Math.min(all.size(), i + 5000)).toArray(String[]::new);
            query("select o.path, o.sha1, o.size, o.pack_id from ops.filestore_objects o join ops.filestore_packs p "
                            + "on p.project = o.project and p.pack_id = o.pack_id where o.project = ? and p.deleted_at is null "
                            + "and o.path = any(?)",
                    rs -> out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new StoredObject(rs.getString(1),
                            rs.getString(2), rs.getLong(3), rs.getString(4))), project, batch);
        }
        return out;
    }

    /** The project's packs no live artifact refers to any more, and those marked deleted (their removal unfinished). */
    public List<String> collectablePacks(String project) {
        return query("select p.pack_id from ops.filestore_packs p where p.project = ? "
                + "and (p.pending_since is null or p.pending_since < now() - interval '1 day') and (p.deleted_at is not null or "
                + "not exists (select 1 from ops.artifact_packs ap join ops.artifacts a on a.id = ap.artifact_id "
                + "where ap.project = p.project and ap.pack_id = p.pack_id and a.pruned_at is null)) order by 1",
                rs -> rs.getString(1), project);
    }

    /**
     * Marks a pack deleted when no live artifact refers to it, under its row lock (see V13); true when it is (or
     * already was) marked, false when a live artifact refers to it now.
     */
    public boolean markPackDeleted(String project, String packId) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement lock = bind(c.prepareStatement("select deleted_at from ops.filestore_packs "
                        + "where project = ? and pack_id = ? for update"), project, packId); ResultSet rs = lock.executeQuery()) {
                    if (!rs.next()) {
                        c.rollback();
                        return true;
                    }
                    if (rs.getTimestamp(1) != null) {
                        c.commit();
                        return true;
                    }
                }
                // a new statement, a new snapshot: it sees a registration that committed while we waited for the lock
                try (PreparedStatement live = bind(c.prepareStatement("select 1 from ops.artifact_packs ap join ops.artifacts a "
                        + "on a.id = ap.artifact_id where ap.project = ? and ap.pack_id = ? and a.pruned_at is null limit 1"),
                        project, packId); ResultSet rs = live.executeQuery()) {
                    if (rs.next()) {
                        c.rollback();
                        return false;
                    }
                }
                try (PreparedStatement mark = bind(c.prepareStatement("update ops.filestore_packs set deleted_at = now() "
                        + "where project = ? and pack_id = ?"), project, packId)) {
                    mark.executeUpdate();
                }
                c.commit();
                return true;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("ops catalog update failed: " + e.getMessage(), e);
        }
    }

    /**
     * The pack that holds the files an index lists under each of these packs now: the pack itself while the catalog
     * has it live, else the pack it was repacked into (V14). Absent: neither (a pack collected with every artifact
     * that needed it, or never registered).
     */
    public Map<String, ArtifactManifest.PackRef> currentPacks(String project, java.util.Collection<String> ids) {
        Map<String, ArtifactManifest.PackRef> out = new LinkedHashMap<>();
        if (ids.isEmpty()) return out;
        query("select i.id, p.pack_id, p.sha256, p.size from unnest(?::text[]) as i(id) "
                        + "left join ops.pack_moves m on m.project = ? and m.pack_id = i.id "
                        + "join ops.filestore_packs p on p.project = ? and p.deleted_at is null "
                        + "and p.pack_id = case when exists (select 1 from ops.filestore_packs q where q.project = ? "
                        + "and q.pack_id = i.id and q.deleted_at is null) then i.id else m.moved_to end",
                rs -> out.put(rs.getString(1), new ArtifactManifest.PackRef(rs.getString(2), rs.getString(3), rs.getLong(4))),
                ids.toArray(String[]::new), project, project, project);
        return out;
    }

    /**
     * Reserves a pack a repack is about to write (pending, with nothing in it yet), before anything is uploaded: a
     * run killed before {@link #recordRepack} leaves this row, and the collector removes it and its object after a
     * day. Returns false when the id is taken.
     */
    public boolean reservePack(String project, String packId, String uri, boolean compressed) {
        return update("insert into ops.filestore_packs(project, pack_id, uri, sha256, size, files, bytes, compressed, "
                + "pending_since) values (?, ?, ?, '', 0, 0, 0, ?, now()) on conflict do nothing", project, packId, uri,
                compressed) == 1;
    }

    /** Drops a reservation whose repack did not happen (its object removed first). */
    public void dropReservation(String project, String packId) {
        update("delete from ops.filestore_packs where project = ? and pack_id = ? and pending_since is not null", project, packId);
    }

    /** The pack a repack moved this one's files into, if any. */
    public Optional<String> movedTo(String project, String packId) {
        return query("select moved_to from ops.pack_moves where project = ? and pack_id = ?", rs -> rs.getString(1),
                project, packId).stream().findFirst();
    }

    /** The packs whose files were moved into this one by a repack. */
    public List<String> movedInto(String project, String packId) {
        return query("select pack_id from ops.pack_moves where project = ? and moved_to = ? order by 1",
                rs -> rs.getString(1), project, packId);
    }

    /** A live artifact that refers to a pack, with the environment whose folder holds its index. */
    public record PackUser(String artifactId, String environment) {
    }

    /** The live artifacts that refer to this pack (their index lists some of its files). */
    public List<PackUser> liveArtifactsOfPack(String project, String packId) {
        return query("select a.id, a.environment_id from ops.artifact_packs ap join ops.artifacts a on a.id = ap.artifact_id "
                        + "where ap.project = ? and ap.pack_id = ? and a.pruned_at is null order by a.created_at",
                rs -> new PackUser(rs.getString(1), rs.getString(2).substring(rs.getString(2).indexOf('/') + 1)), project, packId);
    }

    /** The live packs these artifacts refer to (after they were pruned: the packs that lost a reader). */
    public List<String> livePacksOf(String project, java.util.Collection<String> artifactIds) {
        return query("select distinct ap.pack_id from ops.artifact_packs ap join ops.filestore_packs p on p.project = ap.project "
                        + "and p.pack_id = ap.pack_id where ap.project = ? and ap.artifact_id = any(?) and p.deleted_at is null order by 1",
                rs -> rs.getString(1), project, artifactIds.toArray(String[]::new));
    }

    /**
     * Records that {@code from} was written again as {@code to} with only {@code live} of its objects, in one
     * transaction under {@code from}'s row lock (the lock registrations and the collector take): {@code to} is
     * registered with those objects, the others are forgotten, every live artifact that needed {@code from} needs
     * {@code to} instead, pack_moves sends {@code from} (and whatever had moved into it) to {@code to}, and
     * {@code from} is marked deleted, so the collector removes it. False, with nothing recorded, when {@code from} was
     * marked deleted meanwhile or the live artifacts that refer to it are not {@code planned} any more (a backup
     * registered since the plan may need members the plan left out).
     */
    public boolean recordRepack(String project, String from, NewPack to, List<StoredObject> live, java.util.Set<String> planned) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement lock = bind(c.prepareStatement("select deleted_at from ops.filestore_packs "
                        + "where project = ? and pack_id = ? for update"), project, from); ResultSet rs = lock.executeQuery()) {
                    if (!rs.next() || rs.getTimestamp(1) != null) {
                        c.rollback();
                        return false;
                    }
                }
                // a new statement, a new snapshot: it sees a registration that committed while we waited for the lock;
                // the live members were planned from exactly these artifacts' indexes
                java.util.Set<String> users = new java.util.TreeSet<>();
                try (PreparedStatement ps = bind(c.prepareStatement("select ap.artifact_id from ops.artifact_packs ap join "
                        + "ops.artifacts a on a.id = ap.artifact_id where ap.project = ? and ap.pack_id = ? and a.pruned_at is null"),
                        project, from); ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) users.add(rs.getString(1));
                }
                if (!users.equals(new java.util.TreeSet<>(planned))) {
                    c.rollback();
                    return false;
                }
                // the reservation of the new pack becomes a live pack (gone: a collection removed it as an orphan)
                try (PreparedStatement ps = bind(c.prepareStatement("update ops.filestore_packs set uri = ?, sha256 = ?, "
                        + "size = ?, files = ?, bytes = ?, pending_since = null where project = ? and pack_id = ? "
                        + "and pending_since is not null and deleted_at is null"), to.uri(), to.sha256(), to.size(), to.files(),
                        to.bytes(), project, to.packId())) {
                    if (ps.executeUpdate() != 1) {
                        c.rollback();
                        return false;
                    }
                }
                try (PreparedStatement ps = bind(c.prepareStatement("update ops.filestore_objects o set pack_id = ? from "
                        + "unnest(?::text[], ?::text[]) as l(path, sha1) where o.project = ? and o.pack_id = ? "
                        + "and o.path = l.path and o.sha1 = l.sha1"), to.packId(),
                        live.stream().map(StoredObject::path).toArray(String[]::new),
                        live.stream().map(StoredObject::sha1).toArray(String[]::new), project, from)) {
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = bind(c.prepareStatement("delete from ops.filestore_objects where project = ? "
                        + "and pack_id = ?"), project, from)) {
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = bind(c.prepareStatement("insert into ops.artifact_packs(artifact_id, project, pack_id) "
                        + "select ap.artifact_id, ap.project, ? from ops.artifact_packs ap join ops.artifacts a on a.id = ap.artifact_id "
                        + "where ap.project = ? and ap.pack_id = ? and a.pruned_at is null on conflict do nothing"),
                        to.packId(), project, from)) {
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = bind(c.prepareStatement("delete from ops.artifact_packs ap using ops.artifacts a "
                        + "where a.id = ap.artifact_id and ap.project = ? and ap.pack_id = ? and a.pruned_at is null"), project, from)) {
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = bind(c.prepareStatement("update ops.pack_moves set moved_to = ?, moved_at = now() "
                        + "where project = ? and moved_to = ?"), to.packId(), project, from)) {
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = bind(c.prepareStatement("insert into ops.pack_moves(project, pack_id, moved_to) "
                        + "values (?, ?, ?) on conflict (project, pack_id) do update set moved_to = excluded.moved_to, "
                        + "moved_at = now()"), project, from, to.packId())) {
                    ps.executeUpdate();
                }
                // marked as the collector marks: a registration waiting for the lock now refuses it (V13), and readers
                // find its files in the new pack at once
                try (PreparedStatement ps = bind(c.prepareStatement("update ops.filestore_packs set deleted_at = now() "
                        + "where project = ? and pack_id = ?"), project, from)) {
                    ps.executeUpdate();
                }
                c.commit();
                return true;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("recording the repack of " + from + " failed: " + e.getMessage(), e);
        }
    }

    /** After the pack's object is gone from the store: its objects, the references of pruned artifacts, its row. */
    public void forgetPack(String project, String packId) {
        // nothing live needs the files of packs that had moved into this one either
        update("delete from ops.pack_moves where project = ? and moved_to = ?", project, packId);
        update("delete from ops.filestore_objects where project = ? and pack_id = ?", project, packId);
        update("delete from ops.artifact_packs where project = ? and pack_id = ?", project, packId);
        update("delete from ops.filestore_packs where project = ? and pack_id = ? and deleted_at is not null", project, packId);
    }

    /** Where each of a project's packs was written, by id (restore and verify fetch them from there). */
    public Map<String, NewPack> packs(String project, java.util.Collection<String> ids) {
        Map<String, NewPack> out = new LinkedHashMap<>();
        query("select pack_id, uri, sha256, size, files, bytes, compressed from ops.filestore_packs where project = ? "
                        + "and pack_id = any(?)",
                rs -> out.put(rs.getString(1), new NewPack(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                        rs.getInt(5), rs.getLong(6), rs.getBoolean(7))), project, ids.toArray(String[]::new));
        return out;
    }

    /**
     * Live (unpruned) artifacts of one environment, kind and backup type: one retention series. An artifact
     * whose prune is already journaled (pending in ops.store_deletions) is on its way out and not a candidate.
     */
    /**
     * The live artifacts retention may keep or prune, each at its creation time, and once more at the time of every
     * run that found the environment unchanged since it ({@code skipped_unchanged}): the days such a run covers
     * count as days with that artifact.
     */
    public List<RetentionPlanner.Candidate> retentionCandidates(String environmentId, String kind, String backupType) {
        return query("with live as (select id, created_at, pinned and (pinned_until is null or pinned_until > now()) as pinned "
                        + "from ops.artifacts a where environment_id = ? and kind = ? "
                        + "and backup_type = ? and pruned_at is null and not exists (select 1 from ops.store_deletions d "
                        + "where d.artifact_id = a.id and d.done_at is null)) "
                        + "select id, created_at, pinned from live union all "
                        + "select l.id, r.created_at, l.pinned from ops.runs r join live l on l.id = r.metadata->>'artifact_id' "
                        + "where r.environment_id = ? and r.status = 'skipped_unchanged' order by 2",
                rs -> new RetentionPlanner.Candidate(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getBoolean(3)),
                environmentId, kind, backupType, environmentId);
    }

    /** Artifacts the environment's restores created since {@code since} recorded as their safety backup. */
    public List<String> safetyBackupsOfRestoresSince(String environmentId, Instant since) {
        return query("select distinct metadata->>'pre_restore_backup_id' from ops.runs where environment_id = ? "
                        + "and operation_type = 'restore' and created_at >= ? and metadata->>'pre_restore_backup_id' is not null",
                rs -> rs.getString(1), environmentId, java.sql.Timestamp.from(since));
    }

    /** Why stored objects are removed: a retention prune, a failed run's upload, a dead run's partial upload. */
    public enum DeletionReason {
        PRUNE, FAILED_RUN, ABANDONED_RUN;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static DeletionReason parse(String wire) {
            return valueOf(wire.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** A journaled removal of an artifact's stored objects (ops.store_deletions). */
    public record StoreDeletion(long id, String environmentId, String artifactId, String uri, DeletionReason reason,
                                int attempts, String lastError) {
    }

    /**
     * Journals the removal of an artifact's objects before any is deleted; returns the journal row (the pending
     * one when the removal was already journaled).
     */
    public StoreDeletion planDeletion(String environmentId, String artifactId, String uri, DeletionReason reason, UUID runId) {
        return query("insert into ops.store_deletions(environment_id, artifact_id, uri, reason, run_id) values (?, ?, ?, ?, ?) "
                        + "on conflict (artifact_id) where done_at is null do update set uri = ops.store_deletions.uri "
                        + "returning id, environment_id, artifact_id, uri, reason, attempts, last_error",
                OpsCatalog::deletionRow, environmentId, artifactId, uri, reason.wire(), runId).get(0);
    }

    /** Removals of the environment's stored objects that are journaled and not done, oldest first. */
    public List<StoreDeletion> pendingDeletions(String environmentId) {
        return query("select id, environment_id, artifact_id, uri, reason, attempts, last_error from ops.store_deletions "
                + "where environment_id = ? and done_at is null order by id", OpsCatalog::deletionRow, environmentId);
    }

    /** A removal attempt that failed: it stays pending, with the (redacted) reason. */
    public void deletionFailed(long id, String error) {
        update("update ops.store_deletions set attempts = attempts + 1, last_attempt_at = now(), last_error = ? "
                + "where id = ? and done_at is null", error, id);
    }

    /** Every object is gone: the journal row is done and, for a prune, the artifact is pruned (one statement). */
    public void deletionDone(long id) {
        update("with d as (update ops.store_deletions set done_at = now(), attempts = attempts + 1, last_attempt_at = now(), "
                + "last_error = null where id = ? and done_at is null returning artifact_id, reason) "
                + "update ops.artifacts a set pruned_at = now() from d where a.id = d.artifact_id and d.reason = 'prune' "
                + "and a.pruned_at is null", id);
    }

    private static StoreDeletion deletionRow(ResultSet rs) throws SQLException {
        return new StoreDeletion(rs.getLong("id"), rs.getString("environment_id"), rs.getString("artifact_id"),
                rs.getString("uri"), DeletionReason.parse(rs.getString("reason")), rs.getInt("attempts"),
                rs.getString("last_error"));
    }

    /** The environment's pinned artifacts whose legal hold has ended (id -> end): retention treats them as unpinned. */
    public Map<String, Instant> endedHolds(String environmentId) {
        Map<String, Instant> out = new LinkedHashMap<>();
        query("select id, pinned_until from ops.artifacts where environment_id = ? and pinned and pinned_until <= now() "
                + "and pruned_at is null", rs -> out.put(rs.getString(1), rs.getTimestamp(2).toInstant()), environmentId);
        return out;
    }

    /** Pins (with the hold's reason and end, both optional) or unpins (clearing them) an artifact. */
    public void setPinned(String id, boolean pinned, String reason, Instant until) {
        update("update ops.artifacts set pinned = ?, pin_reason = ?, pinned_until = ? where id = ?", pinned,
                pinned ? reason : null, pinned && until != null ? Timestamp.from(until) : null, id);
    }

    /** The live artifacts of a project's environments, oldest first. */
    public List<Artifact> liveArtifacts(String project) {
        return query("select a.* from ops.artifacts a join ops.environments e on e.id = a.environment_id "
                + "where e.project = ? and a.pruned_at is null order by a.created_at", OpsCatalog::artifactRow, project);
    }

    public Optional<Artifact> artifact(String id) {
        return query("select * from ops.artifacts where id = ?", OpsCatalog::artifactRow, id).stream().findFirst();
    }

    /** Active (queued or running) top-level runs of an environment: "operation run_id by user". */
    public List<String> activeRuns(String environmentId) {
        return activeRuns(environmentId, null);
    }

    /** The active runs of an environment other than {@code except} (a queued run checking its own environment). */
    public List<String> activeRuns(String environmentId, UUID except) {
        return query("select operation_type || ' run ' || run_id || ' by ' || created_by from ops.runs where environment_id = ? "
                + "and status in ('queued', 'running') and parent_run_id is null and run_id is distinct from cast(? as uuid)",
                rs -> rs.getString(1), environmentId, except);
    }

    /** The newest live regular backup of an environment per backup type: type -> {artifact_id, created_at}. */
    private static final String UTC_STAMP = "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'";

    /** The runs of an environment, newest first, at most {@code limit}: the rows of list-runs. */
    public List<Map<String, Object>> listRuns(String environmentId, int limit) {
        return query("select r.run_id::text, r.operation_type, r.status, r.created_by, "
                + "to_char(r.created_at at time zone 'UTC', " + UTC_STAMP + "), "
                + "to_char(r.finished_at at time zone 'UTC', " + UTC_STAMP + "), r.failed_step, r.failure_reason, "
                + "r.evidence_dir, r.parent_run_id::text, r.metadata->>'artifact_id' "
                + "from ops.runs r where r.environment_id = ? order by r.created_at desc limit ?", rs -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("run_id", rs.getString(1));
            m.put("operation", rs.getString(2));
            m.put("status", rs.getString(3));
            m.put("created_by", rs.getString(4));
            m.put("created_at", rs.getString(5));
            m.put("finished_at", rs.getString(6));
            m.put("failed_step", rs.getString(7));
            m.put("error", rs.getString(8));
            m.put("evidence_dir", rs.getString(9));
            m.put("parent_run_id", rs.getString(10));
            m.put("artifact_id", rs.getString(11));
            // the names of earlier releases, kept for one release (docs/service.md): operation, error
            m.put("operation_type", rs.getString(2));
            m.put("failure_reason", rs.getString(8));
            return m;
        }, environmentId, limit);
    }

    /** The artifacts of an environment, newest first, pruned ones only when asked: the rows of list-artifacts. */
    public List<Map<String, Object>> listArtifacts(String environmentId, boolean includePruned) {
        return query("select a.id, to_char(a.created_at at time zone 'UTC', " + UTC_STAMP + "), a.backup_type, a.kind, "
                + "a.label, a.pinned, a.uri, (select coalesce(sum(v::bigint), 0) from jsonb_each_text(a.sizes) as s(k, v)), "
                + "to_char(a.pruned_at at time zone 'UTC', " + UTC_STAMP + "), a.pin_reason, "
                + "to_char(a.pinned_until at time zone 'UTC', " + UTC_STAMP + ") from ops.artifacts a "
                + "where a.environment_id = ? and (? or a.pruned_at is null) order by a.created_at desc", rs -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("artifact_id", rs.getString(1));
            m.put("created_at", rs.getString(2));
            m.put("backup_type", rs.getString(3));
            m.put("kind", rs.getString(4));
            m.put("label", rs.getString(5));
            m.put("pinned", rs.getBoolean(6));
            m.put("uri", rs.getString(7));
            m.put("size_bytes", rs.getLong(8));
            m.put("pruned_at", rs.getString(9));
            if (rs.getString(10) != null) m.put("pin_reason", rs.getString(10));
            if (rs.getString(11) != null) m.put("pinned_until", rs.getString(11));
            return m;
        }, environmentId, includePruned);
    }

    public Map<String, Map<String, Object>> lastBackups(String environmentId) {
        Map<String, Map<String, Object>> out = new java.util.TreeMap<>();
        query("select distinct on (backup_type) backup_type, id, created_at from ops.artifacts where environment_id = ? "
                + "and kind = 'backup' and pruned_at is null order by backup_type, created_at desc", rs -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("artifact_id", rs.getString(2));
            m.put("created_at", rs.getTimestamp(3).toInstant().toString());
            out.put(rs.getString(1), m);
            return null;
        }, environmentId);
        return out;
    }

    /**
     * A request that could not run, recorded as a finished run {@code skipped} with the reason (a schedule's
     * firing that met an active run). False when a run with this request id is already recorded.
     */
    public boolean recordSkipped(String project, String environmentId, String operation, String user, String requestId,
                                 String channel, String reason, Map<String, ?> metadata) {
        UUID runId = UUID.randomUUID();
        int n = update("insert into ops.runs (run_id, project, environment_id, operation_type, status, metadata, created_by, "
                + "finished_at, failure_reason, request_id, channel) values (?, ?, ?, ?, 'skipped', cast(? as jsonb), ?, now(), ?, ?, ?) "
                + "on conflict (environment_id, request_id) where request_id is not null do nothing",
                runId, project, environmentId, operation, Json.compact(metadata), user, reason, requestId, channel);
        if (n == 1) event(runId, "run_skipped", null, Map.of("reason", reason));
        return n == 1;
    }

    /**
     * The figures service mode's metrics show, read in one go: per "env|type" the newest successful backup, per
     * "env|operation" the last finished run's duration (seconds), per env the live artifacts' bytes, and per
     * "env|operation|failed_step" how many runs failed there.
     */
    public record Figures(Map<String, Instant> lastSuccess, Map<String, Double> lastDuration, Map<String, Long> storedBytes,
                          Map<String, Long> failuresByStep) {
        public static final Figures EMPTY = new Figures(Map.of(), Map.of(), Map.of(), Map.of());
    }

    public Figures figures() {
        Map<String, Instant> last = new LinkedHashMap<>();
        // a run that found the environment unchanged since a backup counts as a backup at its own time
        query("select k, max(t) from (select environment_id || '|' || backup_type as k, created_at as t from ops.artifacts "
                + "where kind = 'backup' union all select r.environment_id || '|' || a.backup_type, r.finished_at from ops.runs r "
                + "join ops.artifacts a on a.id = r.metadata->>'artifact_id' where r.status = 'skipped_unchanged') c group by k",
                rs -> last.put(rs.getString(1), rs.getTimestamp(2).toInstant()));
        Map<String, Double> durations = new LinkedHashMap<>();
        query("select distinct on (environment_id, operation_type) environment_id || '|' || operation_type, "
                + "extract(epoch from finished_at - coalesce(started_at, created_at)) from ops.runs "
                + "where finished_at is not null and parent_run_id is null and status <> 'skipped' "
                + "order by environment_id, operation_type, finished_at desc",
                rs -> durations.put(rs.getString(1), rs.getDouble(2)));
        Map<String, Long> bytes = new LinkedHashMap<>();
        query("select environment_id, coalesce(sum((select coalesce(sum(v::bigint), 0) from jsonb_each_text(sizes) as s(k, v))), 0) "
                + "from ops.artifacts where pruned_at is null group by 1", rs -> bytes.put(rs.getString(1), rs.getLong(2)));
        Map<String, Long> failures = new LinkedHashMap<>();
        query("select environment_id || '|' || operation_type || '|' || coalesce(failed_step, 'unknown'), count(*) "
                + "from ops.runs where status in ('failed', 'rolled_back', 'rolled_back_odoo_down') group by 1",
                rs -> failures.put(rs.getString(1), rs.getLong(2)));
        return new Figures(last, durations, bytes, failures);
    }

    /**
     * A run a service request started, by the request's id (idempotency): its operation, and whether its recorded
     * request has the fingerprint of {@code requestJson} ({@code ops.request_fingerprint}, V16; null when the run
     * recorded no request, as a schedule's skipped firing).
     */
    public record RequestedRun(UUID runId, String status, String operation, Boolean sameRequest) {
    }

    public Optional<RequestedRun> runByRequestId(String environmentId, String requestId, String requestJson) {
        return query("select run_id, status, operation_type, request_fingerprint = ops.request_fingerprint(cast(? as jsonb)) "
                        + "from ops.runs where environment_id = ? and request_id = ?",
                rs -> new RequestedRun(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                        (Boolean) rs.getObject(4)), requestJson, environmentId, requestId)
                .stream().findFirst();
    }

    /** A queued run carrying a request, waiting for a worker. */
    public record PendingRequest(UUID runId, String environmentId, String operation, String createdBy, String request,
                                 String requestId, String channel) {
    }

    /** Queued runs that carry a request, oldest first (a restarted service picks up those no live process owns). */
    public List<PendingRequest> pendingRequests() {
        return query("select run_id, environment_id, operation_type, created_by, request::text, request_id, channel from ops.runs "
                + "where status = 'queued' and request is not null order by created_at", rs -> new PendingRequest(
                rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7)));
    }

    /** A run that {@code ops.begin_run} abandoned while starting {@code by}, with its unregistered artifact id. */
    public record AbandonedRun(UUID runId, String environmentId, String operation, String unregisteredArtifactId) {
    }

    public List<AbandonedRun> abandonedBy(UUID by) {
        return query("select r.run_id, r.environment_id, r.operation_type, "
                        + "case when a.id is null and r.operation_type = 'backup' then r.metadata->>'artifact_id' end "
                        + "from ops.run_events e join ops.runs r on r.run_id = e.run_id "
                        + "left join ops.artifacts a on a.id = r.metadata->>'artifact_id' "
                        + "where e.event_type = 'run_abandoned' and e.payload->>'abandoned_by' = ?",
                rs -> new AbandonedRun((UUID) rs.getObject(1), rs.getString(2), rs.getString(3), rs.getString(4)), by.toString());
    }

    /**
     * Of {@code runIds}, the runs that have ended and whose lease no process holds (the lock of the run, or of its
     * parent for a child run, is free): nothing works in their directories any more. Unknown ids are not returned.
     */
    public List<UUID> endedWithoutOwner(List<UUID> runIds) {
        return query("select run_id from ops.runs where run_id::text = any(?) and status not in ('queued', 'running') "
                        + "and pg_try_advisory_xact_lock(ops.run_lock_key(coalesce(parent_run_id, run_id)))",
                rs -> (UUID) rs.getObject(1), (Object) runIds.stream().map(UUID::toString).toArray(String[]::new));
    }

    /** The environment's most recent successful restore: its run, artifact, type and end-of-run fingerprint. */
    public record LastRestore(UUID runId, String artifactId, String restoreType, Map<String, Object> fingerprint) {
    }

    public Optional<LastRestore> lastSuccessfulRestore(String environmentId) {
        return query("select run_id, metadata->>'artifact_id', metadata->>'restore_type', metadata->>'fingerprint' "
                        + "from ops.runs where environment_id = ? and operation_type = 'restore' and status = 'success' "
                        + "order by finished_at desc limit 1",
                rs -> new LastRestore((UUID) rs.getObject(1), rs.getString(2), rs.getString(3),
                        rs.getString(4) == null ? null : Json.readMap(rs.getString(4))), environmentId).stream().findFirst();
    }

    /** The last time odoo-ops restarted the environment's Odoo (recorded by successful restores), if any. */
    public Optional<Instant> lastOdooRestart(String environmentId) {
        return query("select max((metadata->>'odoo_restarted_at')::timestamptz) from ops.runs where environment_id = ? "
                + "and metadata->>'odoo_restarted_at' is not null", rs -> rs.getTimestamp(1), environmentId).stream()
                .filter(java.util.Objects::nonNull).map(Timestamp::toInstant).findFirst();
    }

    public Optional<String> lastSuccessfulRestoreArtifact(String environmentId) {
        return lastSuccessfulRestore(environmentId).map(LastRestore::artifactId);
    }

    /** Committed backups and restores of the environment whose after-commit work (lifting maintenance) never finished. */
    public List<UUID> runsPendingAfterCommit(String environmentId) {
        return query("select run_id from ops.runs where environment_id = ? and operation_type in ('backup', 'restore') "
                + "and status = 'success' and (metadata->>'after_commit_pending')::boolean", rs -> (UUID) rs.getObject(1), environmentId);
    }

    /**
     * The environment's last restore when it ended {@code rolled_back_odoo_down} and no {@code recover} has brought
     * Odoo back since ({@code odoo_back_by} in its metadata); empty otherwise.
     */
    public Optional<UUID> restoreLeftOdooDown(String environmentId) {
        return query("select run_id, status, metadata->>'odoo_back_by' is not null from ops.runs where environment_id = ? "
                + "and operation_type = 'restore' and parent_run_id is null and finished_at is not null "
                + "order by created_at desc limit 1", rs -> "rolled_back_odoo_down".equals(rs.getString(2)) && !rs.getBoolean(3)
                ? (UUID) rs.getObject(1) : null, environmentId).stream().filter(java.util.Objects::nonNull).findFirst();
    }

    /** The status of the environment's run whose id starts with {@code prefix} (side copies name runs so). */
    public Optional<String> runStatusByPrefix(String environmentId, String prefix) {
        return query("select status from ops.runs where environment_id = ? and starts_with(run_id::text, ?) "
                + "order by created_at desc limit 1", rs -> rs.getString(1), environmentId, prefix).stream().findFirst();
    }

    public void mergeRunMetadata(UUID runId, Map<String, ?> metadata) {
        update("update ops.runs set metadata = metadata || cast(? as jsonb) where run_id = ?", Json.compact(metadata), runId);
    }

    public boolean hasEvent(UUID runId, String eventType) {
        return !query("select 1 from ops.run_events where run_id = ? and event_type = ? limit 1", rs -> 1, runId, eventType).isEmpty();
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

    /** One run as the operator views show it (get-run), with the steps it completed in order. */
    public record RunView(UUID runId, String environmentId, String operation, String status, String createdBy,
                          Instant createdAt, Instant finishedAt, String failedStep, String failureReason,
                          String evidenceDir, UUID parentRunId, Map<String, Object> metadata, List<String> stepsCompleted) {
    }

    public Optional<RunView> runView(UUID runId) {
        List<String> steps = query("select step from ops.run_events where run_id = ? and event_type = 'step_completed'"
                + " and step is not null order by id", rs -> rs.getString(1), runId);
        return query("select run_id, environment_id, operation_type, status, created_by, created_at, finished_at, failed_step,"
                + " failure_reason, evidence_dir, parent_run_id, metadata from ops.runs where run_id = ?", rs -> {
            Timestamp finished = rs.getTimestamp("finished_at");
            return new RunView(rs.getObject("run_id", UUID.class), rs.getString("environment_id"),
                    rs.getString("operation_type"), rs.getString("status"), rs.getString("created_by"),
                    rs.getTimestamp("created_at").toInstant(), finished == null ? null : finished.toInstant(),
                    rs.getString("failed_step"), rs.getString("failure_reason"), rs.getString("evidence_dir"),
                    rs.getObject("parent_run_id", UUID.class), Json.readMap(rs.getString("metadata")), steps);
        }, runId).stream().findFirst();
    }

    interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private <T> List<T> query(String sql, Row<T> row, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = bind(c.prepareStatement(sql), args);
             ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) out.add(row.map(rs));
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("ops catalog query failed: " + e.getMessage(), e);
        }
    }

    private int update(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = bind(c.prepareStatement(sql), args)) {
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("ops catalog update failed: " + e.getMessage(), e);
        }
    }

    private static PreparedStatement bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
        return ps;
    }
}
