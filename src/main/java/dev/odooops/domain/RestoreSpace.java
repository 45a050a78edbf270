package dev.odooops.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The free space a restore needs, and where (the disk_space check of the preflight). Two places, often two file
 * systems (the application's data on a volume of its own):
 * <ul>
 *   <li>the work directory: the artifact files the restore fetches (the dump, the archive or the index), and for a
 *       packed filestore the largest pack it may fetch (one at a time, removed once extracted);</li>
 *   <li>the filestore's own file system: the new filestore is built beside the live one (so that the swap is a
 *       rename), all of it but the files hard-linked from the live filestore, which take no room.</li>
 * </ul>
 * When both are one file system, it needs the sum.
 */
public record RestoreSpace(long fetchedBytes, long largestPackBytes, long treeBytes, long linkableBytes) {

    /**
     * The bytes of the index's files that the live filestore holds under the same path with the same size: a restore
     * that links files reuses them instead of writing them again (the estimate; the restore checks each one's SHA-1).
     */
    public static long linkable(FilestoreIndex index, Map<String, Long> liveSizes) {
        long bytes = 0;
        for (FilestoreIndex.Entry e : index.entries()) {
            Long size = liveSizes.get(e.path());
            if (size != null && size == e.size()) bytes += e.size();
        }
        return bytes;
    }

    public long workNeeds() {
        return fetchedBytes + largestPackBytes;
    }

    public long filestoreNeeds() {
        return Math.max(0, treeBytes - linkableBytes);
    }

    /** One free-space reading: where, and how much is free there. */
    public record Free(String where, long bytes) {
    }

    /**
     * The shortfalls (empty when there is room), given the free space of the work directory's and the filestore's
     * file systems ({@code filestore} null when no filestore is restored; {@code same} when both are one).
     */
    public List<String> shortfalls(Free work, Free filestore, boolean same) {
        List<String> out = new ArrayList<>();
        if (filestore != null && same) {
            long need = workNeeds() + filestoreNeeds();
            if (work.bytes() < need) out.add(work.where() + " and " + filestore.where() + " (one file system) have "
                    + mib(work.bytes()) + " free, need " + mib(need));
            return out;
        }
        if (work.bytes() < workNeeds()) out.add(work.where() + " has " + mib(work.bytes()) + " free, needs " + mib(workNeeds()));
        if (filestore != null && filestore.bytes() < filestoreNeeds()) {
            out.add(filestore.where() + " has " + mib(filestore.bytes()) + " free, needs " + mib(filestoreNeeds())
                    + " for the new filestore beside the live one");
        }
        return out;
    }

    /** What the check says when there is room: every figure it compared. */
    public String describe(Free work, Free filestore, boolean same) {
        StringBuilder sb = new StringBuilder();
        sb.append(work.where()).append(": ").append(mib(work.bytes())).append(" free, needs ").append(mib(workNeeds()))
                .append(" (artifact files ").append(mib(fetchedBytes));
        if (largestPackBytes > 0) sb.append(", largest pack ").append(mib(largestPackBytes));
        sb.append(')');
        if (filestore != null) {
            sb.append("; ").append(filestore.where()).append(same ? " (the same file system)" : "").append(": ")
                    .append(mib(filestore.bytes())).append(" free, needs ").append(mib(filestoreNeeds()))
                    .append(" (new filestore ").append(mib(treeBytes));
            if (linkableBytes > 0) sb.append(", ").append(mib(linkableBytes)).append(" of it linked from the live one");
            sb.append(')');
        }
        return sb.toString();
    }

    /** Bytes as MiB with one decimal ({@code 0.2 MiB}, never a bare 0 for a few hundred kilobytes). */
    public static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
