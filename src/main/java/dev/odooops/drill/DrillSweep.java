package dev.odooops.drill;

import dev.odooops.domain.DrillVerdict;

import dev.odooops.config.DatabaseConfig;
import dev.odooops.config.DrillSettings;
import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.exec.WorkFiles;
import dev.odooops.ops.DrillCatalog;
import dev.odooops.run.SideCopySweep;
import dev.odooops.staging.ScratchCopies;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The leftovers of drills whose run ended while the drill row still says running (a {@code kill -9}, a lost
 * machine): {@link DrillCatalog#abandoned} names each one's scratch database, server and filestore, so its
 * databases (scratch and clone, {@link ScratchCopies#dropDatabases}) are dropped on that server and its data directory
 * removed, then the row is finished failed ("abandoned", the artifact's last drill failed). A drill whose server is
 * no longer configured, or whose copies cannot be dropped now, stays running in the catalog for the next sweep.
 * Runs at every run start of the environment but a drill's (after {@code delegate}: recover, backups, restores) and at a
 * drill's take-lease.
 */
public final class DrillSweep implements SideCopySweep {
    private static final Logger LOG = LoggerFactory.getLogger(DrillSweep.class);
    private final SideCopySweep delegate;
    private final DrillCatalog drills;
    private final DrillSettings settings;
    private final WarmStandby standby;

    public DrillSweep(SideCopySweep delegate, DrillCatalog drills, DrillSettings settings) {
        this.delegate = delegate;
        this.drills = drills;
        this.settings = settings;
        this.standby = new WarmStandby(drills, settings);
    }

    /** The warm standby (its sweep runs after the abandoned drills'; the restore's use-standby is its bean). */
    public WarmStandby standby() {
        return standby;
    }

    @Override
    public Outcome sweep(EnvironmentConfig env, UUID currentRun, SecretRedactor redactor) {
        Outcome first = delegate.sweep(env, currentRun, redactor);
        List<Object> mine = sweepDrills(env, redactor);
        if (mine.isEmpty()) return first;
        List<Object> actions = new ArrayList<>(first.actions());
        actions.addAll(mine);
        return new Outcome(actions, first.kept(), first.leftovers(), first.putBack());
    }

    /** The abandoned drills of {@code env} cleaned up; what was done (empty: nothing to do). Never throws. */
    public List<Object> sweepDrills(EnvironmentConfig env, SecretRedactor redactor) {
        List<Object> actions = new ArrayList<>();
        List<DrillCatalog.Drill> gone;
        try {
            gone = drills.abandoned(env.id());
        } catch (RuntimeException e) {
            actions.add("could not list abandoned drills: " + redactor.scrub(String.valueOf(e.getMessage())));
            return actions;
        }
        for (DrillCatalog.Drill d : gone) {
            DatabaseConfig server = serverOf(env, d.server());
            if (server == null) {
                actions.add("drill " + d.runId() + ": its server " + d.server() + " is not configured any more; its scratch database "
                        + d.scratchDatabase() + " is left there (drop it by hand)");
                continue;
            }
            try {
                List<String> dropped = ScratchCopies.dropDatabases(server, d.runId());
                Path data = DrillNames.dataDirOf(d.scratchFilestore());
                if (data != null) WorkFiles.deleteTree(data);
                if (data != null && Files.exists(data)) {
                    actions.add("drill " + d.runId() + ": scratch directory " + data + " could not be removed");
                    continue;
                }
                // inconclusive: a killed drill says nothing of its artifact, whose last verdict stays
                DrillVerdict verdict = DrillVerdict.abandoned();
                drills.fail(d.runId(), verdict, Map.of("abandoned", Map.of("status", "failed", "detail",
                        "its run ended before the drill did (killed); scratch copies dropped")), "abandoned: " + verdict.why());
                // never a standby from a drill that did not finish: unrecorded, the standby sweep below drops its copies
                if (drills.removeStandby(env.id(), d.runId())) actions.add("drill " + d.runId() + ": its standby unrecorded (abandoned)");
                actions.add("drill " + d.runId() + " abandoned: dropped " + dropped + " on " + d.server()
                        + (data == null ? "" : ", removed " + data));
            } catch (Exception e) {
                actions.add("drill " + d.runId() + ": scratch copies on " + d.server() + " not dropped: "
                        + redactor.scrub(String.valueOf(e.getMessage())));
            }
        }
        if (!actions.isEmpty()) LOG.warn("abandoned drills of {}: {}", env.id(), actions);
        // then the warm standby's half-kept copies (named so that it recognises them), once the drills they belong to ended
        actions.addAll(standby.sweep(env, redactor));
        return actions;
    }

    /** The configured server that {@code recorded} ({@code host:port}) names: the drill server or the environment's. */
    private DatabaseConfig serverOf(EnvironmentConfig env, String recorded) {
        DatabaseConfig drillServer = settings.forEnvironment(env).server(env);
        if (DrillNames.server(drillServer).equals(recorded)) return drillServer;
        if (DrillNames.server(env.database()).equals(recorded)) return env.database();
        DatabaseConfig configured = settings.forEnvironment(env).database();
        if (configured != null && DrillNames.server(configured).equals(recorded)) return configured;
        return null;
    }
}
