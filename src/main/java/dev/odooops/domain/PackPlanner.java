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

    /**
     * The same packs as {@link #plan}, planned as the files come (in path order): {@link #add} answers the packs a file
     * completes, {@link #finish} the rest. A backup writes each pack as soon as it is complete, while the files after
     * it are still being read.
     */
    public Streaming streaming() {
        return new Streaming();
    }

    /** See {@link #streaming}. Files must come in ascending path order. */
    public final class Streaming {
        private final List<NewFile> plain = new ArrayList<>();
        private final List<NewFile> packed = new ArrayList<>();
        private final long[] bytes = new long[2];
        private String last;

        private Streaming() {
        }

        /** Adds {@code f}; the pack of its kind that it would overfill, if any, is complete and answered. */
        public List<Pack> add(NewFile f) {
            if (last != null && f.path().compareTo(last) <= 0) {
                throw new IllegalArgumentException("files must come in path order: " + f.path() + " after " + last);
            }
            last = f.path();
            int k = f.compressed() ? 1 : 0;
            List<NewFile> current = f.compressed() ? packed : plain;
            List<Pack> out = new ArrayList<>();
            if (!current.isEmpty() && bytes[k] + f.size() > targetBytes) {
                out.add(new Pack(f.compressed(), List.copyOf(current), bytes[k]));
                current.clear();
                bytes[k] = 0;
            }
            current.add(f);
            bytes[k] += f.size();
            return out;
        }

        /** The packs still open, the plain one first. */
        public List<Pack> finish() {
            List<Pack> out = new ArrayList<>();
            if (!plain.isEmpty()) out.add(new Pack(false, List.copyOf(plain), bytes[0]));
            if (!packed.isEmpty()) out.add(new Pack(true, List.copyOf(packed), bytes[1]));
            plain.clear();
            packed.clear();
            return out;
        }
    }

    /** Every pack at once (what {@link #streaming} answers over the files in path order), the plain ones first. */
    public List<Pack> plan(List<NewFile> files) {
        Streaming s = streaming();
        List<Pack> out = new ArrayList<>();
        files.stream().sorted(Comparator.comparing(NewFile::path)).forEach(f -> out.addAll(s.add(f)));
        out.addAll(s.finish());
        out.sort(Comparator.comparing(Pack::compressed)); // stable: each kind stays in path order
        return out;
    }
}
