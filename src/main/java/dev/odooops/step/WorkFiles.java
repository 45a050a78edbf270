package dev.odooops.step;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removal of a run's temporary files. */
final class WorkFiles {
    private WorkFiles() {
    }

    static void deleteTree(Path dir) {
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
