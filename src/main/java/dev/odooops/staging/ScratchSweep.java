package dev.odooops.staging;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.exec.WorkFiles;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.postgres.PgAdmin;
import dev.odooops.run.SideCopySweep;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Every run start's sweep (run.SideCopySweep): the restore's side copies ({@code delegate}, restore.RestoreRecovery),
 * then the {@link ScratchCopies} of the environment's staging runs that are no longer active (a snapshot killed
 * half-way, or one whose own clean-up could not drop them): its scratch databases on the environment's server and its
 * scratch directories under the work directory. Judged by the recorded run of the environment whose id starts with
 * the copy's tag: an active run's copies and those of no run of this environment are left alone (reported).
 */
public final class ScratchSweep implements SideCopySweep {
    private static final Logger LOG = LoggerFactory.getLogger(ScratchSweep.class);
    private final SideCopySweep delegate;
    private final OpsCatalog catalog;
    private final Path workDir;

    public ScratchSweep(SideCopySweep delegate, OpsCatalog catalog, Path workDir) {
        this.delegate = delegate;
        this.catalog = catalog;
        this.workDir = workDir;
    }

    @Override
    public Outcome sweep(EnvironmentConfig env, UUID currentRun, SecretRedactor redactor) {
        Outcome first = delegate.sweep(env, currentRun, redactor);
        List<Object> actions = new ArrayList<>(first.actions());
        List<String> kept = new ArrayList<>(first.kept());
        List<String> leftovers = new ArrayList<>(first.leftovers());
        String own = ScratchCopies.tag(currentRun);
        try (PgAdmin admin = new PgAdmin(env.database())) {
            for (String name : admin.namesLike(ScratchCopies.DATABASE_PREFIX)) {
                String tag = ScratchCopies.tagOf(name);
                if (tag == null || tag.equals(own) || !ended(env, tag)) continue;
                try {
                    admin.terminate(name);
                    admin.dropIfExists(name);
                    actions.add("dropped scratch database " + name + " of ended run " + tag);
                } catch (Exception e) {
                    leftovers.add("scratch database " + name + ": " + redactor.scrub(String.valueOf(e.getMessage())));
                }
            }
        } catch (Exception e) {
            actions.add("could not list scratch databases: " + redactor.scrub(String.valueOf(e.getMessage())));
        }
        if (Files.isDirectory(workDir)) {
            try (var entries = Files.list(workDir)) {
                for (Path p : entries.toList()) {
                    String tag = ScratchCopies.tagOf(p.getFileName().toString());
                    if (tag == null || tag.equals(own) || !Files.isDirectory(p) || !ended(env, tag)) continue;
                    WorkFiles.deleteTree(p);
                    if (Files.exists(p)) leftovers.add("scratch directory " + p);
                    else actions.add("removed scratch directory " + p + " of ended run " + tag);
                }
            } catch (Exception e) {
                actions.add("could not list scratch directories: " + e.getMessage());
            }
        }
        Outcome outcome = new Outcome(actions, kept, leftovers, first.putBack());
        if (outcome.actions().size() > first.actions().size()) {
            LOG.warn("scratch copies of ended runs on {}: {}", env.id(), actions.subList(first.actions().size(), actions.size()));
        }
        return outcome;
    }

    /** Whether the environment's run of this tag has ended (abandoned, failed, success ...): its copies are garbage. */
    private boolean ended(EnvironmentConfig env, String tag) {
        Optional<String> status = catalog.runs().runStatusByPrefix(env.id(), tag);
        return status.isPresent() && !status.get().equals("queued") && !status.get().equals("running");
    }
}
