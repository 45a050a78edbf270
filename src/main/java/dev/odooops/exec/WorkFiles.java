package dev.odooops.exec;

import dev.odooops.domain.PrivateFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A run's temporary files: created owner-only (0700, whatever the umask), removed at the end. */
public final class WorkFiles {
    private WorkFiles() {
    }

    /**
     * Creates a work directory and its missing parents as 0700. The work files (dumps, archives, fetched
     * artifacts, the password file) are written by tools with the umask's mode; this directory protects them.
     */
    public static Path createPrivate(Path dir) {
        return PrivateFiles.OWNER_ONLY.createDirectories(dir);
    }

    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // reported by the leftover check of the next run's free-space estimate
                }
            });
        } catch (IOException ignored) {
            // nothing to remove
        }
    }
}
