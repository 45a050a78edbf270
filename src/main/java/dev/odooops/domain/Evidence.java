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
 * passes through the redactor, so a secret never reaches evidence. A run that cannot write its evidence fails.
 */
public final class Evidence {
    private final Path dir;
    private final SecretRedactor redactor;

    public Evidence(Path dir, SecretRedactor redactor) {
        this.dir = dir;
        this.redactor = redactor;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create evidence directory " + dir, e);
        }
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
            Files.writeString(tmp, redactor.scrub(content), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write evidence " + target, e);
        }
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
