package dev.odooops.store;

import dev.odooops.config.StoreConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which store an artifact or pack URI is in: the current one, a previous one, or one reached from the URI. */
@Tag("fast")
class StoreLocatorTest {
    @TempDir
    Path dir;

    private StoreLocator locator(Path current, Path previous) {
        StoreConfig old = new StoreConfig("old-disk", "local", null, previous, List.of());
        StoreConfig config = new StoreConfig("disk", "local", null, current, List.of(old));
        return new StoreLocator(config, new LocalArtifactStore(current), null, 5 << 20);
    }

    @Test
    void should_find_each_artifact_and_pack_in_the_store_it_was_written_to() throws Exception {
        Path current = Files.createDirectories(dir.resolve("new"));
        Path previous = Files.createDirectories(dir.resolve("old"));
        StoreLocator stores = locator(current, previous);

        StoreLocator.Location here = stores.locate(current.toUri() + "acme/prod/A1/", "A1");
        assertSame(stores.current(), here.store());
        assertEquals("acme/prod/A1", here.artifactPath());

        StoreLocator.Location there = stores.locate(previous.toUri() + "acme/prod/A0/", "A0");
        assertSame(stores.named("old-disk"), there.store());
        assertEquals(previous.resolve("acme/prod/A0").toUri().toString().replaceAll("/$", ""),
                there.store().uri("acme/prod/A0").replaceAll("/$", ""));
        assertEquals("old-disk", stores.nameOf(previous.toUri() + "acme/prod/A0/"));
        assertEquals("disk", stores.nameOf(current.toUri() + "acme/prod/A1/"));

        StoreLocator.PackLocation pack = stores.locatePack(previous.toUri() + "acme/_packs/a0-0001.tar.zst", "a0-0001");
        assertSame(stores.named("old-disk"), pack.store());
        assertEquals("acme/_packs", pack.packsPath());
        assertEquals("a0-0001.tar.zst", pack.name());
        // a row without a URI (never written by this version): the current store
        assertSame(stores.current(), stores.pack("acme", "x-0001", null).store());
    }

    @Test
    void should_reach_an_unconfigured_directory_that_exists_and_refuse_one_that_does_not() throws Exception {
        Path current = Files.createDirectories(dir.resolve("new"));
        StoreLocator stores = locator(current, dir.resolve("old"));
        Path other = Files.createDirectories(dir.resolve("elsewhere"));
        StoreLocator.Location found = stores.locate(other.toUri() + "acme/prod/A2/", "A2");
        assertInstanceOf(LocalArtifactStore.class, found.store());
        assertNull(stores.nameOf(other.toUri() + "acme/prod/A2/"));
        StoreException gone = assertThrows(StoreException.class,
                () -> stores.locate(dir.resolve("unmounted/acme/prod/A3").toUri().toString(), "A3"));
        assertTrue(gone.getMessage().contains("cannot be reached"), gone.getMessage());
        // an S3 artifact with no S3 store configured: unreachable, never "deleted"
        StoreException s3 = assertThrows(StoreException.class, () -> stores.locate("s3://b/ops/acme/prod/A4/", "A4"));
        assertTrue(s3.getMessage().contains("store.previous"), s3.getMessage());
        assertThrows(StoreException.class, () -> stores.locatePack(current.toUri() + "acme/prod/x.tar.zst", "x"));
        assertNull(stores.named("nope"));
    }
}
