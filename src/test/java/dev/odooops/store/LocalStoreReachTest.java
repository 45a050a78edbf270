package dev.odooops.store;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A local store's missing file, told apart from the store itself out of reach: the first says the artifact is
 * incomplete, the second (its directory gone, an unmounted share) says nothing of the artifact.
 */
@Tag("fast")
class LocalStoreReachTest {
    @TempDir
    Path dir;

    @Test
    void should_say_the_store_is_out_of_reach_when_its_directory_is_gone_and_the_file_is_missing_otherwise() throws Exception {
        Path root = dir.resolve("store");
        Files.createDirectories(root.resolve("p/prod/a"));
        LocalArtifactStore store = new LocalArtifactStore(root);
        UncheckedIOException missing = assertThrows(UncheckedIOException.class, () -> store.open("p/prod/a", "db.dump"));
        assertTrue(missing.getMessage().contains("cannot read db.dump of p/prod/a"), missing.getMessage());
        assertTrue(!missing.getMessage().contains("cannot be reached"), missing.getMessage());

        Files.move(root, dir.resolve("unmounted"));
        StoreException away = assertThrows(StoreException.class, () -> store.open("p/prod/a", "db.dump"));
        assertTrue(away.getMessage().contains("the store directory " + root + " cannot be reached (missing or not mounted)"),
                away.getMessage());
        StoreException fetched = assertThrows(StoreException.class, () -> store.fetch("p/prod/a", "db.dump", dir.resolve("copy")));
        assertTrue(fetched.getMessage().contains("cannot be reached"), fetched.getMessage());
    }
}
