package dev.odooops.restore;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.OpsConfig;
import dev.odooops.domain.FilestoreInventory;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.model.RecoverJob;
import dev.odooops.model.Report;
import dev.odooops.domain.RequestRejected;
import dev.odooops.model.RestoreDecisionRequest;
import dev.odooops.model.RestoreDecisionRequest.Decision;
import dev.odooops.model.RestoreJob;
import dev.odooops.model.RunStatus;
import dev.odooops.odoo.OdooLifecycle;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.postgres.PgAdmin;
import dev.odooops.run.RunStarter;
import dev.odooops.exec.CrashPoints;
import dev.odooops.exec.WorkFiles;
import dev.odooops.model.RunView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A restore that fails where nothing was live before it (disaster recovery: no live database and/or no live files)
 * never deletes what it restored: a rollback would put back nothing and leave no data at all. Instead
 * ({@link #keep}, from the rollback step) the restored copy stays in place, maintenance on and Odoo stopped, the
 * run ends {@code failed} with the reason, its metadata {@code kept} says what was restored and what was kept aside,
 * and the operator decides:
 * <ul>
 *   <li>{@code accept RUN}: Odoo started; once healthy, maintenance lifted, the copies kept aside (parts that had a
 *       live predecessor) removed as a successful restore would, the decision recorded. Odoo not healthy: nothing
 *       changes (maintenance stays on), the decision is not recorded and may be retried.</li>
 *   <li>{@code discard RUN}: each restored part removed; a part that had a predecessor gets it back (the copy kept
 *       aside, by rename). Logs stay live. Odoo is started (and maintenance lifted once healthy) only when a database
 *       stands again: a starting Odoo would create an empty one.</li>
 * </ul>
 * Each decision is a run of its own (operation {@code recover}, metadata {@code decision}) holding the environment's
 * lease, refused when the run was not kept, was decided already, or a later restore ran on the environment. Its start
 * marks the restore run {@value #DECIDING}: a decision killed half-way (crash points {@code accept:maintenance-lifted},
 * {@code discard:database-removed}, {@code discard:files-moved-aside}, {@code accept:recorded}, {@code discard:recorded}) is ended {@code abandoned} by the
 * next run of the environment ({@code recover}), and finished by running the same decision again, each step of which is
 * judged from what exists; the other decision is refused until then. Once recorded, a decision is never made again.
 */
public class RestoreDecision {
    private static final Logger LOG = LoggerFactory.getLogger(RestoreDecision.class);
    public static final String KEPT_EVENT = "restore_kept";
    /**
     * The restore run's metadata key naming the decision begun on it ({@code decision}, {@code run_id}, {@code started_at})
     * until it ends: a decision cut off half-way (killed) is finished by running it again; the other one is refused.
     * Cleared when the decision is recorded, or when it failed having changed nothing (accept: not healthy).
     */
    public static final String DECIDING = "deciding";
    private final OpsConfig config;
    private final OpsCatalog catalog;
    private final OdooLifecycle odoo;
    private final RunStarter starter;
    private final Clock clock;

    public RestoreDecision(OpsConfig config, OpsCatalog catalog, OdooLifecycle odoo, RunStarter starter, Clock clock) {
        this.config = config;
        this.catalog = catalog;
        this.odoo = odoo;
        this.starter = starter;
        this.clock = clock;
    }

    /** The parts a failed restore swapped in where nothing was live before (an empty files' tree counts as nothing). */
    static List<String> withoutPredecessor(RestoreJob job) {
        List<String> parts = new ArrayList<>();
        var type = job.request().type();
        if (type.includesDatabase() && job.databaseSwapped() && job.asideDatabase() == null) parts.add("database");
        if (type.includesFilestore() && job.filestoreSwapped()
                && (job.asideFilestore() == null || !holdsFiles(job.asideFilestore(), job.environment()))) {
            parts.add("filestore");
        }
        return parts;
    }

    private static boolean holdsFiles(Path dir, EnvironmentConfig env) {
        try {
            return !FilestoreInventory.of(dir, env.app()).files().isEmpty();
        } catch (RuntimeException unreadable) {
            return true; // not known to be empty: it is a predecessor
        }
    }

    /** What the failure says to the operator of a kept restore. */
    static String attention(UUID runId) {
        return "nothing was live before this restore, so its restored copy was kept (maintenance on, the application "
                + "stopped): 'odoo-ops accept " + runId + "' keeps it and lifts maintenance, 'odoo-ops discard " + runId
                + "' removes it";
    }

    /**
     * The rollback step's alternative when {@link #withoutPredecessor} is not empty: nothing moved, maintenance on,
     * the application stopped, what the decision needs recorded (run metadata {@code kept}, event
     * {@value #KEPT_EVENT}). Returns the application's health: null, it is not started.
     */
    static Boolean keep(RestoreJob job, OpsCatalog catalog, OdooLifecycle odoo, List<Object> actions) {
        Map<String, Object> kept = new LinkedHashMap<>();
        kept.put("without_predecessor", withoutPredecessor(job));
        kept.put("restore_type", job.request().type().wire());
        kept.put("side_tag", job.sideTag());
        kept.put("database_swapped", job.databaseSwapped());
        kept.put("filestore_swapped", job.filestoreSwapped());
        kept.put("database_aside", job.asideDatabase());
        kept.put("filestore_aside", job.asideFilestore() == null ? null : job.asideFilestore().toString());
        actions.add("nothing was live before the restore (" + String.join(", ", withoutPredecessor(job))
                + "): the restored copy is kept for the operator's decision, not deleted");
        actions.add(odoo.maintenanceOn(job.environment(), job.redactor()));
        actions.add(odoo.stop(job.environment(), job.redactor()));
        job.odooStopped(true);
        catalog.runs().mergeRunMetadata(job.runId(), Map.of("kept", kept));
        Map<String, Object> payload = new LinkedHashMap<>(kept);
        payload.put("actions", actions.stream().map(String::valueOf).toList());
        catalog.runs().event(job.runId(), KEPT_EVENT, job.failedStep(), payload);
        job.failed(job.failedStep(), job.failureReason() + "; " + attention(job.runId()));
        return null;
    }

    @SuppressWarnings("unchecked")
    /** Accept or discard, as the request says (its permission decided before, by authorize-restore-decide); refusals name the field. */
    public Report decide(RestoreDecisionRequest request) {
        RunView run = catalog.runs().runView(request.runId()).orElseThrow(() -> new RequestRejected("run_id",
                "no run " + request.runId() + " in the ops catalog", RequestRejected.Reason.NOT_FOUND));
        int slash = run.environmentId().indexOf('/');
        String project = run.environmentId().substring(0, slash);
        if (!"restore".equals(run.operation()) || !(run.metadata().get("kept") instanceof Map<?, ?> keptRaw)) {
            throw new RequestRejected("run_id", "run " + request.runId() + " is not a restore whose restored copy was kept "
                    + "for a decision (only a failed restore with nothing live before it is)");
        }
        Map<String, Object> kept = (Map<String, Object>) keptRaw;
        if (run.metadata().get("decision") != null) {
            throw new RequestRejected("run_id", "run " + request.runId() + " was " + run.metadata().get("decision")
                    + " already (run " + run.metadata().get("decision_run_id") + ")", RequestRejected.Reason.CONFLICT);
        }
        if (run.metadata().get(DECIDING) instanceof Map<?, ?> deciding
                && !request.decision().wire().equals(String.valueOf(deciding.get("decision")))) {
            // half of a discard then an accept would start Odoo on no database (it creates an empty one), half of an
            // accept then a discard removes a copy that served: only the decision that began may finish
            throw new RequestRejected("run_id", "a " + deciding.get("decision") + " of run " + request.runId() + " was begun by run "
                    + deciding.get("run_id") + " and did not finish: run 'odoo-ops " + deciding.get("decision") + " "
                    + request.runId() + "' again to finish it", RequestRejected.Reason.CONFLICT);
        }
        EnvironmentConfig env = config.environment(project, run.environmentId().substring(slash + 1)).orElseThrow(() ->
                new RequestRejected("run_id", "the environment " + run.environmentId() + " of run " + request.runId()
                        + " is no longer configured", RequestRejected.Reason.NOT_FOUND));
        for (Map<String, Object> later : catalog.runs().listRuns(env.id(), 500)) { // newest first, down to this run
            if (request.runId().toString().equals(String.valueOf(later.get("run_id")))) break;
            if ("restore".equals(later.get("operation_type"))) {
                throw new RequestRejected("run_id", "restore run " + later.get("run_id") + " ran on " + env.id() + " after run "
                        + request.runId() + ": its kept copy is no longer what stands there", RequestRejected.Reason.CONFLICT);
            }
        }
        RecoverJob job = new RecoverJob(env, clock.instant(), new SecretRedactor(dev.odooops.config.EnvironmentSecrets.of(env)));
        Path dir = starter.evidenceDir(job, request.decision().wire());
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("run_id", job.runId().toString());
        inputs.put("operation", request.decision().wire());
        inputs.put("restore_run_id", request.runId().toString());
        inputs.put("environment_id", env.id());
        inputs.put("user", request.user());
        inputs.put("trigger", request.trigger());
        inputs.put("requested_at", job.createdAt().toString());
        starter.start(job, "recover", request.user(), null, Map.of("decision", request.decision().wire(),
                "restore_run_id", request.runId().toString()), dir, inputs);
        List<Object> actions = new ArrayList<>();
        List<String> leftovers = new ArrayList<>();
        String failure = null;
        Boolean healthy = null;
        boolean undecided = false; // failed with nothing changed: either decision may come next
        try {
            // before the first change: a decision cut off from here on is finished by running it again, never by the other
            catalog.runs().mergeRunMetadata(request.runId(), Map.of(DECIDING, Map.of("decision", request.decision().wire(),
                    "run_id", job.runId().toString(), "started_at", job.createdAt().toString())));
            if (request.decision() == Decision.ACCEPT) {
                healthy = bringBack(env, job.redactor(), actions);
                if (healthy) {
                    CrashPoints.reached("accept:maintenance-lifted"); // serving the copy; the copies aside still there, not recorded
                    removeKeptAside(env, kept, actions, leftovers);
                } else {
                    failure = "the application did not come back healthy on the restored copy: it stays in maintenance, "
                            + "nothing was removed; accept again once it is fixed, or discard";
                    undecided = true;
                }
            } else {
                actions.add(odoo.maintenanceOn(env, job.redactor()));
                actions.add(odoo.stop(env, job.redactor()));
                boolean databaseBack = removeRestored(env, kept, actions, leftovers);
                if (databaseBack) {
                    healthy = bringBack(env, job.redactor(), actions);
                } else {
                    actions.add("no database stands again (there was none before the restore): the application is left "
                            + "stopped, maintenance on (a starting Odoo would create an empty database)");
                }
            }
        } catch (Exception e) {
            failure = request.decision().wire() + " failed: " + job.redactor().scrub(String.valueOf(e.getMessage()));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("run_id", job.runId().toString());
        result.put("restore_run_id", request.runId().toString());
        result.put("decision", request.decision().wire());
        result.put("status", failure == null ? "success" : "failed");
        if (failure != null) result.put("reason", failure);
        result.put("app_healthy", healthy);
        result.put("actions", actions.stream().map(String::valueOf).toList());
        if (!leftovers.isEmpty()) result.put("leftovers", leftovers);
        result.put("environment_id", env.id());
        result.put("evidence_dir", dir.toString());
        result.put("finished_at", Instant.now().toString());
        job.evidence().json("final_status.json", result);
        if (failure == null) {
            Map<String, Object> decided = new LinkedHashMap<>();
            decided.put("decision", request.decision().past());
            decided.put("decided_by", request.user());
            decided.put("decision_run_id", job.runId().toString());
            decided.put("decided_at", Instant.now().toString());
            Map<String, Object> recorded = new LinkedHashMap<>(decided);
            recorded.put(DECIDING, null);
            catalog.runs().mergeRunMetadata(request.runId(), recorded);
            catalog.runs().event(request.runId(), "restore_" + request.decision().past(), request.decision().wire(), decided);
            CrashPoints.reached(request.decision().wire() + ":recorded"); // decided; this decision run not ended yet
        } else if (undecided) {
            Map<String, Object> open = new LinkedHashMap<>();
            open.put(DECIDING, null);
            catalog.runs().mergeRunMetadata(request.runId(), open);
        }
        catalog.runs().finishRun(job.runId(), failure == null ? RunStatus.SUCCESS : RunStatus.FAILED,
                failure == null ? null : request.decision().wire(), failure, Map.of("decision", request.decision().wire()));
        try {
            job.lease().close();
        } catch (Exception e) {
            LOG.warn("releasing the lease of run {} failed: {}", job.runId(), e.getMessage());
        }
        WorkFiles.deleteTree(job.workDir());
        LOG.info("{} of restore run {} on {}: {}", request.decision().wire(), request.runId(), env.id(),
                failure == null ? "done" : failure);
        return new Report(failure == null, result);
    }

    /** Start, wait for health, lift maintenance only when healthy. */
    private boolean bringBack(EnvironmentConfig env, SecretRedactor redactor, List<Object> actions) {
        Map<String, Object> start = odoo.start(env, redactor);
        actions.add(start);
        Map<String, Object> health = odoo.waitHealthy(env);
        actions.add(health);
        boolean healthy = Boolean.TRUE.equals(start.get("ok")) && Boolean.TRUE.equals(health.get("ok"));
        if (healthy) actions.add(odoo.maintenanceOff(env, redactor));
        else actions.add("not healthy: maintenance mode left on");
        return healthy;
    }

    /** Accepted: the copies of parts that had a predecessor are garbage now, as after a successful restore. */
    private static void removeKeptAside(EnvironmentConfig env, Map<String, Object> kept, List<Object> actions,
                                        List<String> leftovers) throws Exception {
        String tag = String.valueOf(kept.get("side_tag"));
        String live = env.database().name();
        String asideDb = SideCopies.database(live, SideCopies.Role.PRE, tag);
        try (PgAdmin admin = new PgAdmin(env.database())) {
            if (admin.exists(asideDb)) SideCopies.dropDatabase(admin, live, asideDb, tag, actions, leftovers);
        }
        Path asideFs = SideCopies.filestore(env.filestore().toAbsolutePath(), SideCopies.Role.PRE, tag);
        if (Files.exists(asideFs)) {
            SideCopies.carryLogs(env, asideFs, env.filestore().toAbsolutePath(), actions);
            SideCopies.removeDirectory(asideFs, tag, actions, leftovers);
        }
    }

    /**
     * Discarded: each restored part goes; a part kept aside comes back by rename. Returns whether a database stands
     * under the live name afterwards.
     */
    private static boolean removeRestored(EnvironmentConfig env, Map<String, Object> kept, List<Object> actions,
                                          List<String> leftovers) throws Exception {
        String tag = String.valueOf(kept.get("side_tag"));
        String live = env.database().name();
        boolean databaseBack;
        try (PgAdmin admin = new PgAdmin(env.database())) {
            if (Boolean.TRUE.equals(kept.get("database_swapped"))) {
                if (admin.exists(SideCopies.database(live, SideCopies.Role.PRE, tag))) {
                    SideCopies.putBack(env, tag, true, false, actions, leftovers);
                } else if (admin.exists(live)) {
                    admin.dropIfExists(live);
                    actions.add("dropped " + live + " (the restored copy; there was none before the restore)");
                }
            }
            databaseBack = admin.exists(live);
        }
        CrashPoints.reached("discard:database-removed"); // the database part done, the restored files still live
        if (Boolean.TRUE.equals(kept.get("filestore_swapped"))) {
            Path liveFs = env.filestore().toAbsolutePath();
            if (Files.exists(SideCopies.filestore(liveFs, SideCopies.Role.PRE, tag))) {
                SideCopies.putBack(env, tag, false, true, actions, leftovers);
            } else if (Files.exists(liveFs)) {
                // the restored files go, the logs stay where they are
                Path failed = SideCopies.filestore(liveFs, SideCopies.Role.FAILED, tag);
                Files.move(liveFs, failed, StandardCopyOption.ATOMIC_MOVE);
                CrashPoints.reached("discard:files-moved-aside"); // no live files' tree; the restored one a 'failed' copy
                Files.createDirectory(liveFs);
                SideCopies.carryLogs(env, failed, liveFs, actions);
                if (isEmptyDirectory(liveFs)) Files.delete(liveFs);
                SideCopies.removeDirectory(failed, tag, actions, leftovers);
                actions.add("removed the restored " + env.app().filesName() + " " + liveFs + " (there was none before the restore)");
            }
        }
        return databaseBack;
    }

    private static boolean isEmptyDirectory(Path dir) throws java.io.IOException {
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
