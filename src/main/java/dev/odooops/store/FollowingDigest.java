package dev.odooops.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.LockSupport;

/**
 * The SHA-256 of a file another process is writing, computed while it writes: a thread of its own reads the file
 * as it grows (from the page cache, just written) and, once told the writer has {@link #ended}, reads on to the end.
 * So a tool's output is hashed in the same pass as it is written instead of being read again afterwards.
 * <p>
 * Contract: the writer only appends (age does) and has exited before {@link #ended} is called; the reader never
 * writes. A writer that failed before creating the file leaves a digest of nothing, which the caller discards.
 */
final class FollowingDigest {
    /** How long the reader waits when it has caught up with the writer. */
    private static final long IDLE_NANOS = 2_000_000;

    record Result(String sha256, long size) {
    }

    private final Path file;
    private final CompletableFuture<Result> result = new CompletableFuture<>();
    private volatile boolean ended;
    private Thread reader;

    FollowingDigest(Path file) {
        this.file = file;
    }

    void start() {
        reader = new Thread(this::follow, "hash-" + file.getFileName());
        reader.setDaemon(true);
        reader.start();
    }

    /** The writer has exited: the reader reads what is left and ends. */
    void ended() {
        ended = true;
    }

    Result await() throws IOException {
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while hashing " + file, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UncheckedIOException u) throw u.getCause();
            throw new IllegalStateException("cannot hash " + file, e.getCause());
        }
    }

    /** Waits for the reader (after a failure too, so nothing reads the file once it is removed). */
    void awaitQuietly() {
        if (reader == null) return;
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void follow() {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            long size = 0;
            FileChannel in = null;
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            try {
                while (true) {
                    boolean last = ended; // read before the read: once age has exited, an end of file is the end
                    if (in == null) {
                        try {
                            in = FileChannel.open(file, StandardOpenOption.READ);
                        } catch (NoSuchFileException notYet) {
                            if (last) break;
                            LockSupport.parkNanos(IDLE_NANOS);
                            continue;
                        }
                    }
                    buf.clear();
                    int n = in.read(buf);
                    if (n > 0) {
                        buf.flip();
                        sha256.update(buf);
                        size += n;
                    } else if (last) {
                        break;
                    } else {
                        LockSupport.parkNanos(IDLE_NANOS);
                    }
                }
            } finally {
                if (in != null) in.close();
            }
            result.complete(new Result(HexFormat.of().formatHex(sha256.digest()), size));
        } catch (IOException e) {
            result.completeExceptionally(new UncheckedIOException(e));
        } catch (NoSuchAlgorithmException | RuntimeException e) {
            result.completeExceptionally(e);
        }
    }
}
