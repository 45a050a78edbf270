package dev.odooops.service;

import dev.odooops.domain.Checksums;
import dev.odooops.domain.Json;
import dev.odooops.model.RequestRejected;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The inbox folder (camel-file): a request file dropped in {@code inbox.dir} starts the operation it names.
 * <ul>
 *   <li>Only {@code *.json}, {@code *.yaml} and {@code *.yml} directly in the folder are read, never hidden files or
 *   names ending in {@code .tmp}/{@code .part}: write the file under such a name, then rename it (atomic).</li>
 *   <li>A file is {@code {"operation": "backup"|"restore", ...the fields of an HTTP request..., "user"?}}.</li>
 *   <li>Accepted: moved to {@code done/} with {@code <name>.result.json} (run_id, status {@code queued}), which is
 *   rewritten when the run ends (status, evidence_dir, artifact_id or failed_step and error).</li>
 *   <li>Busy (another run is active on the environment, the queue is full): the file stays and is tried again at
 *   the next poll.</li>
 *   <li>Refused (unreadable, wrong field, unknown environment, no permission, a symlink, over
 *   {@code inbox.max-file-bytes}): moved to {@code error/} with {@code <name>.error.txt} naming the problem.</li>
 *   <li>Once: the request id (the file's {@code request_id}, else {@code inbox:} + the SHA-256 of name and content)
 *   makes the same file start one run only, across restarts and instances; several instances watching one folder
 *   claim each file through a read lock kept in the ops catalog (V8).</li>
 * </ul>
 */
public final class Inbox {
    private static final Logger LOG = LoggerFactory.getLogger(Inbox.class);

    private final RunQueue queue;
    private final Path dir;
    private final int maxBytes;
    private final int pollMillis;
    private final String defaultUser;
    private final JdbcMessageIdRepository locks;

    public Inbox(RunQueue queue, ServiceSettings settings, String defaultUser, DataSource catalogDb) {
        this.queue = queue;
        this.dir = settings.inboxDir();
        this.maxBytes = settings.inboxMaxFileBytes();
        this.pollMillis = settings.inboxPollMillis();
        this.defaultUser = defaultUser;
        this.locks = new JdbcMessageIdRepository(catalogDb, "inbox-read-lock");
        locks.setTableName("ops.camel_messageprocessed");
        locks.setCreateTableIfNotExists(false);
        locks.setQueryString("SELECT COUNT(*) FROM ops.camel_messageprocessed WHERE processorName = ? AND messageId = ?");
        locks.setInsertString("INSERT INTO ops.camel_messageprocessed (processorName, messageId, createdAt) VALUES (?, ?, ?)");
        locks.setDeleteString("DELETE FROM ops.camel_messageprocessed WHERE processorName = ? AND messageId = ?");
        locks.setClearString("DELETE FROM ops.camel_messageprocessed WHERE processorName = ?");
    }

    public Path dir() {
        return dir;
    }

    /** The folder (and done/, error/) created 0700, the route added. */
    public void install(CamelContext context) throws Exception {
        for (Path p : new Path[]{dir, dir.resolve("done"), dir.resolve("error")}) {
            Files.createDirectories(p);
        }
        releaseStaleLocks();
        context.getRegistry().bind("inboxReadLocks", locks);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // noop + idempotent=false: the consumer neither moves nor remembers files; handle() moves each one
                // into done/ or error/, and a busy one stays to be read again at the next poll
                from("file:" + dir + "?include=[^.][^/]*\\.(json|ya?ml)&exclude=.*\\.(tmp|part)&maxDepth=1"
                        + "&noop=true&idempotent=false"
                        + "&readLock=idempotent&idempotentRepository=#inboxReadLocks&readLockRemoveOnCommit=true"
                        + "&readLockRemoveOnRollback=true&delay=" + pollMillis + "&maxMessagesPerPoll=20")
                        .routeId("inbox")
                        .bean(Inbox.this, "handle");
            }
        });
    }

    /**
     * At start: read locks a dead process held are released (a file it claimed but had not finished is read again;
     * its request id keeps it from starting a second run).
     */
    private void releaseStaleLocks() {
        try {
            locks.clear();
        } catch (RuntimeException e) {
            LOG.warn("inbox: could not release stale read locks: {}", e.getMessage());
        }
    }

    /** One request file: accepted (done/ + result.json) or refused (error/ + error.txt); never throws. */
    public void handle(Exchange exchange) {
        String name = exchange.getMessage().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        Path file = dir.resolve(name);
        exchange.getMessage().removeHeaders("Camel*");
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) return; // another instance handled it since the listing
        try {
            byte[] content = read(name, file);
            Map<String, Object> fields = Submission.read(content, !name.endsWith(".json"), "file");
            java.io.ByteArrayOutputStream key = new java.io.ByteArrayOutputStream();
            key.write((name + "\0").getBytes(StandardCharsets.UTF_8));
            key.write(content);
            String requestId = "inbox:" + Checksums.sha256(new java.io.ByteArrayInputStream(key.toByteArray())).substring(0, 40);
            Submission submission = Submission.ofMessage(fields, defaultUser, "inbox", requestId);
            Path result = dir.resolve("done").resolve(name + ".result.json");
            ResultFile rf = new ResultFile(result);
            RunQueue.Accepted accepted = queue.submit(submission, outcome -> rf.ended(outcome.toJson()));
            dev.odooops.run.CrashPoints.reached("inbox:accepted"); // recorded, the file not moved yet
            rf.accepted(new LinkedHashMap<>(accepted.toJson()));
            moveTo(file, dir.resolve("done").resolve(name), content);
            LOG.info("inbox: {} accepted as {} run {}{}", name, submission.operation(), accepted.runId(),
                    accepted.duplicate() ? " (already accepted before)" : "");
        } catch (RequestRejected r) {
            if (r.reason() == RequestRejected.Reason.CONFLICT || r.reason() == RequestRejected.Reason.UNAVAILABLE) {
                // busy (another run on the environment, the queue full): the file stays for the next poll
                LOG.info("inbox: {} waits: {}", name, r.getMessage());
                return;
            }
            refuse(name, file, r.getMessage());
        } catch (IOException | RuntimeException e) {
            refuse(name, file, "cannot be handled: " + e.getMessage());
        }
    }

    private byte[] read(String name, Path file) throws IOException {
        if (name.contains("/") || name.contains("\\") || name.contains("..")) {
            throw new RequestRejected("file", "the name may not contain a path separator or '..': " + name);
        }
        if (Files.isSymbolicLink(file) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new RequestRejected("file", "only a regular file is read, not a link or anything else: " + name);
        }
        long size = Files.size(file);
        if (size > maxBytes) throw new RequestRejected("file", size + " bytes is more than inbox.max-file-bytes (" + maxBytes + ")");
        return Files.readAllBytes(file);
    }

    /** A file's result.json: "queued" when accepted, the outcome when the run ends, never the other way round. */
    private static final class ResultFile {
        private final Path path;
        private boolean ended;

        ResultFile(Path path) {
            this.path = path;
        }

        synchronized void accepted(Map<String, Object> json) {
            if (!ended) writeResult(path, json);
        }

        synchronized void ended(Map<String, Object> json) {
            ended = true;
            writeResult(path, json);
        }
    }

    private void refuse(String name, Path file, String reason) {
        LOG.warn("inbox: {} refused: {}", name, reason);
        try {
            Path error = dir.resolve("error");
            write(error.resolve(name + ".error.txt"), (reason + "\n").getBytes(StandardCharsets.UTF_8));
            if (Files.isSymbolicLink(file)) Files.delete(file); // never follow it; the error file says what it was
            else if (Files.exists(file)) moveTo(file, error.resolve(name), null);
        } catch (IOException e) {
            LOG.error("inbox: could not move {} to error/: {}", name, e.getMessage());
        }
    }

    /** The file into done/ or error/: the copy written whole first, then the original removed. */
    private static void moveTo(Path file, Path target, byte[] content) throws IOException {
        if (content != null) write(target, content);
        else Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(file);
    }

    private static void writeResult(Path result, Map<String, Object> json) {
        try {
            write(result, (Json.pretty(json) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.error("inbox: could not write {}: {}", result, e.getMessage());
        }
    }

    /** Whole or not at all: a temp file beside the target, then a rename. */
    private static void write(Path target, byte[] content) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.write(tmp, content);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
