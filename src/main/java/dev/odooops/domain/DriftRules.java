package dev.odooops.domain;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * check-drift's judgement, over what was read of each environment of one project (no I/O here). Every environment is
 * compared with the project's production environment (the first of type production; without one, the first
 * environment). A <em>divergence</em> fails the check (exit 1), a <em>note</em> is shown and does not:
 * <ul>
 *   <li>divergence: another Odoo series; a module installed in production that is not installed here; the addons
 *   paths both have in another order (Odoo takes a module from the first path that holds it, so the order decides
 *   which code runs); an environment that could not be read; a production environment without an active outgoing
 *   mail server or marked neutralised ({@code database.is_neutralized}); a non-production environment that fails the
 *   neutralisation check (each of its problems);</li>
 *   <li>note: another version of a module both have installed, a module installed here only, an addons path only one
 *   of them has, another commit of the same addons path (staging is where the next release is tried).</li>
 * </ul>
 * Addons paths are compared by their directory name (the last segment: {@code /srv/prod/enterprise} and
 * {@code /srv/staging/enterprise} are the same path of two environments), since environments live under different
 * roots.
 */
public final class DriftRules {
    /**
     * One environment as read. {@code addonsPaths}: in Odoo's search order; {@code commits}: path to commit (paths that
     * are git repositories); {@code mailServerActive}, {@code neutralized}: null when not read (not production);
     * {@code neutralizationProblems}: null when not checked (production); {@code unreadable}: why it could not be read,
     * else null.
     */
    public record EnvironmentState(String id, String type, String series, List<String> addonsPaths,
                                   Map<String, String> commits, Map<String, String> modules, Boolean mailServerActive,
                                   Boolean neutralized, List<String> neutralizationProblems, String unreadable) {
        public boolean production() {
            return "production".equals(type);
        }
    }

    /** {@code reference}: the environment the others were compared with (null when the project has none). */
    public record Outcome(String reference, List<String> divergences, List<String> notes) {
        public boolean ok() {
            return divergences.isEmpty();
        }
    }

    private DriftRules() {
    }

    public static Outcome judge(List<EnvironmentState> envs) {
        List<String> divergences = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        EnvironmentState ref = envs.stream().filter(e -> e.production() && e.unreadable() == null).findFirst()
                .orElse(envs.stream().filter(e -> e.unreadable() == null).findFirst().orElse(null));
        if (ref != null && !ref.production()) {
            notes.add("no readable production environment: compared with " + ref.id());
        }
        for (EnvironmentState e : envs) {
            if (e.unreadable() != null) {
                divergences.add(e.id() + ": could not be read: " + e.unreadable());
                continue;
            }
            if (e.production()) {
                if (!Boolean.TRUE.equals(e.mailServerActive())) {
                    divergences.add(e.id() + ": production has no active outgoing mail server (ir_mail_server): its mails are "
                            + "not sent");
                }
                if (Boolean.TRUE.equals(e.neutralized())) {
                    divergences.add(e.id() + ": production is marked neutralised (ir_config_parameter database.is_neutralized): "
                            + "a copy was put in its place, or it was neutralised by mistake");
                }
            } else if (e.neutralizationProblems() != null) {
                for (String p : e.neutralizationProblems()) divergences.add(e.id() + ": not neutralised: " + p);
            }
            if (ref == null || e == ref) continue;
            compare(ref, e, divergences, notes);
        }
        return new Outcome(ref == null ? null : ref.id(), List.copyOf(divergences), List.copyOf(notes));
    }

    private static void compare(EnvironmentState ref, EnvironmentState e, List<String> divergences, List<String> notes) {
        if (!Objects.equals(ref.series(), e.series())) {
            divergences.add(e.id() + ": Odoo series " + e.series() + ", " + ref.id() + " runs " + ref.series());
        }
        ref.modules().forEach((module, version) -> {
            String here = e.modules().get(module);
            if (here == null) {
                divergences.add(e.id() + ": module " + module + " is installed in " + ref.id() + " (" + version
                        + ") but not here");
            } else if (!here.equals(version)) {
                notes.add(e.id() + ": module " + module + " " + here + ", " + ref.id() + " has " + version);
            }
        });
        e.modules().keySet().stream().filter(m -> !ref.modules().containsKey(m))
                .forEach(m -> notes.add(e.id() + ": module " + m + " is installed here only (not in " + ref.id() + ")"));
        List<String> refNames = names(ref.addonsPaths());
        List<String> names = names(e.addonsPaths());
        List<String> refCommon = refNames.stream().filter(names::contains).toList();
        List<String> common = names.stream().filter(refNames::contains).toList();
        if (!refCommon.equals(common)) {
            divergences.add(e.id() + ": addons path order " + String.join(", ", common) + " differs from " + ref.id() + "'s "
                    + String.join(", ", refCommon) + " (Odoo loads a module from the first path that has it)");
        }
        for (String n : refNames) if (!names.contains(n)) notes.add(e.id() + ": no addons path " + n + " (" + ref.id() + " has one)");
        for (String n : names) if (!refNames.contains(n)) notes.add(e.id() + ": addons path " + n + " is not in " + ref.id());
        Map<String, String> refCommits = byName(ref.commits());
        byName(e.commits()).forEach((name, commit) -> {
            String other = refCommits.get(name);
            if (other != null && !other.equals(commit)) {
                notes.add(e.id() + ": addons " + name + " at commit " + commit + ", " + ref.id() + " at " + other);
            }
        });
    }

    /** The directory name of each path, in order (duplicates kept once). */
    static List<String> names(List<String> paths) {
        Set<String> out = new LinkedHashSet<>();
        for (String p : paths) out.add(name(p));
        return List.copyOf(out);
    }

    /** {@code /srv/prod/enterprise/} gives {@code enterprise}. */
    public static String name(String path) {
        String p = path.replaceAll("/+$", "");
        int slash = p.lastIndexOf('/');
        return slash < 0 ? p : p.substring(slash + 1);
    }

    private static Map<String, String> byName(Map<String, String> commits) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        commits.forEach((path, commit) -> out.put(name(path), commit));
        return out;
    }
}
