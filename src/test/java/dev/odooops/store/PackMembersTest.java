package dev.odooops.store;

import dev.odooops.domain.Checksums;
import dev.odooops.domain.FilestoreIndex;
import dev.odooops.exec.ChildEnvironment;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.exec.ToolRunner;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a restore and a repack share, both ways: in process (zstd's library) and by tar (where the library cannot
 * load, here turned off by its JVM property). A pack made one way is read the other way alike; a member that is not
 * what the index says is refused either way.
 */
@Tag("fast")
class PackMembersTest {
    @TempDir
    Path tmp;
    private CamelContext camel;
    private ToolRunner tools;

    @BeforeEach
    void start() {
        camel = new DefaultCamelContext();
        camel.start();
        tools = new ToolRunner(camel.createProducerTemplate(), new SecretRedactor(List.of()), Duration.ofSeconds(30),
                ChildEnvironment.of(System::getenv, List.of(), List.of()));
    }

    @AfterEach
    void stop() {
        System.clearProperty(ZstdLibrary.SWITCH);
        camel.stop();
    }

    private List<FilestoreIndex.Entry> tree(Path root) throws Exception {
        Random r = new Random(7);
        List<FilestoreIndex.Entry> out = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            byte[] b = new byte[i * 37_000];
            if (i % 2 == 0) r.nextBytes(b);
            else java.util.Arrays.fill(b, (byte) ('a' + i));
            String path = String.format("%02x/file-%d", i * 19, i);
            Files.createDirectories(root.resolve(path).getParent());
            Files.write(root.resolve(path), b);
            out.add(new FilestoreIndex.Entry(path, Checksums.sha1(root.resolve(path)), b.length, "p1"));
        }
        return out;
    }

    private void way(String way) {
        if (way.equals("tar")) System.setProperty(ZstdLibrary.SWITCH, "off");
        else System.clearProperty(ZstdLibrary.SWITCH);
        assertEquals(!way.equals("tar"), ZstdLibrary.available());
    }

    @ParameterizedTest
    @ValueSource(strings = {"library", "tar"})
    void should_make_and_read_packs_either_way_alike(String way) throws Exception {
        Path src = tmp.resolve("src");
        List<FilestoreIndex.Entry> entries = tree(src);
        List<String> paths = entries.stream().map(FilestoreIndex.Entry::path).toList();
        way(way);
        Path pack = tmp.resolve("p1.tar.zst");
        PackMembers.create(tools, src, paths, pack, 1, Duration.ofSeconds(30));
        // read the other way: the pack's format does not depend on who wrote it
        way(way.equals("tar") ? "library" : "tar");
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        PackMembers.extractChecked(tools, pack, "p1", entries.subList(2, 9), out, Duration.ofSeconds(30));
        for (FilestoreIndex.Entry e : entries.subList(2, 9)) assertEquals(e.sha1(), Checksums.sha1(out.resolve(e.path())), e.path());
        assertFalse(Files.exists(out.resolve(entries.get(0).path())), "a member the caller did not name is not extracted");
        assertTrue(Files.isRegularFile(out.resolve(entries.get(8).path())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"library", "tar"})
    void should_refuse_a_member_that_is_not_what_the_index_says(String way) throws Exception {
        Path src = tmp.resolve("src");
        List<FilestoreIndex.Entry> entries = tree(src);
        Path pack = tmp.resolve("p1.tar.zst");
        PackMembers.create(tools, src, entries.stream().map(FilestoreIndex.Entry::path).toList(), pack, 1, Duration.ofSeconds(30));
        way(way);
        FilestoreIndex.Entry e = entries.get(3);
        List<List<FilestoreIndex.Entry>> lies = List.of(
                List.of(new FilestoreIndex.Entry(e.path(), "0".repeat(40), e.size(), "p1")),       // other content
                List.of(new FilestoreIndex.Entry(e.path(), e.sha1(), e.size() + 1, "p1")));        // other size
        for (List<FilestoreIndex.Entry> lie : lies) {
            Path out = Files.createTempDirectory(tmp, "out-");
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> PackMembers.extractChecked(tools, pack, "p1", lie, out, Duration.ofSeconds(30)), lie.toString());
            assertTrue(refused.getMessage().contains("pack p1 does not hold " + e.path() + " as the index says"),
                    refused.getMessage());
        }
        // missing: refused in process by name; tar fails on it ("Not found in archive")
        Path out = Files.createTempDirectory(tmp, "out-");
        RuntimeException missing = assertThrows(RuntimeException.class, () -> PackMembers.extractChecked(tools, pack, "p1",
                List.of(new FilestoreIndex.Entry("ff/not-there", e.sha1(), e.size(), "p1")), out, Duration.ofSeconds(30)));
        assertTrue(missing.getMessage().contains("ff/not-there"), missing.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"library", "tar"})
    void should_fail_a_new_pack_whose_file_is_missing(String way) throws Exception {
        Path src = tmp.resolve("src");
        List<String> paths = new ArrayList<>(tree(src).stream().map(FilestoreIndex.Entry::path).toList());
        paths.add("aa/gone");
        way(way);
        assertThrows(RuntimeException.class,
                () -> PackMembers.create(tools, src, paths, tmp.resolve("p2.tar.zst"), 1, Duration.ofSeconds(30)));
    }
}
