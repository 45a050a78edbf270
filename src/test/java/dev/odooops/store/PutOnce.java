package dev.odooops.store;

import java.nio.file.Path;

/** One {@link LocalArtifactStore#put} in a JVM of its own, for {@link DurableTest} to trace: root, artifact path, file. */
public final class PutOnce {
    private PutOnce() {
    }

    public static void main(String[] args) {
        new LocalArtifactStore(Path.of(args[0])).put(args[1], "db.dump", Path.of(args[2]));
    }
}
