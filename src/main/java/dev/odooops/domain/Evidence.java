package dev.odooops.domain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The evidence directory of one run. Files are written whole (temp file + atomic rename) and every text
 * passes through the redactor, so a secret never reaches evidence. Evidence describes the data it protects:
 * files are 0600 and the directories created for it 0700 (0640/0750 with {@code ops.file-group}).
 * A run that cannot write its evidence fails.
 */
public final class Evidence {
    private final Path dir;
    private final SecretRedactor redactor;
    private final PrivateFiles files;

    /** Owner-only evidence. */
    public Evidence(Path dir, SecretRedactor redactor) {
        this(dir, redactor, PrivateFiles.OWNER_ONLY);
    }

    public Evidence(Path dir, SecretRedactor redactor, PrivateFiles files) {
        this.dir = dir;
        this.redactor = redactor;
        this.files = files;
        files.createDirectories(dir);
    }

    /** Evidence in a sub-directory of this one (a rollback's own files), with the same modes. */
    public Evidence subdirectory(String name) {
        return new Evidence(dir.resolve(name), redactor, files);
    }

    public Path dir() {
        return dir;
    }

    public Path json(String name, Object value) {
        return text(name, Json.pretty(value) + "\n");
    }

    public Path text(String name, String content) {
        Path target = dir.resolve(name);
        Path tmp = dir.resolve("." + name + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, files.fileAttribute());
            files.protect(tmp);
            Files.writeString(tmp, redactor.scrub(content), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp); // nothing half-written stays behind
            } catch (IOException ignored) {
                // the write failure below is what matters
            }
            throw new UncheckedIOException("cannot write evidence " + target + ": " + cause(e), e);
        }
    }

    /** The I/O error itself ("No space left on device"), not only the path it happened on. */
    private static String cause(IOException e) {
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() == null) {
            return e.getClass().getSimpleName() + " " + f.getFile();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** The names among {@code required} that are missing or not well-formed (JSON files must parse). */
    public List<String> missingOrMalformed(List<String> required) {
        List<String> bad = new ArrayList<>();
        for (String name : required) {
            Path f = dir.resolve(name);
            if (!Files.isRegularFile(f)) {
                bad.add(name + " (missing)");
            } else if (name.endsWith(".json")) {
                try {
                    Json.readMap(f);
                } catch (IllegalArgumentException e) {
                    bad.add(name + " (not a JSON object)");
                }
            }
        }
        return bad;
    }
}
