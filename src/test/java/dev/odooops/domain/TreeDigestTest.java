package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.odooops.support.TestEnvironment.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

@Tag("fast")
class TreeDigestTest {
    private static void tree(Path root, String content) throws Exception {
        Files.createDirectories(root.resolve("ab"));
        Files.createDirectories(root.resolve("0f"));
        Files.writeString(root.resolve("ab/abc"), content);
        Files.writeString(root.resolve("0f/0ff"), "other");
    }

    @Test
    void should_be_equal_for_equal_trees_wherever_they_live_and_differ_on_one_byte(@TempDir Path a, @TempDir Path b) throws Exception {
        tree(a, "hello");
        tree(b, "hello");
        TreeDigest.Result ra = TreeDigest.of(a);
        assertEquals(ra, TreeDigest.of(b));
        assertEquals(2, ra.fileCount());
        assertEquals(10, ra.totalBytes());
        Files.writeString(b.resolve("ab/abc"), "hellp");
        assertNotEquals(ra.digest(), TreeDigest.of(b).digest());
    }

    @Test
    void should_match_the_documented_version_1_formula(@TempDir Path a) throws Exception {
        Files.writeString(a.resolve("x"), "1");
        Files.createDirectories(a.resolve("empty"));
        String expected = Checksums.sha256("x\t" + Checksums.sha256("1") + "\n");
        assertEquals(expected, TreeDigest.of(a, TreeDigest.V1).digest());
    }

    @Test
    void should_match_the_documented_version_2_formula(@TempDir Path a) throws Exception {
        Files.createDirectories(a.resolve("d"));
        Files.writeString(a.resolve("d/x"), "1");
        Files.createSymbolicLink(a.resolve("l"), Path.of("/etc/passwd"));
        String expected = Checksums.sha256("d\td\t\n" + "f\td/x\t" + Checksums.sha256("1") + "\n" + "l\tl\t/etc/passwd\n");
        assertEquals(expected, TreeDigest.of(a, TreeDigest.V2).digest());
        assertEquals(expected, TreeDigest.of(a).digest(), "new digests are version 2");
    }

    @Test
    void should_change_with_a_planted_link_fifo_device_or_directory_in_version_2_only(@TempDir Path base) throws Exception {
        Path clean = Files.createDirectories(base.resolve("clean"));
        tree(clean, "hello");
        String v1 = TreeDigest.of(clean, TreeDigest.V1).digest();
        String v2 = TreeDigest.of(clean, TreeDigest.V2).digest();
        for (String kind : List.of("symlink", "fifo", "device", "dir")) {
            Path t = Files.createDirectories(base.resolve(kind));
            tree(t, "hello");
            Path planted = t.resolve("ab/planted");
            switch (kind) {
                case "symlink" -> Files.createSymbolicLink(planted, Path.of("/nonexistent/target")); // dangling: v1 follows links
                case "fifo" -> sh(null, "mkfifo", planted.toString());
                case "device" -> sh(null, "mknod", planted.toString(), "c", "1", "3");
                default -> Files.createDirectories(planted);
            }
            assertEquals(v1, TreeDigest.of(t, TreeDigest.V1).digest(), kind + ": version 1 ignores it (old artifacts)");
            assertNotEquals(v2, TreeDigest.of(t, TreeDigest.V2).digest(), kind + ": version 2 counts it");
        }
    }

    @Test
    void should_digest_listed_entries_like_the_tree_they_describe(@TempDir Path a) throws Exception {
        tree(a, "hello");
        List<TreeDigest.Entry> entries = List.of(TreeDigest.Entry.file("ab/abc", Checksums.sha256("hello"), 5),
                TreeDigest.Entry.directory("0f"), TreeDigest.Entry.file("0f/0ff", Checksums.sha256("other"), 5),
                TreeDigest.Entry.directory("ab"));
        assertEquals(TreeDigest.of(a), TreeDigest.of(entries, TreeDigest.V2));
        assertEquals(TreeDigest.of(a, TreeDigest.V1), TreeDigest.of(entries, TreeDigest.V1));
    }
}
