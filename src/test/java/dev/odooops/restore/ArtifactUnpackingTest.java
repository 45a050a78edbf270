package dev.odooops.restore;

import dev.odooops.domain.FilestoreIndex;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.exec.ToolRunner;
import dev.odooops.support.HostileArchive;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one way an artifact's filestore is unpacked (restore, sanitised snapshot, PR template, zip export): an archive is
 * admitted by tar's own listing before anything is extracted, and what was extracted is judged the same way (real tar,
 * real camel-exec; no database).
 */
@Tag("fast")
class ArtifactUnpackingTest {
    @TempDir
    Path tmp;
    private CamelContext camel;
    private ToolRunner tools;

    @BeforeEach
    void startCamel() {
        camel = new DefaultCamelContext();
        camel.start();
        tools = new ToolRunner(camel.createProducerTemplate(), new SecretRedactor(List.of()), Duration.ofSeconds(10));
    }

    @AfterEach
    void stopCamel() {
        camel.stop();
    }

    private ArtifactUnpacking unpacking() {
        return new ArtifactUnpacking(tools, null, null, Duration.ofSeconds(30));
    }

    private Path filestore() throws Exception {
        Path src = tmp.resolve("src");
        Files.createDirectories(src.resolve("ab"));
        Files.writeString(src.resolve("ab/abcdef"), "an attachment");
        return src;
    }

