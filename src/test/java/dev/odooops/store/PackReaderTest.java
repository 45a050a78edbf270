package dev.odooops.store;

import dev.odooops.domain.Checksums;
import dev.odooops.domain.FilestoreIndex;
import dev.odooops.support.HostileArchive;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Packs read in process: what the real tar wrote (GNU, POSIX pax and ustar forms, long and non-ASCII names), only the
 * members the index names written and each checked, the hostile others never written, a named member that is not
 * what the index says refused.
 */
@Tag("fast")
class PackReaderTest {
    @TempDir
    Path tmp;

    private static final String LONG = "documents/" + "dossier-".repeat(14) + "/facture été 2026 numéro 1234567890.pdf";

    private Path tree() throws Exception {
        Path src = tmp.resolve("src");
        write(src, "ab/abcdef", "an attachment");
        write(src, "cd/cdef01", "some words ".repeat(40_000));
        write(src, "ef/ef0123", "");
        write(src, LONG, "a Dolibarr document with a long name");
        write(src, "not/wanted", "stays in the pack");
        return src;
    }

    private static void write(Path root, String path, String content) throws Exception {
        Files.createDirectories(root.resolve(path).getParent());
        Files.writeString(root.resolve(path), content);
        Files.setLastModifiedTime(root.resolve(path), java.nio.file.attribute.FileTime.fromMillis(1_600_000_000_000L));
    }

    private static FilestoreIndex.Entry entry(Path root, String path) throws Exception {
        return new FilestoreIndex.Entry(path, Checksums.sha1(root.resolve(path)), Files.size(root.resolve(path)), "p");
    }

