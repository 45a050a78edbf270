package dev.odooops.restore;

import dev.odooops.postgres.PgAdmin;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.run.SideCopySweep;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Puts an environment in order from the side copies (see {@link SideCopies}) that earlier restore runs left,
 * deciding by the recorded outcome of each run, never by guesswork:
 * <ul>
 *   <li>a run that died before it committed ({@code abandoned}): the environment goes back to what that run
 *       kept aside (the state before it), and its other copies are removed;</li>
 *   <li>a run that committed ({@code success}): every copy it left is garbage, including the {@code pre}
 *       copy; nothing is ever put back from a committed run;</li>
 *   <li>a run that failed or was rolled back: its {@code restore}, {@code failed} and {@code trash} copies
 *       are removed; a {@code pre} copy left behind means its rollback could not put it back, so it is kept
 *       and reported (the operator decides; see the runbook);</li>
 *   <li>a copy whose run is unknown or still active is left alone and reported.</li>
 * </ul>
 * Safe to run again after a crash in the middle: every action is judged from what exists.
 */
public class RestoreRecovery implements SideCopySweep {
    private static final Logger LOG = LoggerFactory.getLogger(RestoreRecovery.class);
    private final OpsCatalog catalog;

    public RestoreRecovery(OpsCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public Outcome sweep(EnvironmentConfig env, UUID currentRun, SecretRedactor redactor) {
        List<Object> actions = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        List<String> leftovers = new ArrayList<>();
        boolean putBack = false;
        List<SideCopies.Found> found = new ArrayList<>();
        String own = SideCopies.tag(currentRun);
        try (PgAdmin admin = new PgAdmin(env.database())) {
            // a killed run's side database still being created would appear after the listing: its creation is ended
            // first; should that fail, the copies that exist are still put in order (the next sweep ends it)
            try {
                List<String> ended = admin.endCreations(name -> {
                    SideCopies.Found f = SideCopies.database(env.database().name(), name);
                    return f != null && !own.startsWith(SideCopies.runIdPrefix(f.tag())) && ended(env, f.tag());
                }, PgAdmin.CREATION_WAIT);
                if (!ended.isEmpty()) actions.add("ended the creation of " + ended + " by a run that has ended");
            } catch (Exception e) {
                actions.add("could not end the side databases still being created: " + redactor.scrub(e.getMessage()));
            }
            found.addAll(SideCopies.databases(admin, env.database().name()));
        } catch (Exception e) {
            actions.add("could not list side databases: " + redactor.scrub(e.getMessage()));
        }
        try {
            found.addAll(SideCopies.directories(env.filestore()));
        } catch (Exception e) {
            actions.add("could not list side directories: " + e.getMessage());
        }
        Map<String, List<SideCopies.Found>> byTag = new LinkedHashMap<>();
        // a rollback's own copies (rb...) first: the run's original copy, put back last, then wins
        found.stream().sorted(Comparator.comparing((SideCopies.Found f) -> !f.tag().startsWith("rb")))
                .forEach(f -> byTag.computeIfAbsent(f.tag(), t -> new ArrayList<>()).add(f));
        for (var entry : byTag.entrySet()) {
            String tag = entry.getKey();
            List<SideCopies.Found> copies = entry.getValue();
            if (own.startsWith(SideCopies.runIdPrefix(tag))) continue; // this run's own copies
            Optional<String> status = catalog.runs().runStatusByPrefix(env.id(), SideCopies.runIdPrefix(tag));
            String s = status.orElse("unknown");
            try {
                switch (s) {
                    case "queued", "running" -> copies.forEach(f -> kept.add(f.describe() + " (run " + tag + " is active)"));
                    case "abandoned" -> {
                        SideCopies.putBack(env, tag, true, true, actions, leftovers);
                        removeAll(env, tag, copiesOf(env, tag, SideCopies.Role.TRASH), actions, leftovers);
                        putBack = true;
                    }
                    case "success" -> removeAll(env, tag, copies, actions, leftovers);
                    case "unknown" -> copies.forEach(f -> kept.add(f.describe() + " (no run " + tag + "* is recorded)"));
                    default -> {
                        // failed / rolled back: the pre copy of the run itself may be the only good copy
                        List<SideCopies.Found> garbage = new ArrayList<>();
                        for (SideCopies.Found f : copies) {
                            if (f.role() == SideCopies.Role.PRE && !tag.startsWith("rb")) {
                                kept.add(f.describe() + " (state before run " + tag + ", which ended " + s
                                        + " without putting it back)");
                            } else {
                                garbage.add(f);
                            }
                        }
                        removeAll(env, tag, garbage, actions, leftovers);
                    }
                }
            } catch (Exception e) {
                actions.add("run " + tag + " (" + s + "): could not put the environment back: " + redactor.scrub(e.getMessage()));
                copies.forEach(f -> kept.add(f.describe()));
            }
        }
        Outcome outcome = new Outcome(actions, kept, leftovers, putBack);
        if (!outcome.isEmpty()) LOG.warn("side copies of earlier restores on {}: {}", env.id(), outcome.toMap());
        return outcome;
    }

    /** Whether the run of the copies tagged {@code tag} is recorded and has ended (not queued, not running). */
    private boolean ended(EnvironmentConfig env, String tag) {
        String s = catalog.runs().runStatusByPrefix(env.id(), SideCopies.runIdPrefix(tag)).orElse("unknown");
        return !s.equals("unknown") && !s.equals("queued") && !s.equals("running");
    }

    private static List<SideCopies.Found> copiesOf(EnvironmentConfig env, String tag, SideCopies.Role role) throws Exception {
        List<SideCopies.Found> out = new ArrayList<>();
        try (PgAdmin admin = new PgAdmin(env.database())) {
            SideCopies.databases(admin, env.database().name()).stream()
                    .filter(f -> f.tag().equals(tag) && f.role() == role).forEach(out::add);
        }
        SideCopies.directories(env.filestore()).stream().filter(f -> f.tag().equals(tag) && f.role() == role).forEach(out::add);
        return out;
    }

    /**
     * Logs are never removed (issue 13, A17): the application's logs in a side tree about to go are moved into the
     * live tree first (made for them when there is none, and removed again when nothing needed it).
     */
    private static void keepLogs(EnvironmentConfig env, java.nio.file.Path copy, List<Object> actions) throws Exception {
        java.nio.file.Path live = env.filestore().toAbsolutePath();
        boolean made = !java.nio.file.Files.exists(live, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if (made) java.nio.file.Files.createDirectories(live);
        SideCopies.carryLogs(env, copy, live, actions);
        if (made) {
            try (var entries = java.nio.file.Files.list(live)) {
                if (entries.findAny().isEmpty()) java.nio.file.Files.delete(live);
            }
        }
    }

    private static void removeAll(EnvironmentConfig env, String tag, List<SideCopies.Found> copies, List<Object> actions,
                                  List<String> leftovers) throws Exception {
        if (copies.isEmpty()) return;
        try (PgAdmin admin = new PgAdmin(env.database())) {
            for (SideCopies.Found f : copies) {
                if (f.database() != null) {
                    SideCopies.dropDatabase(admin, env.database().name(), f.database(), tag, actions, leftovers);
                } else {
                    // a failed attempt's or a killed discard's tree may hold the application's logs: they stay live
                    if (f.role() != SideCopies.Role.TRASH) keepLogs(env, f.directory(), actions);
                    SideCopies.removeDirectory(f.directory(), tag, actions, leftovers);
                }
            }
        }
    }
}
