package dev.odooops.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The referenced files an artifact already lacked when it was taken: its backup found them missing from the
 * filestore (or documents directory), or corrupt (SHA-1 other than {@code ir_attachment.checksum}), and recorded
 * them in {@code filestore.meta.json} ({@code missing_paths}, {@code corrupt_paths}). A restore is judged against
 * what the artifact holds: such a file missing (or corrupt) after the restore is reported, not a failure; any other
 * missing or corrupt file is. An artifact written before the lists were recorded has only the count
 * ({@code missing_files}): up to that many missing files are reported as the ones it counted without naming them.
 *
 * @param unnamedMissing how many missing files the artifact counted without naming them (older artifacts)
 */
public record BackupGaps(Set<String> missing, Set<String> corrupt, int unnamedMissing) {
    public static final BackupGaps NONE = new BackupGaps(Set.of(), Set.of(), 0);

    public BackupGaps {
        missing = Set.copyOf(missing);
        corrupt = Set.copyOf(corrupt);
    }

    /** From an artifact's {@code filestore.meta.json}; {@link #NONE} when it is null (no filestore part). */
    public static BackupGaps of(Map<String, Object> filestoreMeta) {
        if (filestoreMeta == null) return NONE;
        Set<String> missing = strings(filestoreMeta.get("missing_paths"));
        Set<String> corrupt = strings(filestoreMeta.get("corrupt_paths"));
        int unnamed = 0;
        if (!filestoreMeta.containsKey("missing_paths") && filestoreMeta.get("missing_files") instanceof Number n) {
            unnamed = n.intValue();
        }
        return new BackupGaps(missing, corrupt, unnamed);
    }

    private static Set<String> strings(Object list) {
        Set<String> out = new TreeSet<>();
        if (list instanceof Collection<?> c) c.forEach(o -> out.add(String.valueOf(o)));
        return out;
    }

    public boolean isEmpty() {
        return missing.isEmpty() && corrupt.isEmpty() && unnamedMissing == 0;
    }

    /**
     * What a validation found now, sorted: {@code failures} are problems the artifact did not have, {@code recorded}
     * those it already had (each named with why it is only reported).
     */
    public record Judged(List<String> failures, List<String> recorded) {
    }

    /**
     * @param missingNow referenced files missing now
     * @param corruptNow referenced files whose content is not the recorded one now
     */
    public Judged judge(Collection<String> missingNow, Collection<String> corruptNow) {
        List<String> failures = new ArrayList<>();
        List<String> recorded = new ArrayList<>();
        int unnamedLeft = unnamedMissing;
        for (String path : new TreeSet<>(missingNow)) {
            if (missing.contains(path)) {
                recorded.add(path + " missing (already missing at backup time)");
            } else if (unnamedLeft > 0 && !corrupt.contains(path)) {
                unnamedLeft--;
                recorded.add(path + " missing (the artifact counted " + unnamedMissing + " missing file(s) without naming them)");
            } else {
                failures.add(path + " missing");
            }
        }
        for (String path : new TreeSet<>(corruptNow)) {
            if (corrupt.contains(path)) recorded.add(path + " sha1 differs (already so at backup time)");
            else failures.add(path + " sha1 differs");
        }
        return new Judged(List.copyOf(failures), List.copyOf(recorded));
    }
}
