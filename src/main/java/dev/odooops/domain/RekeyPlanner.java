package dev.odooops.domain;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The decisions of {@code odoo-ops rekey}, in plain Java: what is of an older generation (a recipient set other than
 * the current one, plaintext included: {@code null}), the names of the packs a rekey run writes, and the
 * {@code sha256sum -c} files of an artifact rewritten for the objects written again (their digests) and for the packs
 * that hold the index's files now (after a rekey, as after a repack, the index still names the packs of the backup; the
 * sums name the packs to check by hand).
 */
public final class RekeyPlanner {
    /** The prefix of a rekey run's packs: {@code rekey-<first 8 hex of the run id>-<n>}. */
    public static final String PACK_PREFIX = "rekey-";
    private static final String PACKS = "../../_packs/";
    private static final String PACK_SUFFIX = ".tar.zst";

    private RekeyPlanner() {
    }

    /**
     * True when an object of {@code generation} must be written again for {@code current}: another recipient set, or
     * plaintext ({@code null}) while encryption is configured. Nothing is stale without encryption ({@code current}
     * null): rekey never decrypts what is stored.
     */
    public static boolean stale(String generation, String current) {
        return current != null && !Objects.equals(generation, current);
    }

    /** The id of the {@code n}th pack (from 1) a rekey run writes: its own name, as a repack's is the pruning run's. */
    public static String packId(UUID runId, int n) {
        if (n < 1 || n > 9999) throw new IllegalArgumentException("pack number " + n + " out of 1..9999");
        return PACK_PREFIX + runId.toString().substring(0, 8) + String.format("-%04d", n);
    }

    /**
     * A {@code sha256sum} file of an artifact with new digests: a line naming an object of {@code objects} gets that
     * object's digest; a line naming a pack ({@code ../../_packs/<id>.tar.zst}) names the pack {@code packs} maps it to
     * and its digest (once: two old packs moved into one new pack give one line). Other lines stay as they are.
     * Throws on a line that is not in sha256sum format, naming {@code source}.
     */
    public static String rewriteSums(String text, Map<String, String> objects, Map<String, ArtifactManifest.PackRef> packs,
                                     String source) {
        Map<String, String> lines = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) continue;
            String sha = Checksums.parseSha256sumLine(line, source);
            String name = line.strip().substring(66);
            if (objects.containsKey(name)) {
                sha = objects.get(name);
            } else if (name.startsWith(PACKS) && name.endsWith(PACK_SUFFIX)) {
                ArtifactManifest.PackRef now = packs.get(name.substring(PACKS.length(), name.length() - PACK_SUFFIX.length()));
                if (now != null) {
                    name = PACKS + now.id() + PACK_SUFFIX;
                    sha = now.sha256();
                }
            }
            lines.putIfAbsent(name, sha);
        }
        StringBuilder out = new StringBuilder();
        lines.forEach((name, sha) -> out.append(Checksums.sha256sumLine(sha, name)));
        return out.toString();
    }
}
