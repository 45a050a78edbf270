package dev.odooops.backup;

import dev.odooops.postgres.TableCounts;
import dev.odooops.postgres.DumpSizes;
import dev.odooops.domain.DatabaseProgress;
import dev.odooops.run.Await;
import dev.odooops.postgres.EnvironmentDatabase;
import dev.odooops.run.Vars;

import dev.odooops.config.DatabaseConfig;
import dev.odooops.config.Settings;
import dev.odooops.domain.Checksums;
import dev.odooops.exec.PgPassFile;
import dev.odooops.exec.ToolFailedException;
import dev.odooops.exec.ToolResult;
import dev.odooops.exec.ToolRunner;
import dev.odooops.model.BackupJob;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.postgres.AttachmentReferences;
import org.apache.camel.Variable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Step 4: {@code pg_dump -Fc --compress=<backup.dump-compression>} into db.dump, with db.dump.sha256 and db.dump.meta.json.
 * <p>The dump and the per-table row counts come from one snapshot: a REPEATABLE READ transaction exports
 * it, pg_dump imports it ({@code --snapshot}), and the counts are taken in that same transaction while the
 * dump runs, so restore verification compares against exactly what the dump holds. The attachment
 * references ({@link AttachmentReferences}) are read in that snapshot too and handed to the filestore half.
 * Afterwards
 * {@code pg_restore --list} must succeed and list the data of every counted table.
 */
public class DumpDatabase {
    /** pg_dump's application_name (PGAPPNAME). */
    static final String PG_DUMP_SESSION = "odoo-ops pg_dump";

    private final ToolRunner tools;
    private final OpsCatalog catalog;
    private final Duration timeout;
    private final int compression;

    public DumpDatabase(ToolRunner tools, OpsCatalog catalog, Settings.Backup settings) {
        this.tools = tools;
        this.catalog = catalog;
        this.timeout = Duration.ofSeconds(settings.pgDumpTimeoutSeconds());
        this.compression = settings.dumpCompression();
    }

    public void dump(@Variable(Vars.BACKUP_JOB) BackupJob job) throws Exception {
        if (!job.request().type().includesDatabase()) return;
        try {
            dumpInSnapshot(job);
        } catch (Exception | Error e) {
            job.attachmentReferences().completeExceptionally(e); // the filestore half reports the same cause
            throw e;
        } finally {
            // the filestore half waits for the references: never leave it waiting (no-op once completed)
            job.attachmentReferences().completeExceptionally(
                    new IllegalStateException("the database dump failed before its snapshot was read"));
        }
    }

