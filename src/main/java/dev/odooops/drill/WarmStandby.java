package dev.odooops.drill;

import dev.odooops.config.DatabaseConfig;
import dev.odooops.config.DrillSettings;
import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.FilestoreOwner;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.exec.CrashPoints;
import dev.odooops.exec.WorkFiles;
import dev.odooops.model.RestoreJob;
import dev.odooops.ops.DrillCatalog;
import dev.odooops.postgres.EnvironmentDatabase;
import dev.odooops.postgres.PgAdmin;
import dev.odooops.restore.SideCopies;
import dev.odooops.restore.StandbyCopies;
import dev.odooops.restore.StandbyFingerprint;
import dev.odooops.run.Vars;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The warm standby (issue 16, section 3; docs/drills.md "Warm standby"): with {@code drills.standby: true}, the drill
 * that passed on the environment's newest live full backup keeps its copies, closed, so that a restore of exactly that
 * artifact renames them in instead of running {@code pg_restore}.
 * <p>Names (all on the environment's own server and beside its live filestore, on its file system):
 * <ul>
 *   <li>the kept database {@code <db>__standby} and filestore {@code <filestore>.standby};</li>
 *   <li>while one is being kept, or replaced: {@code <db>__standby_<tag>} and {@code <filestore>.standby-<tag>}, the tag
 *   being the first 8 hex digits of the drill's run id ({@link SideCopies#tag}). The restore's side copies use other
 *   role words ({@link SideCopies}), so neither sweep takes the other's.</li>
 * </ul>
 * <p>Keeping ({@link #keep}, from the drill's keep-or-drop): the scratch database vacuumed and analysed (nothing left
 * for autovacuum to do), closed ({@code ALLOW_CONNECTIONS false}) and renamed to its pending name; the filestore built
 * at its pending name from the drill's extracted files, hard links to the live files where the live file has the same
 * path, size and SHA-1 (copies, i.e. the drill's own files, for an application that rewrites files under their name);
 * the fingerprint ({@link StandbyFingerprint}) read; then the ops.standbys row switched in one transaction; only then
 * the old standby dropped and the pending names renamed to the kept ones. A {@code kill -9} anywhere leaves names
 * {@link #sweep} recognises: pending copies of no running drill dropped, or finished when the row already names them.
 * <p>Using (route restore, node use-standby, {@link #decide}): a full restore of exactly the standby's artifact into its
 * environment, the standby still closed with the recorded fingerprint and the kept filestore's layout unchanged:
 * RestoreDatabase and RestoreFilestore then claim them ({@link StandbyCopies}: renamed to the
 * restore's side names and checked again after the rename) instead of loading; a refusal at any point runs the normal
 * path. The row is removed after the swap ({@link #consumed}).
 */
public class WarmStandby {
    private static final Logger LOG = LoggerFactory.getLogger(WarmStandby.class);

    private final DrillCatalog drills;
    private final DrillSettings settings;

    public WarmStandby(DrillCatalog drills, DrillSettings settings) {
        this.drills = drills;
        this.settings = settings;
    }


    // ------------------------------------------------------------------ keeping

    /**
     * Keeps the drill's scratch copies as the environment's standby (see the class comment); the evidence
     * (standby.json): names, fingerprint, the disk it takes ({@code bytes}: the database's size plus the bytes not
     * shared with the live filestore). The scratch copies are gone afterwards (renamed, or moved file by file). A
     * failure drops the pending copies and throws (the drill, which validated its artifact, then passes
     * without a standby, with a warning, and drops the rest: RestoreDrill.keepOrDrop).
     */
    public Map<String, Object> keep(DrillJob job) throws Exception {
        EnvironmentConfig env = job.environment();
        DatabaseConfig db = env.database();
        if (!job.onOwnServer()) throw new IllegalStateException("a standby is kept on the environment's own server only");
        String tag = SideCopies.tag(job.runId());
        String live = db.name();
        String pendingDb = StandbyCopies.pendingDatabase(live, tag);
        Path liveFs = env.filestore().toAbsolutePath();
        Path pendingFs = StandbyCopies.pendingFilestore(liveFs, tag);
        Map<String, Object> out = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        boolean recorded = false;
        try {
            // the database: nothing left for autovacuum, closed, renamed out of the scratch names
            try (Connection c = EnvironmentDatabase.connect(db, job.scratchDatabase()); Statement st = c.createStatement()) {
                st.execute("vacuum (analyze)");
            }
            // what a restore that renames this standby in records as its new copies' fingerprint (restore
            // EnvironmentFingerprint: the rows' digest here, while it is open; the tree digest below): taken now, so that
            // such a restore need not read the copies again beside its safety backup
            var scratch = db.named(job.scratchDatabase());
            Map<String, Object> restorePrint = new LinkedHashMap<>(
                    dev.odooops.restore.EnvironmentFingerprint.of(scratch, null, dev.odooops.model.BackupType.DB_ONLY));
            try (PgAdmin admin = new PgAdmin(db)) {
                admin.dropIfExists(pendingDb); // a leftover of this very run cannot exist; of a tag collision, may
                StandbyCopies.allowConnections(db, job.scratchDatabase(), false);
                admin.renameWithoutSessions(job.scratchDatabase(), pendingDb);
            }
            CrashPoints.reached("standby:database-renamed");
            long vacuumMs = ms(t0);
            // the filestore beside the live one
            long t1 = System.nanoTime();
            Map<String, Object> built = build(env, job.scratchFilestore(), liveFs, pendingFs);
            long buildMs = ms(t1);
            Map<String, Object> fsPrint = StandbyFingerprint.filestore(pendingFs);
            fsPrint.put("tree_digest", job.actualTreeDigest());
            Map<String, Object> dbPrint = settled(db, pendingDb);
            long size = ((Number) dbPrint.get("size_bytes")).longValue();
            long unshared = ((Number) built.get("unshared_bytes")).longValue();
            long bytes = size + unshared;
            Map<String, Object> fingerprint = new LinkedHashMap<>();
            fingerprint.put("database", dbPrint);
            fingerprint.put("filestore", fsPrint);
            fingerprint.put("database_bytes", size);
            fingerprint.put("filestore_unshared_bytes", unshared);
            restorePrint.putAll(dev.odooops.restore.EnvironmentFingerprint.of(null, pendingFs, dev.odooops.model.BackupType.FILESTORE_ONLY));
            fingerprint.put(StandbyCopies.RESTORE_FINGERPRINT, restorePrint);
            CrashPoints.reached("standby:kept-not-recorded");
            String keptDb = StandbyCopies.database(live);
            Path keptFs = StandbyCopies.filestore(liveFs);
            Optional<DrillCatalog.Standby> previous = drills.switchStandby(new DrillCatalog.Standby(env.id(), job.artifact().id(),
                    job.runId(), DrillNames.server(db), keptDb, keptFs.toString(), fingerprint, bytes, null));
            CrashPoints.reached("standby:recorded");
            // recorded: the old one is garbage now, the pending names become the kept ones
            recorded = true;
            List<Object> replaced = new ArrayList<>();
            try {
                install(db, live, liveFs, tag, replaced);
            } catch (Exception e) {
                // recorded already: the next sweep finishes the renames (the row names this drill)
                replaced.add("not yet renamed to the kept names (the next sweep does it): " + e.getMessage());
                job.warn("standby kept under its pending names: " + e.getMessage());
            }
            out.put("kept", true);
            out.put("database", keptDb);
            out.put("filestore", keptFs.toString());
            out.put("artifact_id", job.artifact().id());
            out.put("bytes", bytes);
            out.put("database_bytes", size);
            out.put("filestore_unshared_bytes", unshared);
            out.put("filestore_build", built);
            out.put("fingerprint", fingerprint);
            previous.ifPresent(p -> out.put("replaced", Map.of("artifact_id", p.artifactId(), "drill_run_id", p.drillRunId().toString())));
            out.put("actions", replaced);
            out.put("vacuum_close_ms", vacuumMs);
            out.put("filestore_ms", buildMs);
            out.put("duration_ms", ms(t0));
            LOG.info("drill run {} kept {} and {} as the standby of {} ({} bytes)", job.runId(), keptDb, keptFs, env.id(), bytes);
            return out;
        } catch (Exception e) {
            if (!recorded) {
                dropQuietly(db, pendingDb);
                WorkFiles.deleteTree(pendingFs);
            }
            throw e;
        }
    }

    /** The pending copies of {@code tag} become the kept ones: the old kept ones dropped first (the row names the new). */
    private static void install(DatabaseConfig db, String live, Path liveFs, String tag, List<Object> actions) throws Exception {
        String keptDb = StandbyCopies.database(live);
        String pendingDb = StandbyCopies.pendingDatabase(live, tag);
        Path keptFs = StandbyCopies.filestore(liveFs);
        Path pendingFs = StandbyCopies.pendingFilestore(liveFs, tag);
        try (PgAdmin admin = new PgAdmin(db)) {
            if (admin.exists(pendingDb)) {
                if (admin.exists(keptDb)) {
                    admin.dropIfExists(keptDb);
                    actions.add("dropped the replaced standby database " + keptDb);
                }
                CrashPoints.reached("standby:old-dropped");
                admin.rename(pendingDb, keptDb);
                actions.add("database " + pendingDb + " -> " + keptDb);
            }
        }
        if (Files.exists(pendingFs, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.exists(keptFs, LinkOption.NOFOLLOW_LINKS)) {
                Path trash = StandbyCopies.pendingFilestore(liveFs, "x" + tag);
                WorkFiles.deleteTree(trash);
                Files.move(keptFs, trash, StandardCopyOption.ATOMIC_MOVE);
                Files.move(pendingFs, keptFs, StandardCopyOption.ATOMIC_MOVE);
                WorkFiles.deleteTree(trash);
                actions.add("removed the replaced standby filestore " + keptFs);
            } else {
                Files.move(pendingFs, keptFs, StandardCopyOption.ATOMIC_MOVE);
            }
            actions.add("filestore " + pendingFs + " -> " + keptFs);
        }
    }

    /**
     * The kept filestore at {@code target} (on the live filestore's file system) from the drill's extracted tree
     * {@code scratch}: each file a hard link to the live file of the same relative path when that is a regular file
     * of the same size and SHA-1 and the application names files by content (Odoo), else the drill's own file moved
     * there (given the filestore's owner and modes). The scratch tree is consumed.
     */
    static Map<String, Object> build(EnvironmentConfig env, Path scratch, Path liveFs, Path target) throws IOException {
        boolean link = env.app().namesByContent();
        FilestoreOwner owner = FilestoreOwner.resolve(env.filestoreOwner(), liveFs);
        Path liveReal = Files.isDirectory(liveFs) ? liveFs.toRealPath() : null;
        WorkFiles.deleteTree(target);
        Files.createDirectories(target);
        long linked = 0, linkedBytes = 0, moved = 0, movedBytes = 0;
        try (Stream<Path> walk = Files.walk(scratch)) {
            for (Path p : walk.toList()) {
                String rel = scratch.relativize(p).toString();
                if (rel.isEmpty()) continue;
                Path to = target.resolve(rel);
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(to);
                    continue;
                }
                if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) throw new IOException("not a regular file in the drill's filestore: " + rel);
                long size = Files.size(p);
                Files.createDirectories(to.getParent());
                if (link && liveReal != null && sameLiveFile(liveReal, rel, p, size)) {
                    Files.createLink(to, liveReal.resolve(rel));
                    if (Files.size(to) == size && Checksums.sha1(to).equals(Checksums.sha1(p))) {
                        linked++;
                        linkedBytes += size;
                        continue;
                    }
                    Files.delete(to); // changed since compared: the drill's own file instead
                }
                Files.move(p, to, StandardCopyOption.REPLACE_EXISTING);
                owner.apply(to);
                moved++;
                movedBytes += size;
            }
        }
        owner.applyToDirectories(target);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("linked_files", linked);
        out.put("linked_bytes", linkedBytes);
        out.put(link ? "own_files" : "copied_files", moved);
        out.put("unshared_bytes", movedBytes);
        return out;
    }

    private static boolean sameLiveFile(Path liveReal, String rel, Path drillFile, long size) {
        try {
            Path f = liveReal.resolve(rel).normalize();
            if (!f.startsWith(liveReal) || !Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) return false;
            if (!f.getParent().toRealPath().equals(f.getParent())) return false; // a linked directory is not followed
            return Files.size(f) == size && Checksums.sha1(f).equals(Checksums.sha1(drillFile));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * The database's fingerprint once its statistics are settled (the last session's counters are flushed when it
     * ends, which may be just after it left pg_stat_activity): read until no session is on it and two reads a little
     * apart agree.
     */
    private static Map<String, Object> settled(DatabaseConfig db, String name) throws Exception {
        Map<String, Object> last = null;
        try (Connection c = EnvironmentDatabase.connect(db, "postgres")) {
            for (int i = 0; i < 40; i++) {
                Map<String, Object> now = StandbyFingerprint.database(c, name);
                if (now.isEmpty()) throw new IllegalStateException("database " + name + " vanished while it was kept");
                if (last != null && ((Number) now.get("sessions")).longValue() == 0 && now.equals(last)) {
                    now.remove("sessions");
                    return now;
                }
                last = now;
                Thread.sleep(250);
            }
        }
        throw new IllegalStateException("the statistics of " + name + " did not settle (something is using it)");
    }

    private static void dropQuietly(DatabaseConfig db, String name) {
        try (PgAdmin admin = new PgAdmin(db)) {
            admin.dropIfExists(name);
        } catch (Exception e) {
            LOG.warn("could not drop {} (the next sweep drops it): {}", name, e.getMessage());
        }
    }

    // ------------------------------------------------------------------ the sweep

    /**
     * The environment's standby copies put in order after a crash, judging from the names, the row and the drills
     * still running: pending copies of a drill that is not running are dropped, unless the row names that drill (the
     * crash came after the switch: they become the kept ones); kept copies no row records are dropped; a row whose
     * kept database is gone (consumed by a restore, dropped by hand) is removed; with {@code standby} off, the kept
     * standby is dropped too. What was done (empty: nothing); never throws.
     */
    public List<Object> sweep(EnvironmentConfig env, SecretRedactor redactor) {
        List<Object> actions = new ArrayList<>();
        try {
            DatabaseConfig db = env.database();
            String live = db.name();
            Path liveFs = env.filestore().toAbsolutePath();
            Optional<DrillCatalog.Standby> row = drills.standby(env.id());
            boolean on = settings.forEnvironment(env).standby();
            if (row.isPresent() && !on) {
                drills.removeStandby(env.id(), row.get().drillRunId());
                actions.add("standby of " + env.id() + " removed: drills.standby is off");
                row = Optional.empty();
            }
            Set<String> running = new java.util.HashSet<>();
            for (UUID r : drills.activeDrills(env.id())) running.add(SideCopies.tag(r));
            String recordedTag = row.map(r -> SideCopies.tag(r.drillRunId())).orElse(null);
            if (recordedTag != null && !running.contains(recordedTag)) install(db, live, liveFs, recordedTag, actions); // the crash came after the switch
            String keptDb = StandbyCopies.database(live);
            String prefix = keptDb + "_";
            try (PgAdmin admin = new PgAdmin(db)) {
                for (String name : admin.namesLike(prefix.length() > 40 ? prefix.substring(0, 40) : prefix)) {
                    String tag = name.startsWith(prefix) ? name.substring(prefix.length()) : null;
                    if (tag == null || !tag.matches("[0-9a-f]{8}") || running.contains(tag)) continue;
                    try {
                        admin.dropIfExists(name);
                        actions.add("dropped the half-kept standby database " + name);
                    } catch (SQLException e) {
                        actions.add("half-kept standby database " + name + " not dropped: " + redactor.scrub(String.valueOf(e.getMessage())));
                    }
                }
                if (row.isEmpty() && admin.exists(keptDb)) {
                    admin.dropIfExists(keptDb);
                    actions.add("dropped the unrecorded standby database " + keptDb);
                }
                if (row.isPresent() && !admin.exists(keptDb)) {
                    drills.removeStandby(env.id(), row.get().drillRunId());
                    actions.add("standby row of " + env.id() + " removed: its database " + keptDb + " is gone");
                }
            }
            Path parent = liveFs.getParent();
            String fsPrefix = liveFs.getFileName() + "." + StandbyCopies.ROLE + "-";
            if (parent != null && Files.isDirectory(parent)) {
                try (Stream<Path> list = Files.list(parent)) {
                    for (Path p : list.toList()) {
                        String n = p.getFileName().toString();
                        if (!n.startsWith(fsPrefix)) continue;
                        String tag = n.substring(fsPrefix.length());
                        String plain = tag.startsWith("x") ? tag.substring(1) : tag;
                        if (!plain.matches("[0-9a-f]{8}") || (tag.equals(plain) && running.contains(tag))) continue;
                        WorkFiles.deleteTree(p);
                        actions.add("removed the half-kept standby filestore " + p);
                    }
                }
            }
            Path keptFs = StandbyCopies.filestore(liveFs);
            if (row.isEmpty() && Files.exists(keptFs, LinkOption.NOFOLLOW_LINKS)) {
                WorkFiles.deleteTree(keptFs);
                actions.add("removed the unrecorded standby filestore " + keptFs);
            }
        } catch (Exception e) {
            actions.add("standby of " + env.id() + " not swept: " + redactor.scrub(String.valueOf(e.getMessage())));
        }
        if (!actions.isEmpty()) LOG.warn("standby sweep of {}: {}", env.id(), actions);
        return actions;
    }

    // ------------------------------------------------------------------ using

    /**
     * Node use-standby of the restore (before anything is loaded): whether the environment's standby replaces the
     * load, in the job ({@link RestoreJob#standby()}) and standby.json: {@code standby} true, or false with the reason.
     */
    public void decide(@Variable(Vars.RESTORE_JOB) RestoreJob job) {
        Map<String, Object> d = new ConcurrentHashMap<>();
        String why;
        try {
            why = refusal(job, d);
        } catch (Exception e) {
            why = "could not be checked: " + e.getMessage();
        }
        d.put("standby", why == null);
        if (why != null) d.put("reason", why);
        else d.put("reason", "the standby kept by drill " + d.get("drill_run_id") + " is closed and unchanged");
        job.standby(d);
        job.evidence().json("standby.json", new java.util.TreeMap<>(d));
        job.stepDetail(Map.of("standby", why == null, "reason", String.valueOf(d.get("reason"))));
    }

    private String refusal(RestoreJob job, Map<String, Object> d) throws Exception {
        EnvironmentConfig env = job.environment();
        Optional<DrillCatalog.Standby> row = drills.standby(env.id());
        if (row.isEmpty()) return "no standby is kept for " + env.id();
        DrillCatalog.Standby s = row.get();
        d.put("drill_run_id", s.drillRunId().toString());
        d.put("standby_artifact_id", s.artifactId());
        d.put("database", s.databaseName());
        d.put("filestore", s.filestore());
        if (!job.request().type().includesDatabase() || !job.request().type().includesFilestore()) {
            return "a " + job.request().type().wire() + " restore: the standby replaces a full restore only";
        }
        if (!s.artifactId().equals(job.artifact().id())) return "the standby holds artifact " + s.artifactId() + ", not " + job.artifact().id();
        if (!env.id().equals(job.artifact().environmentId())) return "the artifact is of " + job.artifact().environmentId() + ", not of " + env.id();
        if (!DrillNames.server(env.database()).equals(s.server())) return "the standby is on " + s.server() + ", not on the environment's server";
        if (!StandbyCopies.database(env.database().name()).equals(s.databaseName())
                || !StandbyCopies.filestore(env.filestore().toAbsolutePath()).toString().equals(s.filestore())) {
            return "the standby's recorded names are not this environment's";
        }
        Map<String, Object> fp = s.fingerprint();
        d.put("recorded_fingerprint", fp);
        String why = StandbyCopies.checkDatabase(env.database(), s.databaseName(), fp);
        if (why != null) return why;
        return StandbyCopies.checkFilestore(Path.of(s.filestore()), fp);
    }

    /** Node standby-consumed (after the swaps): the row of the standby this restore renamed in removed. */
    public void consumed(@Variable(Vars.RESTORE_JOB) RestoreJob job) {
        Map<String, Object> d = job.standby();
        if (d == null || !Boolean.TRUE.equals(d.get("standby"))) return;
        boolean removed = drills.removeStandby(job.environment().id(), UUID.fromString(String.valueOf(d.get("drill_run_id"))));
        d.put("consumed", removed);
        job.evidence().json("standby.json", new java.util.TreeMap<>(d));
        job.stepDetail(Map.of("consumed", removed));
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
