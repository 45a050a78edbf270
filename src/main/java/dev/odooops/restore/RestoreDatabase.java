package dev.odooops.restore;

import dev.odooops.postgres.TableCounts;
import dev.odooops.postgres.EnvironmentDatabase;
import dev.odooops.postgres.PgAdmin;
import dev.odooops.exec.CrashPoints;
import dev.odooops.run.Vars;

import dev.odooops.config.DatabaseConfig;
import dev.odooops.config.Settings;
import dev.odooops.domain.Json;
import dev.odooops.exec.PgPassFile;
import dev.odooops.exec.ToolFailedException;
import dev.odooops.exec.ToolResult;
import dev.odooops.exec.ToolRunner;
import dev.odooops.model.RestoreJob;
import dev.odooops.ops.OpsCatalog;
import org.apache.camel.Variable;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Restore step 5, never in place: {@code pg_restore --exit-on-error} into a new database
 * {@code <db>__restore_<run>}, row counts checked against those recorded at backup time, then the names
 * swapped in a short critical section: the live database becomes {@code <db>__pre_<run>} (kept aside until
 * the run ends) and the new one takes its name. Every change is recorded in the job as it happens, for the
 * rollback.
 */
public class RestoreDatabase {
    private final ToolRunner tools;
    private final OpsCatalog catalog;
    private final Duration timeout;
    private final int jobs;

    public RestoreDatabase(ToolRunner tools, OpsCatalog catalog, Settings.Restore settings) {
        this.tools = tools;
        this.catalog = catalog;
        this.timeout = Duration.ofSeconds(settings.pgRestoreTimeoutSeconds());
        this.jobs = settings.pgRestoreJobs();
    }

    public void restore(@Variable(Vars.RESTORE_JOB) RestoreJob job) throws Exception {
        if (!job.request().type().includesDatabase()) return;
        DatabaseConfig db = job.environment().database();
        String live = db.name();
        String tag = job.sideTag();
        String fresh = SideCopies.database(live, SideCopies.Role.RESTORE, tag);
        String aside = SideCopies.database(live, SideCopies.Role.PRE, tag);
        Path dump = job.files().get("db.dump");
        StringBuilder log = new StringBuilder();
        Map<String, Object> durations = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        try (PgAdmin admin = new PgAdmin(db)) {
            admin.dropIfExists(fresh); // a leftover of an earlier, killed run
            admin.create(fresh, live);
            job.newDatabase(fresh);
            log.append("created database ").append(fresh).append('\n');
        }
        long t1 = System.nanoTime();
        ToolResult restored;
        try (PgPassFile pass = PgPassFile.create(job.workDir(), db)) {
            List<String> argv = List.of("pg_restore", "--exit-on-error", "--no-owner", "--no-acl", "--no-password",
                    "--jobs=" + jobs, "--host=" + db.host(), "--port=" + db.port(), "--username=" + db.user(),
                    "--dbname=" + fresh, dump.toString());
            log.append("pg_restore --exit-on-error --no-owner --no-acl --jobs=").append(jobs).append(" --dbname=")
                    .append(fresh).append(' ').append(dump.getFileName()).append('\n');
            try {
                restored = tools.run(argv, pass.environment(db), timeout, new ToolRunner.Progress("database " + fresh,
                        () -> databaseSize(db, fresh)));
            } catch (ToolFailedException e) {
                log.append("FAILED: ").append(e.getMessage()).append('\n');
                job.evidence().text("db_restore.log", log.toString());
                throw e;
            }
        }
        log.append(restored.stderr().isBlank() ? "pg_restore: no messages\n" : restored.stderr());
        long t2 = System.nanoTime();

        Map<String, Object> meta = Json.readMap(job.files().get("db.dump.meta.json"));
        @SuppressWarnings("unchecked")
        Map<String, Object> expected = new TreeMap<>((Map<String, Object>) meta.get("row_counts"));
        Map<String, Long> actual;
        try (Connection c = EnvironmentDatabase.connect(db, fresh)) {
            actual = TableCounts.of(c);
        }
        Map<String, Object> mismatches = new TreeMap<>();
        expected.forEach((table, n) -> {
            Long got = actual.get(table);
            if (got == null || got != ((Number) n).longValue()) mismatches.put(table, Map.of("expected", n, "restored", got == null ? "missing" : got));
        });
        Map<String, Object> verification = new LinkedHashMap<>();
        verification.put("database", fresh);
        verification.put("tables_expected", expected.size());
        verification.put("tables_restored", actual.size());
        verification.put("row_counts_match", mismatches.isEmpty());
        verification.put("mismatches", mismatches);
        verification.put("dump_sha256", job.artifact().checksums().get("db.dump"));
        job.evidence().json("db_restore_checksum_verification.json", verification);
        if (!mismatches.isEmpty()) {
            job.evidence().text("db_restore.log", log.toString());
            throw new IllegalStateException("restored database differs from the backup in " + mismatches.size()
                    + " table(s): " + mismatches.keySet());
        }
        long t3 = System.nanoTime();
        // the new filestore is prepared meanwhile: when that has already failed (a pack damaged in the store, a
        // hostile archive), the restore fails here, before the live database is swapped out for nothing
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

        try (PgAdmin admin = new PgAdmin(db)) {
            if (admin.exists(live)) {
                int ended = admin.terminate(live);
                admin.renameWithoutSessions(live, aside);
                job.asideDatabase(aside);
                log.append("ended ").append(ended).append(" session(s); renamed ").append(live).append(" -> ").append(aside).append('\n');
            }
            CrashPoints.reached("restore-database:live-moved-aside");
            // a session left on the new database (a monitoring tool, a superuser's psql) would make the rename
            // fail half-way: end them first; one we may not end fails the step, and the rollback puts the live
            // copy back without needing the new one gone
            admin.renameWithoutSessions(fresh, live);
            job.databaseSwapped(true);
            log.append("renamed ").append(fresh).append(" -> ").append(live).append('\n');
        }
        long t4 = System.nanoTime();
        job.evidence().text("db_restore.log", log.toString());
        durations.put("create_ms", (t1 - t0) / 1_000_000);
        durations.put("pg_restore_ms", (t2 - t1) / 1_000_000);
        durations.put("verify_ms", (t3 - t2) / 1_000_000);
        durations.put("swap_ms", (t4 - t3) / 1_000_000);
        durations.put("total_ms", (t4 - t0) / 1_000_000);
        job.evidence().json("db_restore_duration.json", durations);
        job.stepDetail(Map.of("tables", actual.size(),
                "pg_restore_ms", (t2 - t1) / 1_000_000, "swap_ms", (t4 - t3) / 1_000_000));
    }

    private static long databaseSize(DatabaseConfig db, String name) {
        try (PgAdmin admin = new PgAdmin(db)) {
            return admin.size(name);
        } catch (Exception e) {
            return 0;
        }
    }
}
