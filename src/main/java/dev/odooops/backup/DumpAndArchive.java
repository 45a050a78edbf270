package dev.odooops.backup;

import dev.odooops.run.Vars;

import dev.odooops.model.BackupJob;
import org.apache.camel.Variable;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Steps 4 and 5 at the same time: the database dump and the filestore archive run concurrently (each is a
 * separate step bean). Both are awaited before anything is reported, so a failure of one half never leaves
 * the other half writing into a work directory that the failure path is removing; the first failure is
 * then rethrown to the route's dead-letter channel, with the run's step set to the half that failed first.
 */
public class DumpAndArchive {
    private final DumpDatabase database;
    private final ArchiveFilestore filestore;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "backup-half");
        t.setDaemon(true);
        return t;
    });

    public DumpAndArchive(DumpDatabase database, ArchiveFilestore filestore) {
        this.database = database;
        this.filestore = filestore;
    }

    public void run(@Variable(Vars.BACKUP_JOB) BackupJob job) throws Exception {
        CompletableFuture<Void> db = CompletableFuture.runAsync(() -> unchecked(() -> database.dump(job)), pool);
        CompletableFuture<Void> fs = CompletableFuture.runAsync(() -> unchecked(() -> filestore.archive(job)), pool);
        java.util.concurrent.atomic.AtomicReference<String> firstFailed = new java.util.concurrent.atomic.AtomicReference<>();
        db.whenComplete((r, t) -> { if (t != null) firstFailed.compareAndSet(null, "dump-database"); });
        fs.whenComplete((r, t) -> { if (t != null) firstFailed.compareAndSet(null, "archive-filestore"); });
        Throwable dbFailure = failure(db);
        Throwable fsFailure = failure(fs);
        Throwable first = "archive-filestore".equals(firstFailed.get()) ? fsFailure : dbFailure != null ? dbFailure : fsFailure;
        if (first != null) {
            job.step(firstFailed.get() != null ? firstFailed.get() : (dbFailure != null ? "dump-database" : "archive-filestore"));
            Throwable cause = first instanceof HalfFailed h ? h.getCause() : first;
            if (cause instanceof Exception ex) throw ex;
            throw new IllegalStateException(cause);
        }
    }

    private static Throwable failure(CompletableFuture<Void> half) {
        try {
            half.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    private interface Half {
        void run() throws Exception;
    }

    private static void unchecked(Half half) {
        try {
            half.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new HalfFailed(e);
        }
    }

    private static final class HalfFailed extends RuntimeException {
        HalfFailed(Exception cause) {
            super(cause);
        }
    }
}
