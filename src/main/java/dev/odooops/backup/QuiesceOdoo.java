package dev.odooops.backup;

import dev.odooops.odoo.OdooController;
import dev.odooops.run.Vars;

import dev.odooops.config.OdooControl;
import dev.odooops.config.Settings;
import dev.odooops.model.BackupJob;
import dev.odooops.ops.OpsCatalog;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Step 3: quiesce writes, best effort and bounded by backup.quiesce-timeout-seconds. A failure does not stop
 * the backup: the run goes on with degraded_mode=true recorded in quiesce_status.json and the final event.
 * {@link #resume} undoes it at the end of the run, whatever the outcome. A restore's safety backup is not quiesced
 * (recorded): the environment keeps serving until the restore's own quiesce.
 */
public class QuiesceOdoo {
    private static final Logger LOG = LoggerFactory.getLogger(QuiesceOdoo.class);
    private final OdooController controller;
    private final OpsCatalog catalog;
    private final Duration timeout;

    public QuiesceOdoo(OdooController controller, OpsCatalog catalog, Settings.Backup settings) {
        this.controller = controller;
        this.catalog = catalog;
        this.timeout = Duration.ofSeconds(settings.quiesceTimeoutSeconds());
    }

    public void quiesce(@Variable(Vars.BACKUP_JOB) BackupJob job) {
        OdooControl.Action action = job.environment().control().quiesce();
        Map<String, Object> status = new LinkedHashMap<>();
        long start = System.nanoTime();
        if (action == null) {
            status.put("attempted", false);
            status.put("quiesced", false);
            status.put("reason", "no quiesce action configured for " + job.environment().id());
        } else if (servesMeanwhile(job)) {
            status.put("attempted", false);
            status.put("quiesced", false);
            status.put("reason", "a restore's safety backup: the environment keeps serving while the restore loads its new "
                    + "copies beside it (pg_dump's snapshot is consistent; the filestore half stores what it references); "
                    + "the restore's own quiesce follows");
        } else {
            status.put("attempted", true);
            status.put("method", action.describe());
            status.put("timeout_seconds", boundOf(action).toSeconds());
            try {
                controller.perform(action, boundOf(action));
                status.put("quiesced", true);
            } catch (Exception e) {
                job.degradedMode(true);
                status.put("quiesced", false);
                status.put("error", job.redactor().scrub(String.valueOf(e.getMessage())));
                LOG.warn("quiesce of {} failed, continuing in degraded mode: {}", job.environment().id(),
                        job.redactor().scrub(e.getMessage()));
            }
        }
        status.put("degraded_mode", job.degradedMode());
        status.put("duration_ms", (System.nanoTime() - start) / 1_000_000);
        job.evidence().json("quiesce_status.json", status);
        job.stepDetail(Map.of("degraded_mode", job.degradedMode()));
    }

    /** The action's own timeout_seconds, else backup.quiesce-timeout-seconds. */
    private Duration boundOf(OdooControl.Action action) {
        return action.timeoutSeconds() > 0 ? Duration.ofSeconds(action.timeoutSeconds()) : timeout;
    }

    /**
     * A restore's safety backup (kind pre_restore) is never quiesced: it runs while the restore loads the new database
     * and filestore beside the live ones, and the environment serves until the restore's own quiesce (issue 16, 2).
     */
    private static boolean servesMeanwhile(BackupJob job) {
        return job.request().kind() == dev.odooops.model.ArtifactKind.PRE_RESTORE;
    }

    /** Best effort: leave the quiesced state. Never throws. */
    public void resume(BackupJob job) {
        OdooControl.Action action = job.environment().control().resume();
        if (action == null || job.environment().control().quiesce() == null || servesMeanwhile(job)) return;
        try {
            controller.perform(action, boundOf(action));
        } catch (Exception e) {
            LOG.warn("resume of {} failed: {}", job.environment().id(), job.redactor().scrub(e.getMessage()));
        }
    }
}
