package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pieces of the packed filestore format: the index, the compression probe and the pack planner. */
@Tag("fast")
class PackFormatTest {
    private static final String SHA_A = "ab" + "1".repeat(38);
    private static final String SHA_B = "cd" + "2".repeat(38);

    @Test
    void should_recognise_odoo_attachment_names_only() {
        assertEquals(SHA_A, FilestoreIndex.odooSha1("ab/" + SHA_A));
        assertNull(FilestoreIndex.odooSha1("cd/" + SHA_A), "the directory must be the name's first two digits");
        assertNull(FilestoreIndex.odooSha1("checklist/ab/" + SHA_A));
        assertNull(FilestoreIndex.odooSha1("ab/" + SHA_A.toUpperCase()));
        assertNull(FilestoreIndex.odooSha1("ab/" + SHA_A + ".bak"));
    }

    @Test
    void should_write_and_read_an_index_sorted_by_path_and_refuse_malformed_lines() {
        FilestoreIndex index = FilestoreIndex.of(List.of(
                new FilestoreIndex.Entry("cd/" + SHA_B, SHA_B, 20, "p2"),
                new FilestoreIndex.Entry("ab/" + SHA_A, SHA_A, 10, "p1")));
        assertEquals("ab/" + SHA_A + "\t" + SHA_A + "\t10\tp1\ncd/" + SHA_B + "\t" + SHA_B + "\t20\tp2\n", index.toTsv());
        FilestoreIndex back = FilestoreIndex.parse(index.toTsv());
        assertEquals(index.entries(), back.entries());
        assertEquals(index.treeDigest(), back.treeDigest());
        assertEquals(List.of("p1", "p2"), List.copyOf(index.packs()));
        assertEquals(30, index.totalBytes());

        var e = assertThrows(IllegalArgumentException.class, () -> FilestoreIndex.parse("ab/x\t" + SHA_A + "\t1\n"));
        assertTrue(e.getMessage().startsWith("filestore.index.tsv line 1:"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FilestoreIndex.parse("../etc/passwd\t" + SHA_A + "\t1\tp1\n"));
        assertThrows(IllegalArgumentException.class, () -> FilestoreIndex.parse("/etc/passwd\t" + SHA_A + "\t1\tp1\n"));
        assertThrows(IllegalArgumentException.class, () -> FilestoreIndex.of(List.of(
                new FilestoreIndex.Entry("a", SHA_A, 1, "p1"), new FilestoreIndex.Entry("a", SHA_B, 1, "p2"))));
    }

    @Test
    void should_change_the_tree_digest_with_any_path_content_or_size_but_not_with_the_pack() {
        String base = FilestoreIndex.of(List.of(new FilestoreIndex.Entry("a", SHA_A, 1, "p1"))).treeDigest();
        assertEquals(base, FilestoreIndex.of(List.of(new FilestoreIndex.Entry("a", SHA_A, 1, "other"))).treeDigest(),
                "where a file is stored is not what the tree is");
        assertNotEquals(base, FilestoreIndex.of(List.of(new FilestoreIndex.Entry("b", SHA_A, 1, "p1"))).treeDigest());
        assertNotEquals(base, FilestoreIndex.of(List.of(new FilestoreIndex.Entry("a", SHA_B, 1, "p1"))).treeDigest());
        assertNotEquals(base, FilestoreIndex.of(List.of(new FilestoreIndex.Entry("a", SHA_A, 2, "p1"))).treeDigest());
    }

    private static boolean compressed(int... bytes) {
        byte[] b = new byte[Math.max(bytes.length, 16)];
        for (int i = 0; i < bytes.length; i++) b[i] = (byte) bytes[i];
        return CompressionProbe.alreadyCompressed(b, b.length);
    }

    @Test
    void should_tell_compressed_content_from_the_first_bytes() {
        assertTrue(compressed(0xFF, 0xD8, 0xFF, 0xE0), "JPEG");
        assertTrue(compressed(0x89, 'P', 'N', 'G', 0x0D, 0x0A), "PNG");
        assertTrue(compressed('P', 'K', 3, 4), "docx/xlsx/zip");
        assertTrue(compressed(0x1F, 0x8B, 8, 0), "gzip");
        assertTrue(compressed(0, 0, 0, 0x18, 'f', 't', 'y', 'p'), "mp4");
        assertFalse(compressed('h', 'e', 'l', 'l', 'o'), "text");
        byte[] pdfFlate = "%PDF-1.7\n1 0 obj << /Filter /FlateDecode /Length 10 >>".getBytes(StandardCharsets.ISO_8859_1);
        byte[] pdfPlain = "%PDF-1.4\n1 0 obj << /Length 10 >> stream BT /F1 12 Tf ET".getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(CompressionProbe.alreadyCompressed(pdfFlate, pdfFlate.length));
        assertFalse(CompressionProbe.alreadyCompressed(pdfPlain, pdfPlain.length));
        assertFalse(CompressionProbe.alreadyCompressed(new byte[2], 2));
    }

    @Test
    void should_plan_packs_in_path_order_up_to_the_target_size_with_compressed_content_apart() {
        List<PackPlanner.NewFile> files = List.of(
                new PackPlanner.NewFile("c", SHA_A, 40, false), new PackPlanner.NewFile("a", SHA_A, 40, false),
                new PackPlanner.NewFile("b", SHA_A, 40, false), new PackPlanner.NewFile("img", SHA_B, 10, true),
                new PackPlanner.NewFile("huge", SHA_B, 500, false));
        List<PackPlanner.Pack> packs = new PackPlanner(100).plan(files);
        assertEquals(4, packs.size(), packs.toString());
        assertEquals(List.of("a", "b"), packs.get(0).members().stream().map(PackPlanner.NewFile::path).toList());
        assertEquals(80, packs.get(0).bytes());
        assertEquals(List.of("c"), packs.get(1).members().stream().map(PackPlanner.NewFile::path).toList());
        assertEquals(List.of("huge"), packs.get(2).members().stream().map(PackPlanner.NewFile::path).toList(),
                "a file over the target is a pack of its own");
        assertTrue(packs.get(3).compressed());
        assertEquals(List.of("img"), packs.get(3).members().stream().map(PackPlanner.NewFile::path).toList());
        assertEquals(List.of(), new PackPlanner(100).plan(List.of()));
    }

    @Test
    void should_plan_the_same_packs_streaming_as_the_files_come_in_path_order() {
        java.util.Random random = new java.util.Random(16);
        List<PackPlanner.NewFile> files = new java.util.ArrayList<>();
        for (int i = 0; i < 500; i++) {
            files.add(new PackPlanner.NewFile(String.format("%02x/%06d", i % 256, i), SHA_A, 1 + random.nextInt(300),
                    random.nextInt(4) == 0));
        }
        PackPlanner planner = new PackPlanner(1000);
        List<PackPlanner.Pack> whole = planner.plan(files);
        PackPlanner.Streaming streaming = planner.streaming();
        List<PackPlanner.Pack> streamed = new java.util.ArrayList<>();
        files.stream().sorted(java.util.Comparator.comparing(PackPlanner.NewFile::path)).forEach(f -> streamed.addAll(streaming.add(f)));
        streamed.addAll(streaming.finish());
        assertEquals(new java.util.HashSet<>(whole), new java.util.HashSet<>(streamed));
        assertEquals(whole.size(), streamed.size());
        assertThrows(IllegalArgumentException.class, () -> {
            PackPlanner.Streaming s = planner.streaming();
            s.add(files.get(1));
            s.add(files.get(0));
        }, "files out of path order");
    }
}
