package dev.odooops.store;

import dev.odooops.domain.Checksums;
import dev.odooops.domain.FilestoreIndex;
import dev.odooops.exec.ToolRunner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The members an index lists, out of one pack of the packed filestore and nothing else, and into a new pack: what
 * a restore, a repack and {@code verify-artifact --read-data} share. Owners and modes of the pack are not used.
 * In process (zstd's library, {@link PackReader}, {@link PackFileWriter}) where it loads ({@link ZstdLibrary}),
 * by {@code tar --zstd} where it does not.
 */
public final class PackMembers {
    private PackMembers() {
    }

    /**
     * The {@code wanted} members of {@code pack} (named {@code packId} in messages) into the directory {@code into},
     * each one a regular file of the index's size and SHA-1 when this returns; otherwise "pack ... does not hold ...
     * as the index says" is thrown. In process, each member is checked as it is written and no other is written;
     * by tar, exactly the named members are extracted and each is hashed after.
     */
    public static void extractChecked(ToolRunner tools, Path pack, String packId, List<FilestoreIndex.Entry> wanted, Path into,
                                      Duration timeout) throws IOException {
        if (ZstdLibrary.available()) {
            PackReader.extract(pack, packId, wanted, into);
            return;
        }
        extract(tools, pack, wanted, into, timeout);
        for (FilestoreIndex.Entry e : wanted) {
            Path got = into.resolve(e.path());
            if (!Files.isRegularFile(got, LinkOption.NOFOLLOW_LINKS) || Files.size(got) != e.size()
                    || !Checksums.sha1(got).equals(e.sha1())) {
                throw new IllegalStateException("pack " + packId + " does not hold " + e.path() + " as the index says");
            }
        }
    }

    /**
     * {@code tar --zstd --extract} of {@code members} of {@code pack} into the directory {@code into}, unchecked (the
     * caller judges what is there: {@code verify-artifact --read-data} reports each file that differs).
     */
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
     * A pack of the files {@code paths} below {@code dir}, members named by their path (as a backup writes a pack), at
     * this zstd level with every core: in process, or by {@code tar --zstd --create}. The files must not change
     * meanwhile (a repack's, just extracted and checked): one that is missing fails the pack.
     */
    public static void create(ToolRunner tools, Path dir, List<String> paths, Path pack, int level, Duration timeout)
            throws IOException {
        if (ZstdLibrary.available()) {
            PackFileWriter.Written w = PackFileWriter.write(dir, paths, pack, level, Runtime.getRuntime().availableProcessors());
            for (String p : paths) {
                if (!w.members().containsKey(p)) throw new IllegalStateException(p + " vanished while " + pack.getFileName() + " was written");
            }
            return;
        }
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