    private Map<String, String> files(Path root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path f : s.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
                out.put(root.relativize(f).toString(), Checksums.sha1(f));
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"gnu", "posix", "ustar-short-names"})
    void should_write_exactly_the_named_members_of_a_pack_tar_wrote(String format) throws Exception {
        assertTrue(ZstdLibrary.available());
        Path src = tree();
        List<String> names = new ArrayList<>(List.of("./ab/abcdef", "./cd/cdef01", "./ef/ef0123", "./not/wanted"));
        if (!format.startsWith("ustar")) names.add("./" + LONG); // ustar cannot hold it
        Path list = tmp.resolve("members");
        Files.write(list, names, StandardCharsets.UTF_8);
        Path pack = tmp.resolve(format + ".tar.zst");
        run("tar", "--zstd", "--create", "--format=" + format.replace("-short-names", ""), "--file=" + pack,
                "--directory=" + src, "--no-recursion", "--files-from=" + list);
        List<FilestoreIndex.Entry> wanted = new ArrayList<>(List.of(entry(src, "ab/abcdef"), entry(src, "cd/cdef01"),
                entry(src, "ef/ef0123")));
        if (!format.startsWith("ustar")) wanted.add(entry(src, LONG));
        Path out = Files.createDirectories(tmp.resolve("out"));

        PackReader.extract(pack, "p", wanted, out);

        Map<String, String> expected = new TreeMap<>();
        for (FilestoreIndex.Entry e : wanted) expected.put(e.path(), e.sha1());
        assertEquals(expected, files(out), "every named member, nothing else");
        for (FilestoreIndex.Entry e : wanted) {
            assertEquals(Files.getLastModifiedTime(src.resolve(e.path())).toMillis() / 1000,
                    Files.getLastModifiedTime(out.resolve(e.path())).toMillis() / 1000, "the archived time, as tar restores it");
        }
    }

    @Test
    void should_read_a_pack_of_several_zstd_frames() throws Exception {
        Path src = tree();
        Path a = tmp.resolve("a.tar");
        run("tar", "--create", "--file=" + a, "--directory=" + src, "./ab/abcdef", "./cd/cdef01");
        // a tar stream cut in two, each half its own zstd frame, the frames one after the other
        byte[] all = Files.readAllBytes(a);
        Files.write(tmp.resolve("h1"), java.util.Arrays.copyOfRange(all, 0, 10_240));
        Files.write(tmp.resolve("h2"), java.util.Arrays.copyOfRange(all, 10_240, all.length));
        run("zstd", "-q", tmp.resolve("h1").toString(), tmp.resolve("h2").toString());
        Path pack = tmp.resolve("frames.tar.zst");
        Files.write(pack, Files.readAllBytes(tmp.resolve("h1.zst")));
        Files.write(pack, Files.readAllBytes(tmp.resolve("h2.zst")), java.nio.file.StandardOpenOption.APPEND);
        Path out = Files.createDirectories(tmp.resolve("out"));
        PackReader.extract(pack, "p", List.of(entry(src, "cd/cdef01")), out);
        assertEquals(Map.of("cd/cdef01", Checksums.sha1(src.resolve("cd/cdef01"))), files(out));
    }

    @Test
    void should_never_write_the_hostile_members_of_a_pack() throws Exception {
        Path src = tmp.resolve("src");
        write(src, "ab/abcdef", "an attachment");
        Path canary = tmp.resolve("canary");
        Path pack = new HostileArchive().copyOf(src).file("../escape", "escaped").symlink("./ab/link", canary.toString())
                .file("./ab/link", "written through the link").file("./ab/extra", "not in the index")
                .charDevice("./ab/dev", 1, 3).fifo("./ab/fifo").hardLink("./ab/hard", "/etc/passwd")
                .writeZstd(tmp.resolve("pack.tar.zst"));
        Path out = Files.createDirectories(tmp.resolve("deep/staging"));

        PackReader.extract(pack, "p", List.of(entry(src, "ab/abcdef")), out);

        assertEquals(Map.of("ab/abcdef", Checksums.sha1(src.resolve("ab/abcdef"))), files(out));
        assertFalse(Files.exists(canary, LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(tmp.resolve("deep/escape")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"symlink", "fifo", "hardlink", "twice", "missing", "other content", "other size"})
    void should_refuse_a_named_member_that_is_not_what_the_index_says(String kind) throws Exception {
        Path canary = tmp.resolve("canary");
        String sha = Checksums.sha1(Files.writeString(tmp.resolve("x"), "an attachment"));
        FilestoreIndex.Entry wanted = new FilestoreIndex.Entry("ab/abcdef", sha, 13, "p");
        HostileArchive a = new HostileArchive().file("./ab/before", "x");
        switch (kind) {
            case "symlink" -> a.symlink("./ab/abcdef", canary.toString());
            case "fifo" -> a.fifo("./ab/abcdef");
            case "hardlink" -> a.hardLink("./ab/abcdef", canary.toString());
            case "twice" -> a.file("./ab/abcdef", "an attachment").file("./ab/abcdef", "an attachment");
            case "missing" -> a.file("./ab/other", "an attachment");
            case "other content" -> a.file("./ab/abcdef", "an attachmenT");
            case "other size" -> a.file("./ab/abcdef", "an attachment, longer");
            default -> throw new IllegalArgumentException(kind);
        }
        Path pack = a.writeZstd(tmp.resolve("pack.tar.zst"));
        Path out = Files.createDirectories(tmp.resolve("staging"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PackReader.extract(pack, "p7", List.of(wanted), out));
        assertEquals("pack p7 does not hold ab/abcdef as the index says", e.getMessage());
        assertFalse(Files.exists(canary, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void should_refuse_a_pack_that_is_not_a_tar_archive() throws Exception {
        Path plain = Files.writeString(tmp.resolve("junk"), "x".repeat(4096));
        run("zstd", "-q", plain.toString());
        Path out = Files.createDirectories(tmp.resolve("staging"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PackReader.extract(tmp.resolve("junk.zst"), "p9",
                List.of(new FilestoreIndex.Entry("ab/abcdef", "0123456789abcdef0123456789abcdef01234567", 13, "p")), out));
        assertTrue(e.getMessage().startsWith("pack p9 is not a readable tar archive"), e.getMessage());
    }

    private static void run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", argv) + ": " + out);
    }
}
