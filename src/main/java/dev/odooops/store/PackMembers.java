package dev.odooops.store;

import dev.odooops.domain.FilestoreIndex;
import dev.odooops.exec.ToolRunner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Extracts the members an index lists from one pack of the packed filestore, and nothing else: what a restore
 * and {@code verify-artifact --read-data} share. Owners and modes of the pack are not used.
 */
public final class PackMembers {
    private PackMembers() {
    }

    /** {@code tar --zstd --extract} of {@code members} of {@code pack} into the directory {@code into}. */
    public static void extract(ToolRunner tools, Path pack, List<FilestoreIndex.Entry> members, Path into, Duration timeout)
            throws IOException {
        Path list = into.resolveSibling(into.getFileName() + ".members");
        StringBuilder sb = new StringBuilder();
        for (FilestoreIndex.Entry e : members) sb.append("./").append(e.path()).append('\0');
        Files.writeString(list, sb, StandardCharsets.UTF_8);
        try {
            // exactly the named members: a directory member under a wanted name does not bring its contents along
            tools.run(List.of("tar", "--zstd", "--extract", "--file=" + pack, "--directory=" + into, "--no-same-owner",
                    "--no-same-permissions", "--no-recursion", "--null", "--verbatim-files-from", "--files-from=" + list),
                    Map.of(), timeout,
                    ToolRunner.Progress.directory(into));
        } finally {
            Files.deleteIfExists(list);
        }
    }

    /**
     * {@code tar --zstd --create} of the files {@code paths} below {@code dir} into {@code pack}, members named by
     * their path (as a backup writes a pack), at this zstd level.
     */
    public static void create(ToolRunner tools, Path dir, List<String> paths, Path pack, int level, Duration timeout)
            throws IOException {
        Path list = pack.resolveSibling(pack.getFileName() + ".members");
        StringBuilder sb = new StringBuilder();
        for (String p : paths) sb.append("./").append(p).append('\0');
        Files.writeString(list, sb, StandardCharsets.UTF_8);
        try {
            tools.run(List.of("tar", "--zstd", "--create", "--file=" + pack, "--directory=" + dir, "--no-recursion",
                    "--null", "--verbatim-files-from", "--files-from=" + list), Map.of("ZSTD_CLEVEL", String.valueOf(level),
                    "ZSTD_NBTHREADS", "0"), timeout, ToolRunner.Progress.file(pack));
        } finally {
            Files.deleteIfExists(list);
        }
    }
}
