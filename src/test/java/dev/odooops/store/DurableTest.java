package dev.odooops.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A local store's file is on the disk before its name says "stored", and its name (and every directory put created)
 * before {@code put} returns: the real system calls of a real put, traced by strace (a missing strace fails the test).
 * A power cut itself cannot be made here; the order of fsync and rename is what makes one harmless. (Not in the fast
 * tier: it starts a second JVM.)
 */
class DurableTest {
    @TempDir
    Path dir;

    @Test
    void should_fsync_the_file_before_its_rename_and_each_new_directory_after_it() throws Exception {
        Path base = dir.toRealPath(); // (strace names an fd by its real path)
        Path root = base.resolve("store");
        Files.createDirectories(root);
        Path work = base.resolve("work");
        Files.createDirectories(work);
        Path dump = Files.writeString(work.resolve("db.dump"), "the dump's bytes");
        Path trace = dir.resolve("trace.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder("strace", "-f", "-qq", "-y", "-e", "trace=fsync,fdatasync,rename,renameat,renameat2",
                "-o", trace.toString(), java, "-cp", System.getProperty("java.class.path"), PutOnce.class.getName(),
                root.toString(), "acme/prod/a1", dump.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the traced put ended");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("out.txt")));
        assertEquals("the dump's bytes", Files.readString(root.resolve("acme/prod/a1/db.dump")));

        List<String> calls = new ArrayList<>();
        for (String line : Files.readAllLines(trace)) {
            String call = line.replaceFirst("^\\d+\\s+", "");
            if (call.startsWith("fsync(") || call.startsWith("fdatasync(") || call.startsWith("rename")) calls.add(call);
        }
        int fileSync = indexOf(calls, "fsync(", ".db.dump.part>");
        int rename = indexOf(calls, "rename", ".db.dump.part");
        int dirSync = indexOf(calls, "fsync(", root.resolve("acme/prod/a1") + ">");
        assertTrue(fileSync >= 0 && rename > fileSync, "the file fsynced, then renamed: " + calls);
        assertTrue(dirSync > rename, "its directory fsynced after the rename: " + calls);
        // the directories put created: each one's entry is in its parent, fsynced too (up to the store's root)
        for (Path created : List.of(root.resolve("acme/prod"), root.resolve("acme"), root)) {
            assertTrue(indexOf(calls, "fsync(", created + ">") > rename, created + " fsynced: " + calls);
        }
        assertTrue(indexOf(calls, "fsync(", base + ">") < 0, "nothing above the store's first existing directory: " + calls);
    }

    private static int indexOf(List<String> calls, String start, String contains) {
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).startsWith(start) && calls.get(i).contains(contains)) return i;
        }
        return -1;
    }
}
