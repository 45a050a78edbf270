package dev.odooops.ops;

import dev.odooops.domain.ArtifactManifest;
import dev.odooops.model.NewPack;
import dev.odooops.model.PackRegistration;
import dev.odooops.model.PackUser;
import dev.odooops.model.StoredObject;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The packed filestore's packs ({@code ops.filestore_packs}), the objects they hold ({@code ops.filestore_objects}),
 * which artifacts refer to which pack ({@code ops.artifact_packs}) and where a repack moved a pack's files
 * ({@code ops.pack_moves}). A pack's row lock orders registrations, the collector and repacks (V13).
 */
public final class PackCatalog {
    private final CatalogSql sql;

    public PackCatalog(CatalogSql sql) {
        this.sql = sql;
    }

    /** A packed artifact's packs, objects and references, inside its registration's transaction. */
    static void insertPacks(CatalogSql.Tx tx, String artifactId, PackRegistration r) throws SQLException {
        tx.batch("insert into ops.filestore_packs(project, pack_id, uri, sha256, size, files, bytes, compressed, generation) "
                        + "values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                r.packs().stream().map(p -> new Object[]{r.project(), p.packId(), p.uri(), p.sha256(), p.size(), p.files(),
                        p.bytes(), p.compressed(), r.generation()}).toList());
        // a backup stores a known object again only when its pack is missing or in a previous store: it is found in
        // the new pack from now on (the old pack still serves the artifacts whose indexes name it)
        // one statement for all of them, its columns bound as arrays (a first backup registers tens of thousands: one
        // execution instead of one per object); each (path, sha1) once, as one statement's upsert requires
        Map<List<String>, StoredObject> objects = new LinkedHashMap<>();
        for (StoredObject o : r.objects()) objects.put(List.of(o.path(), o.sha1()), o);
        if (!objects.isEmpty()) {
            Collection<StoredObject> os = objects.values();
            tx.update("insert into ops.filestore_objects(project, path, sha1, size, pack_id) "
                            + "select ?, o.path, o.sha1, o.size, o.pack_id "
                            + "from unnest(?::text[], ?::text[], ?::bigint[], ?::text[]) as o(path, sha1, size, pack_id) "
                            + "on conflict (project, path, sha1) do update set pack_id = excluded.pack_id, size = excluded.size",
                    r.project(), tx.textArray(os.stream().map(StoredObject::path).toList()),
                    tx.textArray(os.stream().map(StoredObject::sha1).toList()),
                    tx.array("bigint", os.stream().map(StoredObject::size).toArray()),
                    tx.textArray(os.stream().map(StoredObject::packId).toList()));
        }
        // the row lock the collector takes too: a pack it marked deleted cannot be referred to any more
        int live = tx.update("update ops.filestore_packs set referenced_at = now() "
                + "where project = ? and pack_id = any(?) and deleted_at is null", r.project(), tx.textArray(r.referenced()));
        if (live != r.referenced().size()) {
            throw new SQLException("a pack this artifact refers to was collected meanwhile (" + live + " of "
                    + r.referenced().size() + " live); the next backup stores those files again");
        }
        tx.batch("insert into ops.artifact_packs(artifact_id, project, pack_id) values (?, ?, ?)",
                r.referenced().stream().map(pack -> new Object[]{artifactId, r.project(), pack}).toList());
    }

    /**
     * The objects the project's live packs hold under these paths (several per path when its content changed),
     * read in batches.
     */
    public Map<String, List<StoredObject>> storedObjects(String project, Collection<String> paths) {
        Map<String, List<StoredObject>> out = new HashMap<>();
        List<String> all = new ArrayList<>(paths);
        for (int i = 0; i < all.size(); i += 5000) {
            String[] batch = all.subList(i, Math.min(all.size(), i + 5000)).toArray(String[]::new);
            sql.query("select o.path, o.sha1, o.size, o.pack_id from ops.filestore_objects o join ops.filestore_packs p "
                            + "on p.project = o.project and p.pack_id = o.pack_id where o.project = ? and p.deleted_at is null "
                            + "and o.path = any(?)",
                    rs -> out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new StoredObject(rs.getString(1),
                            rs.getString(2), rs.getLong(3), rs.getString(4))), project, batch);
        }
        return out;
    }

    /**
     * The packs of {@code project} of any generation but {@code generation} (null: plain text), pruned or not: a backup
     * reuses no pack of another recipient set (V21).
     */
    public java.util.Set<String> packsNotOfGeneration(String project, String generation) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        sql.query("select pack_id from ops.filestore_packs where project = ? and generation is distinct from ?::text",
                rs -> out.add(rs.getString(1)), project, generation);
        return out;
    }

    /** The generation of each of these packs of {@code project} (null value: plain text), by id. */
    public Map<String, String> generations(String project, Collection<String> ids) {
        Map<String, String> out = new LinkedHashMap<>();
        sql.query("select pack_id, generation from ops.filestore_packs where project = ? and pack_id = any(?)",
                rs -> out.put(rs.getString(1), rs.getString(2)), project, ids.toArray(String[]::new));
        return out;
    }

    /**
     * The packs of {@code project} that artifacts of {@code kind} refer to, pruned or not (a sanitised snapshot's packs
     * are never reused by another kind's backup, see backup.ArchiveFilestore).
     */
    public java.util.Set<String> packsOfKind(String project, String kind) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        sql.query("select distinct ap.pack_id from ops.artifact_packs ap join ops.artifacts a on a.id = ap.artifact_id "
                + "where ap.project = ? and a.kind = ?", rs -> out.add(rs.getString(1)), project, kind);
        return out;
    }

    /** Where each of a project's packs was written, by id (restore and verify fetch them from there). */
    public Map<String, NewPack> packs(String project, Collection<String> ids) {
        Map<String, NewPack> out = new LinkedHashMap<>();
        sql.query("select pack_id, uri, sha256, size, files, bytes, compressed from ops.filestore_packs where project = ? "
                        + "and pack_id = any(?)",
                rs -> out.put(rs.getString(1), new NewPack(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                        rs.getInt(5), rs.getLong(6), rs.getBoolean(7))), project, ids.toArray(String[]::new));
        return out;
    }

    /**
     * The pack that holds the files an index lists under each of these packs now: the pack itself while the catalog
     * has it live, else the pack it was repacked into (V14). Absent: neither (a pack collected with every artifact
     * that needed it, or never registered).
     */
    public Map<String, ArtifactManifest.PackRef> currentPacks(String project, Collection<String> ids) {
        Map<String, ArtifactManifest.PackRef> out = new LinkedHashMap<>();
        if (ids.isEmpty()) return out;
        sql.query("select i.id, p.pack_id, p.sha256, p.size from unnest(?::text[]) as i(id) "
                        + "left join ops.pack_moves m on m.project = ? and m.pack_id = i.id "
                        + "join ops.filestore_packs p on p.project = ? and p.deleted_at is null "
                        + "and p.pack_id = case when exists (select 1 from ops.filestore_packs q where q.project = ? "
                        + "and q.pack_id = i.id and q.deleted_at is null) then i.id else m.moved_to end",
                rs -> out.put(rs.getString(1), new ArtifactManifest.PackRef(rs.getString(2), rs.getString(3), rs.getLong(4))),
                ids.toArray(String[]::new), project, project, project);
        return out;
    }

    /** Whether an artifact an active drill holds a lease on refers to pack {@code p} (see {@link DrillCatalog}). */
    private static final String LEASED_BY_DRILL = "exists (select 1 from ops.artifact_packs lp join ops.drills d "
            + "on d.artifact_id = lp.artifact_id join ops.runs r on r.run_id = d.run_id where lp.project = p.project "
            + "and lp.pack_id = p.pack_id and d.status = 'running' and r.status in ('queued', 'running'))";

    /**
     * The artifacts active drills hold a lease on that refer to pack {@code packId} (empty when none): such a pack is
     * neither collected nor repacked while they drill.
     */
    public List<String> drillLeasesOnPack(String project, String packId) {
        return sql.query("select distinct d.artifact_id from ops.artifact_packs lp join ops.drills d on d.artifact_id = lp.artifact_id "
                + "join ops.runs r on r.run_id = d.run_id where lp.project = ? and lp.pack_id = ? and d.status = 'running' "
                + "and r.status in ('queued', 'running') order by 1", rs -> rs.getString(1), project, packId);
    }

    /**
     * The project's packs no live artifact refers to any more, and those marked deleted (their removal unfinished);
     * never one an artifact an active drill holds a lease on refers to.
     */
    public List<String> collectablePacks(String project) {
        return sql.query("select p.pack_id from ops.filestore_packs p where p.project = ? "
                + "and (p.pending_since is null or p.pending_since < now() - interval '1 day') and (p.deleted_at is not null or "
                + "not exists (select 1 from ops.artifact_packs ap join ops.artifacts a on a.id = ap.artifact_id "
                + "where ap.project = p.project and ap.pack_id = p.pack_id and a.pruned_at is null)) "
                + "and not " + LEASED_BY_DRILL + " order by 1",
                rs -> rs.getString(1), project);
    }

    /**
     * Marks a pack deleted when no live artifact refers to it, under its row lock (see V13); true when it is (or
     * already was) marked, false when a live artifact refers to it now.
     */
    public boolean markPackDeleted(String project, String packId) {
        return sql.inTransaction("ops catalog update", tx -> {
            Optional<Boolean> deleted = tx.first("select deleted_at is not null from ops.filestore_packs "
                    + "where project = ? and pack_id = ? for update", rs -> rs.getBoolean(1), project, packId);
            if (deleted.isEmpty()) {
                tx.rollbackOnly();
                return true;
            }
            if (deleted.get()) return true;
            // a new statement, a new snapshot: it sees a registration that committed while we waited for the lock
            if (!tx.query("select 1 from ops.artifact_packs ap join ops.artifacts a on a.id = ap.artifact_id "
                    + "where ap.project = ? and ap.pack_id = ? and a.pruned_at is null limit 1", rs -> 1, project, packId).isEmpty()
                    || !tx.query("select 1 from ops.filestore_packs p where p.project = ? and p.pack_id = ? and " + LEASED_BY_DRILL,
                    rs -> 1, project, packId).isEmpty()) {
                tx.rollbackOnly();
                return false;
            }
            tx.update("update ops.filestore_packs set deleted_at = now() where project = ? and pack_id = ?", project, packId);
            return true;
        });
    }

    /** After the pack's object is gone from the store: its objects, the references of pruned artifacts, its row. */
    public void forgetPack(String project, String packId) {
        // nothing live needs the files of packs that had moved into this one either
        sql.update("delete from ops.pack_moves where project = ? and moved_to = ?", project, packId);
        sql.update("delete from ops.filestore_objects where project = ? and pack_id = ?", project, packId);
        sql.update("delete from ops.artifact_packs where project = ? and pack_id = ?", project, packId);
        sql.update("delete from ops.filestore_packs where project = ? and pack_id = ? and deleted_at is not null", project, packId);
    }

    /**
     * Reserves a pack a repack is about to write (pending, with nothing in it yet), before anything is uploaded: a
     * run killed before {@link #recordRepack} leaves this row, and the collector removes it and its object after a
     * day. Returns false when the id is taken.
     */
    public boolean reservePack(String project, String packId, String uri, boolean compressed) {
        return reservePack(project, packId, uri, compressed, null);
    }

    /** As {@link #reservePack(String, String, String, boolean)}, for a pack encrypted to {@code generation} (null: plain text). */
    public boolean reservePack(String project, String packId, String uri, boolean compressed, String generation) {
        return sql.update("insert into ops.filestore_packs(project, pack_id, uri, sha256, size, files, bytes, compressed, "
                + "pending_since, generation) values (?, ?, ?, '', 0, 0, 0, ?, now(), ?) on conflict do nothing", project, packId, uri,
                compressed, generation) == 1;
    }

    /** The objects the catalog finds in this pack (a rekey moves them all to the pack written again). */
    public List<StoredObject> objectsOfPack(String project, String packId) {
        return sql.query("select path, sha1, size, pack_id from ops.filestore_objects where project = ? and pack_id = ? "
                        + "order by path", rs -> new StoredObject(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4)),
                project, packId);
    }

    /** Drops a reservation whose repack did not happen (its object removed first). */
    public void dropReservation(String project, String packId) {
        sql.update("delete from ops.filestore_packs where project = ? and pack_id = ? and pending_since is not null", project, packId);
    }

    /** The pack a repack moved this one's files into, if any. */
    public Optional<String> movedTo(String project, String packId) {
        return sql.first("select moved_to from ops.pack_moves where project = ? and pack_id = ?", rs -> rs.getString(1),
                project, packId);
    }

    /** The packs whose files were moved into this one by a repack. */
    public List<String> movedInto(String project, String packId) {
        return sql.query("select pack_id from ops.pack_moves where project = ? and moved_to = ? order by 1",
                rs -> rs.getString(1), project, packId);
    }

    /** The live artifacts that refer to this pack (their index lists some of its files). */
    public List<PackUser> liveArtifactsOfPack(String project, String packId) {
        return sql.query("select a.id, a.environment_id from ops.artifact_packs ap join ops.artifacts a on a.id = ap.artifact_id "
                        + "where ap.project = ? and ap.pack_id = ? and a.pruned_at is null order by a.created_at",
                rs -> new PackUser(rs.getString(1), rs.getString(2).substring(rs.getString(2).indexOf('/') + 1)), project, packId);
    }

    /** The live packs these artifacts refer to (after they were pruned: the packs that lost a reader). */
    public List<String> livePacksOf(String project, Collection<String> artifactIds) {
        return sql.query("select distinct ap.pack_id from ops.artifact_packs ap join ops.filestore_packs p on p.project = ap.project "
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
     * registered since the plan may need members the plan left out), or when an artifact an active drill holds a
     * lease on refers to it.
     */
    public boolean recordRepack(String project, String from, NewPack to, List<StoredObject> live, Set<String> planned) {
        return sql.inTransaction("recording the repack of " + from, tx -> {
            Optional<Boolean> deleted = tx.first("select deleted_at is not null from ops.filestore_packs "
                    + "where project = ? and pack_id = ? for update", rs -> rs.getBoolean(1), project, from);
            if (deleted.isEmpty() || deleted.get()) {
                tx.rollbackOnly();
                return false;
            }
            // a new statement, a new snapshot: it sees a registration that committed while we waited for the lock;
            // the live members were planned from exactly these artifacts' indexes
            Set<String> users = new TreeSet<>(tx.query("select ap.artifact_id from ops.artifact_packs ap join "
                    + "ops.artifacts a on a.id = ap.artifact_id where ap.project = ? and ap.pack_id = ? and a.pruned_at is null",
                    rs -> rs.getString(1), project, from));
            // a drill's lease (issue 16): the users' rows locked as DrillCatalog.begin locks its artifact, then the
            // leases read in a new statement, so a drill that started meanwhile is seen and keeps the pack as it is
            tx.query("select id from ops.artifacts where id = any(?) order by id for update", rs -> 1, tx.textArray(users));
            if (!tx.query("select 1 from ops.filestore_packs p where p.project = ? and p.pack_id = ? and " + LEASED_BY_DRILL,
                    rs -> 1, project, from).isEmpty()) {
                tx.rollbackOnly();
                return false;
            }
            if (!users.equals(new TreeSet<>(planned))) {
                tx.rollbackOnly();
                return false;
            }
            // the reservation of the new pack becomes a live pack (gone: a collection removed it as an orphan)
            if (tx.update("update ops.filestore_packs set uri = ?, sha256 = ?, size = ?, files = ?, bytes = ?, "
                    + "pending_since = null where project = ? and pack_id = ? and pending_since is not null and deleted_at is null",
                    to.uri(), to.sha256(), to.size(), to.files(), to.bytes(), project, to.packId()) != 1) {
                tx.rollbackOnly();
                return false;
            }
            tx.update("update ops.filestore_objects o set pack_id = ? from unnest(?::text[], ?::text[]) as l(path, sha1) "
                            + "where o.project = ? and o.pack_id = ? and o.path = l.path and o.sha1 = l.sha1", to.packId(),
                    live.stream().map(StoredObject::path).toArray(String[]::new),
                    live.stream().map(StoredObject::sha1).toArray(String[]::new), project, from);
            tx.update("delete from ops.filestore_objects where project = ? and pack_id = ?", project, from);
            tx.update("insert into ops.artifact_packs(artifact_id, project, pack_id) select ap.artifact_id, ap.project, ? "
                    + "from ops.artifact_packs ap join ops.artifacts a on a.id = ap.artifact_id "
                    + "where ap.project = ? and ap.pack_id = ? and a.pruned_at is null on conflict do nothing", to.packId(), project, from);
            tx.update("delete from ops.artifact_packs ap using ops.artifacts a "
                    + "where a.id = ap.artifact_id and ap.project = ? and ap.pack_id = ? and a.pruned_at is null", project, from);
            tx.update("update ops.pack_moves set moved_to = ?, moved_at = now() where project = ? and moved_to = ?",
                    to.packId(), project, from);
            tx.update("insert into ops.pack_moves(project, pack_id, moved_to) values (?, ?, ?) on conflict (project, pack_id) "
                    + "do update set moved_to = excluded.moved_to, moved_at = now()", project, from, to.packId());
            // marked as the collector marks: a registration waiting for the lock now refuses it (V13), and readers
            // find its files in the new pack at once
            tx.update("update ops.filestore_packs set deleted_at = now() where project = ? and pack_id = ?", project, from);
            return true;
        });
    }
}
