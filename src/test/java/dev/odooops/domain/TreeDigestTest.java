package dev.odooops.domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class TreeDigestTest {
    private static void tree(Path root, String content) throws Exception {
        Files.createDirectories(root.resolve("ab"));
        Files.createDirectories(root.resolve("0f/empty-dir-ignored").getParent());
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
    void should_match_the_documented_formula(@TempDir Path a) throws Exception {
        Files.writeString(a.resolve("x"), "1");
        String expected = Checksums.sha256("x\t" + Checksums.sha256("1") + "\n");
        assertEquals(expected, TreeDigest.of(a).digest());
    }
}
