package dev.odooops.domain;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which members of a pack live artifacts still need, and whether the pack is worth writing again without the
 * others. A member is live when the index of a live artifact lists it (by path and SHA-1) in a pack that resolves
 * to this one (the index names the pack the file was first stored in; a repacked pack's files moved).
 */
public final class RepackPlanner {
    private static final Pattern REPACKED = Pattern.compile("(.*)-r(\\d{1,6})");

    private RepackPlanner() {
    }

    /** The live members of {@code pack}, one per path and content, from the live artifacts' indexes. */
    public static List<FilestoreIndex.Entry> liveMembers(Collection<FilestoreIndex> indexes, UnaryOperator<String> resolve,
                                                         String pack) {
        Map<String, FilestoreIndex.Entry> live = new LinkedHashMap<>();
        for (FilestoreIndex index : indexes) {
            for (FilestoreIndex.Entry e : index.entries()) {
                if (!resolve.apply(e.pack()).equals(pack)) continue;
                live.putIfAbsent(e.path() + "\t" + e.sha1(), new FilestoreIndex.Entry(e.path(), e.sha1(), e.size(), pack));
            }
        }
        return List.copyOf(live.values());
    }

    /** Whether at least {@code deadPercent} of the pack's bytes (before compression) are no live artifact's; 0: never. */
    public static boolean worthRepacking(long packBytes, long liveBytes, int deadPercent) {
        if (deadPercent <= 0 || packBytes <= 0) return false;
        return (packBytes - liveBytes) * 100 >= (long) deadPercent * packBytes;
    }

    /** The id of the pack that replaces {@code pack}: {@code <pack>-r1}, then {@code -r2} for a repacked one. */
    public static String nextId(String pack) {
        Matcher m = REPACKED.matcher(pack);
        return m.matches() ? m.group(1) + "-r" + (Integer.parseInt(m.group(2)) + 1) : pack + "-r1";
    }
}
