package dev.odooops.restore;

import dev.odooops.postgres.PgAdmin;
import dev.odooops.exec.CrashPoints;
import dev.odooops.run.Vars;

import dev.odooops.config.DatabaseConfig;
import dev.odooops.domain.DatabaseProgress;
import dev.odooops.config.Settings;
import dev.odooops.exec.PgPassFile;
import dev.odooops.exec.ToolFailedException;
import dev.odooops.exec.ToolResult;
import dev.odooops.exec.ToolRunner;
import dev.odooops.model.RestoreJob;
import dev.odooops.ops.OpsCatalog;
import org.apache.camel.Variable;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Restore step 5, never in place, in four steps (four nodes of routes/restore.camel.yaml, in this order):
 * <ol>
 *   <li>{@link #create}: a new database {@code <db>__restore_<run>} (recorded in the job: from here the rollback
 *   drops it);</li>
 *   <li>{@link #load}: {@code pg_restore --exit-on-error} into it;</li>
 *   <li>{@link #checkRowCounts}: every table's row count against those recorded at backup time;</li>
 *   <li>{@link #swap}: the names swapped in a short critical section: the live database becomes
 *   {@code <db>__pre_<run>} (kept aside until the run ends) and the new one takes its name.</li>
 * </ol>
 * Every change is recorded in the job as it happens, for the rollback; each step adds its lines to
 * db_restore.log (written after every step, so a step that fails half-way leaves its log). {@link #restore} runs
 * the four at once (the rollback's slow path restores the safety backup's database with it). A restore without
 * the database part skips all four.
 */
public class RestoreDatabase {
    private final ToolRunner tools;
    private final OpsCatalog catalog;
    private final Duration timeout;
    private final Settings.Restore settings;

    public RestoreDatabase(ToolRunner tools, OpsCatalog catalog, Settings.Restore settings) {
        this.tools = tools;
        this.catalog = catalog;
        this.settings = settings;
        this.timeout = Duration.ofSeconds(settings.pgRestoreTimeoutSeconds());
    }

    /** The four steps in one call (the rollback's slow path). */
    public void restore(RestoreJob job) throws Exception {
        create(job);
        load(job);
        checkRowCounts(job);
        swap(job);
    }

    private static String fresh(RestoreJob job) {
        return SideCopies.database(job.environment().database().name(), SideCopies.Role.RESTORE, job.sideTag());
    }

    /** Step create-restore-database: the new, empty database beside the live one (a leftover of a killed run dropped). */
    public void create(@Variable(Vars.RESTORE_JOB) RestoreJob job) throws Exception {
        if (!job.request().type().includesDatabase()) return;
        DatabaseConfig db = job.environment().database();
        String fresh = fresh(job);
        RestoreJob.DatabaseSteps steps = job.databaseSteps();
        long t0 = System.nanoTime();
        try (PgAdmin admin = new PgAdmin(db)) {
            admin.dropIfExists(fresh); // a leftover of an earlier, killed run
            if (job.standbyFor("database")) {
                // the warm standby renamed in instead of a pg_restore (drill.WarmStandby); refused: the normal path
                String refused = StandbyCopies.claimDatabase(job, admin, fresh);
                if (refused == null) {
                    steps.log.append("warm standby ").append(StandbyCopies.database(db.name())).append(" renamed to ")
                            .append(fresh).append(", checked unchanged and opened: pg_restore not run\n");
                    steps.millis.put("create_ms", (System.nanoTime() - t0) / 1_000_000);
                    job.evidence().text("db_restore.log", steps.log.toString());
                    job.stepDetail(Map.of("database", fresh, "standby", true));
                    return;
                }
                job.standby().put("database_refused", refused);
                job.evidence().json("standby.json", new java.util.TreeMap<>(job.standby()));
                job.warn("warm standby refused, pg_restore runs: " + refused);
                steps.log.append("warm standby refused (").append(refused).append("): pg_restore runs\n");
                admin.dropIfExists(fresh);
            }
            admin.create(fresh, db.name());
            job.newDatabase(fresh);
            steps.log.append("created database ").append(fresh).append('\n');
        }
        steps.millis.put("create_ms", (System.nanoTime() - t0) / 1_000_000);
        job.evidence().text("db_restore.log", steps.log.toString());
        job.stepDetail(Map.of("database", fresh));
    }

    /** Step restore-database: pg_restore of the artifact's dump into the new database. */
    public void load(@Variable(Vars.RESTORE_JOB) RestoreJob job) throws Exception {
        if (!job.request().type().includesDatabase()) return;
        DatabaseConfig db = job.environment().database();
        String fresh = fresh(job);
        RestoreJob.DatabaseSteps steps = job.databaseSteps();
        StringBuilder log = steps.log;
        if (job.standbyFor("database")) {
            steps.millis.put("pg_restore_ms", 0L);
            job.stepDetail(Map.of("pg_restore", "not run: the warm standby"));
            return;
        }
        long t0 = System.nanoTime();
        ToolResult restored;
        try (PgPassFile pass = PgPassFile.create(job.workDir(), db)) {
            List<String> argv = ArtifactUnpacking.pgRestore(db, fresh, job.files().get("db.dump"), settings.pgRestoreJobs());
            log.append("pg_restore --exit-on-error --no-owner --no-acl --jobs=").append(settings.pgRestoreJobs()).append(" --dbname=")
                    .append(fresh).append(' ').append(job.files().get("db.dump").getFileName()).append('\n');
            try {
                long source = sourceBytes(job.files().get("db.dump.meta.json"));
                // at odoo-ops's priority: the load is the restore's longest part (ToolRunner#runAtOwnPriority)
                restored = tools.runAtOwnPriority(argv, settings.pgRestoreEnvironment(pass.environment(db)), timeout, new ToolRunner.Progress("database " + fresh,
                        () -> DatabaseProgress.restored(databaseSize(db, fresh), source), source));
            } catch (ToolFailedException e) {
                log.append("FAILED: ").append(e.getMessage()).append('\n');
                job.evidence().text("db_restore.log", log.toString());
                throw e;
            }
        }
        log.append(restored.stderr().isBlank() ? "pg_restore: no messages\n" : restored.stderr());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        steps.millis.put("pg_restore_ms", ms);
        job.evidence().text("db_restore.log", log.toString());
        job.stepDetail(Map.of("pg_restore_ms", ms));
    }

    /** Step check-row-counts: every table of the new database holds the rows the backup counted in its snapshot. */
    public void checkRowCounts(@Variable(Vars.RESTORE_JOB) RestoreJob job) throws Exception {
        if (!job.request().type().includesDatabase()) return;
        DatabaseConfig db = job.environment().database();
        String fresh = fresh(job);
        RestoreJob.DatabaseSteps steps = job.databaseSteps();
        long t0 = System.nanoTime();
        if (job.standbyFor("database") && job.standby().get("drill_run_id") != null) {
            // the warm standby renamed in: its drill counted every table against this very dump before it kept it (a
            // standby is kept only by a drill that passed), and its fingerprint proves nothing wrote to it since; not
            // counted again beside the safety backup's pg_dump
            Map<String, Object> verification = new LinkedHashMap<>();
            verification.put("database", fresh);
            verification.put("row_counts_match", true);
            verification.put("counted_by", "drill run " + job.standby().get("drill_run_id")
                    + " when it kept the warm standby (unchanged since: standby.json)");
            verification.put("dump_sha256", job.artifact().checksums().get("db.dump"));
            if (dev.odooops.domain.Json.readMap(job.files().get("db.dump.meta.json")).get("row_counts") instanceof Map<?, ?> rc) {
                steps.tables = rc.size();
                verification.put("tables_expected", rc.size());
            }
            job.evidence().json("db_restore_checksum_verification.json", verification);
            steps.log.append("row counts: those the drill checked when it kept the standby\n");
            job.evidence().text("db_restore.log", steps.log.toString());
            steps.millis.put("verify_ms", (System.nanoTime() - t0) / 1_000_000);
            job.stepDetail(Map.of("counted_by_the_drill", true));
            return;
        }
        // one read of every table: the counts checked here and the fingerprint fingerprint-new-copies records (unless
        // something writes to the new database in between: the neutralization of a copy)
        EnvironmentFingerprint.Scan scan = EnvironmentFingerprint.scan(db.named(fresh));
        job.newDatabaseFingerprint(scan.fingerprint());
        ArtifactUnpacking.RowCounts counts = ArtifactUnpacking.rowCounts(scan.rowCounts(), job.files().get("db.dump.meta.json"));
        Map<String, Object> mismatches = counts.mismatches();
        Map<String, Object> verification = new LinkedHashMap<>();
        verification.put("database", fresh);
        verification.put("tables_expected", counts.tablesExpected());
        verification.put("tables_restored", counts.tablesRestored());
        verification.put("row_counts_match", mismatches.isEmpty());
        verification.put("mismatches", mismatches);
        verification.put("dump_sha256", job.artifact().checksums().get("db.dump"));
        job.evidence().json("db_restore_checksum_verification.json", verification);
        if (!mismatches.isEmpty()) {
            steps.log.append("row counts differ in ").append(mismatches.size()).append(" table(s)\n");
            job.evidence().text("db_restore.log", steps.log.toString());
            throw new IllegalStateException("restored database differs from the backup in " + mismatches.size()
                    + " table(s): " + mismatches.keySet());
        }
        steps.tables = counts.tablesRestored();
        steps.millis.put("verify_ms", (System.nanoTime() - t0) / 1_000_000);
        job.stepDetail(Map.of("tables", counts.tablesRestored()));
    }

    /**
     * Step swap-database: the live database aside, the new one under its name. Not when the new filestore,
     * prepared meanwhile, has already failed (a pack damaged in the store, a hostile archive): the restore then
     * fails here, before the live database is swapped out for nothing.
     */
    public void swap(@Variable(Vars.RESTORE_JOB) RestoreJob job) throws Exception {
        if (!job.request().type().includesDatabase()) return;
        DatabaseConfig db = job.environment().database();
        String live = db.name();
        String fresh = fresh(job);
        String aside = SideCopies.database(live, SideCopies.Role.PRE, job.sideTag());
        RestoreJob.DatabaseSteps steps = job.databaseSteps();
        StringBuilder log = steps.log;
        long t0 = System.nanoTime();
        var preparation = job.filestorePreparation();
        if (preparation != null && preparation.isCompletedExceptionally()) {
            Throwable cause;
            try {
                preparation.join();
                cause = null;
            } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
                cause = e.getCause() == null ? e : e.getCause();
            }
            log.append("not swapped: the new filestore could not be prepared\n");
            job.evidence().text("db_restore.log", log.toString());
            throw new IllegalStateException("the new filestore could not be prepared, the database was not swapped: "
                    + (cause == null ? "unknown" : cause.getMessage()), cause);
        }

        job.swapStarted(); // from here the rollback puts the environment back (judging from what exists)
        try (PgAdmin admin = new PgAdmin(db)) {
            if (admin.exists(live)) {
                int ended = admin.terminate(live);
                admin.renameWithoutSessions(live, aside);
                job.asideDatabase(aside);
                log.append("ended ").append(ended).append(" session(s); renamed ").append(live).append(" -> ").append(aside).append('\n');
            }
            CrashPoints.reached("swap-database:live-moved-aside");
            // a session left on the new database (a monitoring tool, a superuser's psql) would make the rename
            // fail half-way: end them first; one we may not end fails the step, and the rollback puts the live
            // copy back without needing the new one gone
            admin.renameWithoutSessions(fresh, live);
            job.databaseSwapped(true);
            log.append("renamed ").append(fresh).append(" -> ").append(live).append('\n');
        } finally {
            job.evidence().text("db_restore.log", log.toString());
        }
        long swapMs = (System.nanoTime() - t0) / 1_000_000;
        Map<String, Object> durations = new LinkedHashMap<>();
        long total = 0;
        for (String k : List.of("create_ms", "pg_restore_ms", "verify_ms")) {
            long ms = steps.millis.getOrDefault(k, 0L);
            durations.put(k, ms);
            total += ms;
        }
        durations.put("swap_ms", swapMs);
        durations.put("total_ms", total + swapMs);
        job.evidence().json("db_restore_duration.json", durations);
        job.stepDetail(Map.of("tables", steps.tables, "pg_restore_ms", durations.get("pg_restore_ms"), "swap_ms", swapMs));
        job.downtime().lap("swap_database_ms");
    }

    /**
     * The source database's size at dump time ({@code database_bytes} of db.dump.meta.json), the total of
     * pg_restore's progress line; 0 (size and rate only) for an artifact made before it was recorded.
     */
    static long sourceBytes(java.nio.file.Path dumpMeta) {
        try {
            return dumpMeta != null && dev.odooops.domain.Json.readMap(dumpMeta).get("database_bytes") instanceof Number n ? n.longValue() : 0;
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static long databaseSize(DatabaseConfig db, String name) {
        try (PgAdmin admin = new PgAdmin(db)) {
            return admin.size(name);
        } catch (Exception e) {
            return 0;
        }
    }
}