    private void dumpInSnapshot(BackupJob job) throws Exception {
        DatabaseConfig db = job.environment().database();
        Path dump = job.workDir().resolve("db.dump");
        Map<String, Object> meta = new LinkedHashMap<>();
        Instant started = Instant.now();
        String pgDumpVersion = tools.run(List.of("pg_dump", "--version"), Map.of(), Duration.ofSeconds(30)).stdout().strip();
        Map<String, Long> counts;
        String serverVersion;
        try (PgPassFile pass = PgPassFile.create(job.workDir(), db); Connection snap = EnvironmentDatabase.connect(db)) {
            snap.setAutoCommit(false);
            try (Statement st = snap.createStatement()) {
                st.execute("set transaction isolation level repeatable read, read only");
            }
            String snapshot = single(snap, "select pg_export_snapshot()");
            serverVersion = single(snap, "select current_setting('server_version')");
            meta.put("database_bytes", DumpSizes.databaseBytes(snap)); // the restore's progress total
            ToolRunner.Progress progress = progress(snap, db, dump);
            // its own session name, so that its COPYs are told from the others' (the progress line's measure)
            Map<String, String> environment = new LinkedHashMap<>(pass.environment(db));
            environment.put("PGAPPNAME", PG_DUMP_SESSION);
            // backup.dump-compression: pg_dump's gzip level (0 to 9; 1 by default, pg_dump's own default is 6)
            List<String> argv = List.of("pg_dump", "--format=custom", "--compress=" + compression, "--no-password", "--host=" + db.host(),
                    "--port=" + db.port(), "--username=" + db.user(), "--dbname=" + db.name(),
                    "--snapshot=" + snapshot, "--file=" + dump);
            CompletableFuture<ToolResult> pgDump = CompletableFuture.supplyAsync(
                    () -> tools.run(argv, environment, timeout, progress));
            try {
                // the filestore half takes its inventory once it has these: after the snapshot
                job.attachmentReferences().complete(AttachmentReferences.read(snap, job.environment().app()));
                counts = TableCounts.of(snap);
            } catch (SQLException e) {
                // the snapshot's transaction is now aborted, so pg_dump fails too: report the first cause
                pgDump.handle((r, t) -> null).join();
                throw new IllegalStateException("reading the dump snapshot (attachments, row counts) failed: " + e.getMessage(), e);
            }
            Await.join(pgDump); // the snapshot stays open until pg_dump has finished
            snap.commit();
        }
        Instant finished = Instant.now();
        List<String> missing = viabilityCheck(dump, counts);
        if (!missing.isEmpty()) {
            throw new IllegalStateException("restore-viability check failed: pg_restore --list shows no TABLE DATA for "
                    + missing.size() + " table(s), first " + missing.get(0));
        }
        long size = Files.size(dump);
        String sha = Checksums.sha256(dump);
        meta.put("file", "db.dump");
        meta.put("format", "pg_dump custom (-Fc)");
        meta.put("compression", "gzip level " + compression);
        meta.put("size_bytes", size);
        meta.put("sha256", sha);
        meta.put("pg_dump_version", pgDumpVersion);
        meta.put("server_version", serverVersion);
        meta.put("server_major_version", job.dbMajorVersion());
        meta.put("db_name", db.name());
        meta.put("started_at", started.toString());
        meta.put("finished_at", finished.toString());
        meta.put("duration_ms", Duration.between(started, finished).toMillis());
        meta.put("restore_viability", "pg_restore --list ok, TABLE DATA listed for all " + counts.size() + " tables");
        meta.put("table_count", counts.size());
        meta.put("row_counts", counts);
        BundleParts.publish(job, "db.dump", dump, size, sha, "db.dump.meta.json", meta);
        catalog.runs().event(job.runId(), "step_completed", "dump-database", Map.of("size_bytes", size, "tables", counts.size(),
                "duration_ms", Duration.between(started, finished).toMillis()));
    }

    /**
     * pg_dump's progress: on a terminal and PostgreSQL 14 or later, the table data its COPYs have sent against the
     * heap size of the dumped tables ({@link DatabaseProgress.Copy}, one query a second on a connection of its
     * own); otherwise, with no query at all, the dump file's size (no total: the compressed size is unknown).
     */
    private ToolRunner.Progress progress(Connection snap, DatabaseConfig db, Path dump) throws SQLException {
        if (!tools.drawsProgress() || snap.getMetaData().getDatabaseMajorVersion() < 14) return ToolRunner.Progress.file(dump);
        DatabaseProgress.Copy copy = new DatabaseProgress.Copy(DumpSizes.tableBytes(snap));
        java.util.concurrent.atomic.AtomicLong last = new java.util.concurrent.atomic.AtomicLong();
        return new ToolRunner.Progress("db.dump", () -> {
            try (Connection c = EnvironmentDatabase.connect(db)) {
                last.set(copy.observe(DumpSizes.copying(c, db.name(), PG_DUMP_SESSION)));
            } catch (SQLException | RuntimeException e) {
                // the server busy or gone for a moment: the last measure stands
            }
            return last.get();
        }, copy.total());
    }

    private List<String> viabilityCheck(Path dump, Map<String, Long> counts) {
        String toc = tools.run(List.of("pg_restore", "--list", dump.toString()), Map.of(), Duration.ofMinutes(10)).stdout();
        List<String> missing = new ArrayList<>();
        for (String table : counts.keySet()) {
            int dot = table.indexOf('.');
            String needle = " TABLE DATA " + table.substring(0, dot) + " " + table.substring(dot + 1) + " ";
            if (!toc.contains(needle)) missing.add(table);
        }
        return missing;
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }
}