    @Test
    void should_extract_an_admitted_archive_and_hand_its_check_to_the_caller() throws Exception {
        Path archive = new HostileArchive().copyOf(filestore()).writeZstd(tmp.resolve("ok.tar.zst"));
        Path into = Files.createDirectories(tmp.resolve("into"));
        List<Map<String, Object>> checks = new ArrayList<>();

        unpacking().unpackArchive(archive, -1, into, checks::add);

        assertEquals(1, checks.size());
        assertEquals(true, checks.get(0).get("ok"));
        assertEquals("an attachment", Files.readString(into.resolve("ab/abcdef")));
        assertEquals(Map.of("ab/abcdef", 13L), ArtifactUnpacking.regularFilesOnly(into, "the test tree"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"symlink", "dot-dot", "absolute", "fifo"})
    void should_refuse_a_hostile_archive_before_extracting_anything(String kind) throws Exception {
        Path canary = tmp.resolve("canary");
        HostileArchive a = new HostileArchive().copyOf(filestore());
        switch (kind) {
            case "symlink" -> a.symlink("./ab/link", canary.toString()).file("./ab/link", "written through the link");
            case "dot-dot" -> a.file("../escape", "escaped");
            case "absolute" -> a.file(canary.toString(), "overwritten");
            case "fifo" -> a.fifo("./ab/fifo");
            default -> throw new IllegalArgumentException(kind);
        }
        Path archive = a.writeZstd(tmp.resolve(kind + ".tar.zst"));
        Path into = Files.createDirectories(tmp.resolve("deep/into"));
        List<Map<String, Object>> checks = new ArrayList<>();

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> unpacking().unpackArchive(archive, -1, into, checks::add));

        assertTrue(e.getMessage().startsWith("filestore.tar.zst refused"), e.getMessage());
        assertEquals(false, checks.get(0).get("ok"), "the check reaches the caller's evidence before the refusal");
        try (var left = Files.list(into)) {
            assertEquals(0, left.count(), "nothing extracted");
        }
        assertFalse(Files.exists(canary, LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(tmp.resolve("deep/escape")));
    }

    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    @ParameterizedTest
    @ValueSource(strings = {"symlink", "fifo", "hardlink"})
    void should_refuse_a_pack_whose_named_member_is_not_a_regular_file_once_extracted(String kind) throws Exception {
        Path canary = tmp.resolve("canary");
        HostileArchive a = new HostileArchive();
        switch (kind) {
            case "symlink" -> a.symlink("./ab/abcdef", canary.toString());
            case "fifo" -> a.fifo("./ab/abcdef");
            case "hardlink" -> a.file("./ab/other", "x").hardLink("./ab/abcdef", canary.toString());
            default -> throw new IllegalArgumentException(kind);
        }
        Path pack = a.writeZstd(tmp.resolve(kind + ".tar.zst"));
        Path staging = Files.createDirectories(tmp.resolve("staging"));
        List<FilestoreIndex.Entry> wanted = List.of(new FilestoreIndex.Entry("ab/abcdef", SHA, 13, "p"));

        try {
            dev.odooops.store.PackMembers.extract(tools, pack, wanted, staging, Duration.ofSeconds(30));
        } catch (dev.odooops.exec.ToolFailedException refusedByTar) {
            // tar itself would not (a hard link to a path outside): nothing to judge then
        }
        Map<String, Object> check = ArtifactUnpacking.extractedOnly(staging, wanted);

        if (Files.exists(staging.resolve("ab/abcdef"), LinkOption.NOFOLLOW_LINKS)) {
            assertEquals(false, check.get("ok"), check.toString());
        }
        assertFalse(Files.exists(canary, LinkOption.NOFOLLOW_LINKS), "nothing written outside the staging directory");
    }

    @Test
    void should_extract_only_the_named_members_of_a_pack_and_leave_its_hostile_others_in_it() throws Exception {
        Path canary = tmp.resolve("canary");
        Path pack = new HostileArchive().copyOf(filestore()).file("../escape", "escaped").symlink("./ab/link", canary.toString())
                .file("./ab/link", "written through the link").file("./ab/extra", "not in the index")
                .writeZstd(tmp.resolve("pack.tar.zst"));
        Path staging = Files.createDirectories(tmp.resolve("deep/staging"));
        List<FilestoreIndex.Entry> wanted = List.of(new FilestoreIndex.Entry("ab/abcdef", SHA, 13, "p"));

        dev.odooops.store.PackMembers.extract(tools, pack, wanted, staging, Duration.ofSeconds(30));
        Map<String, Object> check = ArtifactUnpacking.extractedOnly(staging, wanted);

        assertEquals(true, check.get("ok"), check.toString());
        assertEquals(1, check.get("members"));
        assertEquals(Map.of("ab/abcdef", 13L), ArtifactUnpacking.regularFilesOnly(staging, "the staging tree"));
        assertFalse(Files.exists(canary, LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(tmp.resolve("deep/escape")));

        // a file the extraction left that the index does not name is refused
        Files.writeString(staging.resolve("ab/stray"), "stray");
        Map<String, Object> stray = ArtifactUnpacking.extractedOnly(staging, wanted);
        assertEquals(false, stray.get("ok"));
        assertEquals(List.of("ab/stray: not a member the index names"), stray.get("refused_members"));
    }

    @Test
    void should_refuse_a_tree_holding_a_link() throws Exception {
        Path tree = filestore();
        Files.createSymbolicLink(tree.resolve("ab/link"), Path.of("/etc/passwd"));

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ArtifactUnpacking.regularFilesOnly(tree, "the scratch filestore"));

        assertTrue(e.getMessage().startsWith("the scratch filestore holds 1 entr(ies) neither a regular file nor a directory"),
                e.getMessage());
    }

    @Test
    void should_give_the_index_digest_only_to_a_tree_of_exactly_the_indexed_files() {
        FilestoreIndex index = FilestoreIndex.parse(String.join("\n",
                "ab/abcdef\t" + "0".repeat(40) + "\t13\tpack-1",
                "cd/cdef01\t" + "1".repeat(40) + "\t5\tpack-1") + "\n");

        assertEquals(index.treeDigest(), ArtifactUnpacking.verifiedTree(Map.of("ab/abcdef", 13L, "cd/cdef01", 5L), index));
        assertEquals("differs: 1 file(s) found, 2 indexed", ArtifactUnpacking.verifiedTree(Map.of("ab/abcdef", 13L), index));
        assertTrue(ArtifactUnpacking.verifiedTree(Map.of("ab/abcdef", 13L, "cd/cdef01", 6L), index).startsWith("differs"));
    }
}
