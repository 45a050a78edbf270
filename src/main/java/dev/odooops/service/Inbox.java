package dev.odooops.service;

import dev.odooops.domain.Checksums;
import dev.odooops.domain.Json;
import dev.odooops.domain.RequestRejected;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
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
 * The inbox folder (camel-file, the route in routes/service/inbox.camel.yaml): a request file dropped in
 * {@code inbox.dir} starts the operation it names.
 * <ul>
 *   <li>Only {@code *.json}, {@code *.yaml} and {@code *.yml} directly in the folder are read, never hidden files or
 *   names ending in {@code .tmp}/{@code .part}: write the file under such a name, then rename it (atomic). A file
 *   is read only once it has not changed for {@code inbox.min-age-millis}, so a file copied in slowly is never
 *   read half-written either.</li>
 *   <li>A file is {@code {"operation": "backup"|"restore"|..., ...the fields of an HTTP request..., "user"?}} (any operation
 *   of {@link Submission#operations()}). It runs as
 *   {@code inbox.user}: a {@code user} naming anyone else is refused. Whoever can write the folder acts as that
 *   user, so {@code serve} refuses to start when the folder, its {@code done/} and {@code error/}, or a parent of
 *   it that odoo-ops's user owns, is writable by group or others (as ssh refuses loose key files).</li>
 *   <li>Accepted: moved to {@code done/} with {@code <name>.result.json} (run_id, status {@code queued}), which is
 *   rewritten when the run ends (status, evidence_dir, artifact_id or failed_step and error). A name already in
 *   {@code done/} (or {@code error/}) gets a number ({@code nightly.1.json}): entries never overwrite each other.</li>
 *   <li>Busy (another run is active on the environment, the queue is full): the file stays and is tried again at
 *   the next poll.</li>
 *   <li>Refused (unreadable, wrong field, unknown environment, no permission, a symlink, over
 *   {@code inbox.max-file-bytes}): moved to {@code error/} with {@code <name>.error.txt} naming the problem.</li>
 *   <li>A request file whose name holds a control character (a newline) or bytes that are not valid UTF-8 is never
 *   read (a name could forge a log line or a done/ entry; one not UTF-8 opens nothing): the route {@code inbox-names} moves it unread
 *   to {@code error/} under a safe name ({@code a%0Ab.yaml}) with the reason, the original name escaped.</li>
 *   <li>Each arrival is a new request: a file dropped again (a nightly job's same file) runs again, unless it
 *   carries the {@code request_id} of an earlier request. Without one, the request id is {@code inbox:} + the
 *   SHA-256 of the name, the content and the file's identity (device, inode, change time): only a file that was
 *   being handled when its process died is read again with the same id, and does not run twice. Several instances
 *   watching one folder claim each file through a read lock kept in the ops catalog (V8).</li>
 * </ul>
 */
public final class Inbox {
    private static final Logger LOG = LoggerFactory.getLogger(Inbox.class);

    private final RunQueue queue;
    private final Path dir;
    private final int maxBytes;
    private final long minAgeMillis;
    private final String user;
    private final JdbcMessageIdRepository locks;

    /** @param user the user the inbox's requests run as ({@code inbox.user}), one of the environments file's */
    public Inbox(RunQueue queue, ServiceSettings settings, String user, DataSource catalogDb) {
        this.queue = queue;
        this.dir = settings.inboxDir();
        this.maxBytes = settings.inboxMaxFileBytes();
        this.minAgeMillis = settings.inboxMinAgeMillis();
        this.user = user;
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

    /**
     * The folder (and done/, error/) created 0700, its modes checked ({@link InboxFolder}), the catalog's read locks
     * bound for the route (routes/service/inbox.camel.yaml): throws, naming the path and its mode, when others could
     * write requests into it.
     */
    public void install(CamelContext context) throws Exception {
        InboxFolder.create(dir);
        releaseStaleLocks();
        context.getRegistry().bind("inboxReadLocks", locks);
    }

    /**
     * The placeholders of routes/service/inbox.camel.yaml: the folder, its poll delay and min age from the validated
     * settings, and the read lock's check interval and time-out derived from the min age (a file is checked a few
     * times within its min age; the lock is given up a few checks after it).
     */
    public static Map<String, String> routeProperties(ServiceSettings settings) {
        int minAge = settings.inboxMinAgeMillis();
        long checkInterval = Math.max(50, Math.min(500, minAge / 2));
        Map<String, String> p = new LinkedHashMap<>();
        p.put("inbox.dir", settings.inboxDir().toString());
        p.put("inbox.poll-millis", String.valueOf(settings.inboxPollMillis()));
        p.put("inbox.min-age-millis", String.valueOf(minAge));
        p.put("inbox.read-lock-check-interval-millis", String.valueOf(checkInterval));
        p.put("inbox.read-lock-timeout-millis", String.valueOf(minAge + 4 * checkInterval));
        return p;
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
        if (InboxFolder.hasControl(name)) { // the route excludes such names; should one come, it is never read
            refuseName(file, name);
            return;
        }
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) return; // another instance handled it since the listing
        String shown = InboxFolder.printable(name);
        try {
            byte[] content = read(name, file);
            Map<String, Object> fields = Submission.read(content, !name.endsWith(".json"), "file");
            Submission submission = Submission.asPrincipal(fields, user, "inbox", arrivalId(name, file, content));
            ResultFile rf = new ResultFile();
            RunQueue.Accepted accepted = queue.submit(submission, outcome -> rf.ended(outcome.toJson()));
            dev.odooops.exec.CrashPoints.reached("inbox:accepted"); // recorded, the file not moved yet
            Path done = InboxFolder.reserve(dir.resolve("done"), name);
            rf.accepted(done.resolveSibling(done.getFileName() + ".result.json"), new LinkedHashMap<>(accepted.toJson()));
            moveTo(file, done, content);
            LOG.info("inbox: {} accepted as {} run {}{}", shown, submission.operation(), accepted.runId(),
                    accepted.duplicate() ? " (already accepted before)" : "");
        } catch (RequestRejected r) {
            if (r.reason() == RequestRejected.Reason.CONFLICT || r.reason() == RequestRejected.Reason.UNAVAILABLE) {
                // busy (another run on the environment, the queue full): the file stays for the next poll
                LOG.info("inbox: {} waits: {}", shown, InboxFolder.printable(r.getMessage()));
                return;
            }
            refuse(name, file, r.getMessage());
        } catch (IOException | RuntimeException e) {
            refuse(name, file, "cannot be handled: " + e.getMessage());
        }
    }

    /**
     * The files the inbox route never reads (the route {@code inbox-names}, every {@code inbox.poll-millis}): a
     * request file (see {@link InboxFolder#requestLike}) whose name holds a control character (a newline), which the
     * inbox route excludes (before, it ran, and done/ got the raw name), or bytes that are not valid UTF-8, which no
     * reader can open by its decoded name (before, it stayed in the inbox forever with no result and no log line).
     * Once {@code inbox.min-age-millis} old, each is moved unread to {@code error/} under a safe name
     * ({@link InboxFolder#safeName}), numbered as every entry there, with {@code .error.txt} naming the original
     * name escaped; one log line, escaped. Never throws.
     */
    public void refuseUnreadableNames() {
        long now = System.currentTimeMillis();
        try (java.nio.file.DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                // read with U+FFFD for bytes that are not UTF-8: then its decoded name opens nothing
                boolean undecodable = name.indexOf('\uFFFD') >= 0 && !Files.exists(dir.resolve(name), LinkOption.NOFOLLOW_LINKS);
                if (!(InboxFolder.hasControl(name) || undecodable) || !InboxFolder.requestLike(name)) continue;
                try {
                    if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) continue;
                    if (now - Files.getLastModifiedTime(entry, LinkOption.NOFOLLOW_LINKS).toMillis() < minAgeMillis) continue;
                } catch (java.nio.file.NoSuchFileException gone) {
                    continue; // another instance took it since the listing
                }
                refuseName(entry, name);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("inbox: could not look for unreadable names in {}: {}", dir, InboxFolder.printable(e.getMessage()));
        }
    }

    /** {@code entry}, whose name no reader takes, moved unread to error/ with the reason (see {@link #refuseUnreadableNames}). */
    private void refuseName(Path entry, String name) {
        String shown = InboxFolder.printable(name);
        String reason = "file: the name " + shown + " (shown escaped) holds "
                + (InboxFolder.hasControl(name) ? "a control character" : "bytes that are not valid UTF-8")
                + ": such a file is never read; drop it again under a name without one";
        try {
            Path error = InboxFolder.reserve(dir.resolve("error"), InboxFolder.safeName(name));
            boolean link = Files.isSymbolicLink(entry);
            try {
                if (link) Files.delete(entry); // never followed; the error file says what it was
                else moveWhole(entry, error);
            } catch (java.nio.file.NoSuchFileException gone) {
                Files.deleteIfExists(error); // another instance took it since the listing
                return;
            }
            if (link) {
                Files.deleteIfExists(error);
                reason += " (a symbolic link: deleted, its target left alone)";
            }
            write(error.resolveSibling(error.getFileName() + ".error.txt"), (reason + "\n").getBytes(StandardCharsets.UTF_8));
            LOG.warn("inbox: {} refused: {} (kept as error/{})", shown, reason, InboxFolder.printable(error.getFileName().toString()));
        } catch (IOException | RuntimeException e) {
            LOG.error("inbox: could not move {} to error/: {}", shown, InboxFolder.printable(e.getMessage()));
        }
    }

    /** A rename onto the reserved name (the file never opened); a copy then a delete across file systems. */
    private static void moveWhole(Path file, Path target) throws IOException {
        try {
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (java.nio.file.AtomicMoveNotSupportedException other) {
            Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
            Files.delete(file);
        }
    }

    /**
     * The request id of a file that gives none: this arrival of it (name, content, device, inode and change time),
     * the same only when the very same file is read again after its process died.
     */
    private static String arrivalId(String name, Path file, byte[] content) throws IOException {
        Object key = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        Object changed = Files.getAttribute(file, "unix:ctime", LinkOption.NOFOLLOW_LINKS);
        java.io.ByteArrayOutputStream id = new java.io.ByteArrayOutputStream();
        id.write((name + "\0" + key + "\0" + ((java.nio.file.attribute.FileTime) changed).to(java.util.concurrent.TimeUnit.NANOSECONDS)
                + "\0").getBytes(StandardCharsets.UTF_8));
        id.write(content);
        return "inbox:" + Checksums.sha256(new java.io.ByteArrayInputStream(id.toByteArray())).substring(0, 40);
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

    /**
     * A file's result.json: "queued" when accepted, the outcome when the run ends, never the other way round (the
     * run may end before its file has its name in done/: the outcome then waits for it).
     */
    private static final class ResultFile {
        private Path path;
        private Map<String, Object> ended;

        synchronized void accepted(Path path, Map<String, Object> json) {
            this.path = path;
            writeResult(path, ended != null ? ended : json);
        }

        synchronized void ended(Map<String, Object> json) {
            ended = json;
            if (path != null) writeResult(path, json);
        }
    }

    private void refuse(String name, Path file, String reason) {
        LOG.warn("inbox: {} refused: {}", InboxFolder.printable(name), InboxFolder.printable(reason));
        try {
            Path error = InboxFolder.reserve(dir.resolve("error"), name);
            if (Files.isSymbolicLink(file)) {
                Files.delete(file); // never follow it; the error file says what it was
                Files.deleteIfExists(error);
            } else if (Files.exists(file)) {
                moveTo(file, error, null);
            }
            // last: whoever sees the reason finds the refused file whole beside it
            write(error.resolveSibling(error.getFileName() + ".error.txt"), (reason + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.error("inbox: could not move {} to error/: {}", InboxFolder.printable(name), InboxFolder.printable(e.getMessage()));
        }
    }

    /** The file onto its reserved name in done/ or error/: the copy written whole first, then the original removed. */
    private static void moveTo(Path file, Path target, byte[] content) throws IOException {
        if (content != null) {
            write(target, content);
        } else { // copied beside it, then renamed: never seen half-copied
            Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
            Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
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
