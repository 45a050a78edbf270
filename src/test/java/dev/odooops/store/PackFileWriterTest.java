package dev.odooops.store;

import dev.odooops.domain.Checksums;
import dev.odooops.domain.TarListing;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Packs written in process, read back by the real tar and zstd: the same bytes, names and digests. */
@Tag("fast")
class PackFileWriterTest {
    @TempDir
    Path dir;

    private Map<String, byte[]> tree(Path root) throws IOException {
        Random random = new Random(7);
        Map<String, byte[]> files = new LinkedHashMap<>();
        byte[] big = new byte[1_300_000];
        random.nextBytes(big);
        files.put("3f/3f786850e387550fdab836ed7e6dc881de23001b", "a\n".getBytes(StandardCharsets.UTF_8));
        files.put("da/da39a3ee5e6b4b0d3255bfef95601890afd80709", new byte[0]);
        files.put("8a/8a1c0a5c3c9f4f2f2b6c4d6a2f3c1b0e9d8c7b6a", big);
        files.put("text/" + "x".repeat(120) + "/notes.txt", "some words, some words, some words\n".repeat(5000).getBytes(StandardCharsets.UTF_8));
        files.put("societe/1/facture é 2026.pdf", "%PDF-1.4 été\n".getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Files.createDirectories(root.resolve(f.getKey()).getParent());
            Files.write(root.resolve(f.getKey()), f.getValue());
        }
        return files;
    }

    @Test
    void should_write_a_pack_that_tar_and_zstd_read_back_bit_for_bit() throws Exception {
        assertTrue(dev.odooops.store.ZstdLibrary.available(), "zstd's native library loads here");
        Path source = Files.createDirectories(dir.resolve("filestore"));
        Map<String, byte[]> files = tree(source);
        for (int workers : new int[]{1, 2}) {
            Path pack = dir.resolve("p" + workers + ".tar.zst");
            PackFileWriter.Written w = PackFileWriter.write(source, new ArrayList<>(files.keySet()), pack, 3, workers);
            assertEquals(Checksums.sha256(pack), w.sha256(), "the SHA-256 of the bytes on disk");
            assertEquals(Files.size(pack), w.size());
            assertEquals(List.copyOf(files.keySet()), List.copyOf(w.members().keySet()), "every member, in order");
            run("zstd", "--test", "-q", pack.toString()); // the frame and its checksum
            List<TarListing.Member> listed = TarListing.parse(run(List.of("tar", "--zstd", "--list", "--file=" + pack),
                    TarListing.LIST_OPTIONS));
            assertEquals(files.size(), listed.size());
            int i = 0;
            for (String path : files.keySet()) {
                TarListing.Member m = listed.get(i++);
                assertEquals(TarListing.Kind.FILE, m.kind(), m.line());
                assertEquals(path, m.path(), m.line());
                assertEquals(files.get(path).length, m.size(), m.line());
            }
            Path out = Files.createDirectories(dir.resolve("out" + workers));
            run("tar", "--zstd", "--extract", "--file=" + pack, "--directory=" + out, "--no-same-owner");
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                assertArrayEquals(f.getValue(), Files.readAllBytes(out.resolve(f.getKey())), f.getKey());
                assertEquals(Checksums.sha1(out.resolve(f.getKey())), w.members().get(f.getKey()).sha1());
                assertEquals(f.getValue().length, w.members().get(f.getKey()).size());
            }
            Process d = new ProcessBuilder("zstd", "-d", "-c", "-q", pack.toString()).start();
            long tarLength = d.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            assertEquals(0, d.waitFor());
            assertEquals(0, tarLength % (20 * 512), "the archive ends on a record, as GNU tar's do");
        }
    }

    @Test
    void should_leave_out_a_file_that_vanished_and_refuse_one_that_became_a_link() throws Exception {
        Path source = Files.createDirectories(dir.resolve("filestore"));
        Map<String, byte[]> files = tree(source);
        List<String> paths = new ArrayList<>(files.keySet());
        paths.add(1, "ab/ab00000000000000000000000000000000000000"); // collected by Odoo after it was probed
        Path pack = dir.resolve("p.tar.zst");
        PackFileWriter.Written w = PackFileWriter.write(source, paths, pack, 1, 1);
        assertEquals(List.copyOf(files.keySet()), List.copyOf(w.members().keySet()));
        Path out = Files.createDirectories(dir.resolve("out"));
        run("tar", "--zstd", "--extract", "--file=" + pack, "--directory=" + out);
        assertTrue(Files.notExists(out.resolve("ab")));

        Path swapped = source.resolve("3f/3f786850e387550fdab836ed7e6dc881de23001b");
        Files.delete(swapped);
        Files.createSymbolicLink(swapped, Path.of("/etc/passwd"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> PackFileWriter.write(source, List.copyOf(files.keySet()), dir.resolve("q.tar.zst"), 1, 1));
        assertTrue(e.getMessage().contains("3f/3f786850e387550fdab836ed7e6dc881de23001b is not a regular file"), e.getMessage());
    }

    private static String run(List<String> argv, List<String> more) throws Exception {
        List<String> all = new ArrayList<>(argv);
        all.addAll(more);
        return run(all.toArray(String[]::new));
    }

    private static String run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", argv) + ": " + out);
        return out;
    }
}
