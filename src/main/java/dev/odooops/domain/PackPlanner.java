package dev.odooops.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Groups the files a backup must store (those whose content the project's store does not hold yet) into packs:
 * members in path order, about {@code targetBytes} each (a file larger than that is a pack of its own), already
 * compressed content apart from the rest so each pack gets the zstd level that suits it.
 */
public final class PackPlanner {
    /** A file to store: its path below the filestore root, SHA-1, size, and whether its content is compressed. */
    public record NewFile(String path, String sha1, long size, boolean compressed) {
    }

    /** One pack to write: whether it holds compressed content, its members, and their total size. */
    public record Pack(boolean compressed, List<NewFile> members, long bytes) {
    }

    private final long targetBytes;

    public PackPlanner(long targetBytes) {
        if (targetBytes < 1) throw new IllegalArgumentException("pack size must be positive");
        this.targetBytes = targetBytes;
    }

    public List<Pack> plan(List<NewFile> files) {
        List<Pack> out = new ArrayList<>();
        for (boolean compressed : new boolean[]{false, true}) {
            List<NewFile> group = files.stream().filter(f -> f.compressed() == compressed)
                    .sorted(Comparator.comparing(NewFile::path)).toList();
            List<NewFile> current = new ArrayList<>();
            long bytes = 0;
            for (NewFile f : group) {
                if (!current.isEmpty() && bytes + f.size() > targetBytes) {
                    out.add(new Pack(compressed, List.copyOf(current), bytes));
                    current.clear();
                    bytes = 0;
                }
                current.add(f);
                bytes += f.size();
            }
            if (!current.isEmpty()) out.add(new Pack(compressed, List.copyOf(current), bytes));
        }
        return out;
    }
}
