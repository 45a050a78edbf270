package dev.odooops.step;

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
 * then rethrown to the route's dead-letter channel.
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
        Throwable first = null;
        for (CompletableFuture<Void> half : java.util.List.of(db, fs)) {
            try {
                half.join();
            } catch (CompletionException e) {
                if (first == null) first = e.getCause();
            }
        }
        if (first != null) {
            Throwable cause = first instanceof HalfFailed h ? h.getCause() : first;
            if (cause instanceof Exception ex) throw ex;
            throw new IllegalStateException(cause);
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
