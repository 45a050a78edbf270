package dev.odooops.backup;

import dev.odooops.config.Settings;
import dev.odooops.domain.ChangeFingerprint;
import dev.odooops.domain.FilestoreInventory;
import dev.odooops.model.ArtifactKind;
import dev.odooops.model.BackupJob;
import dev.odooops.model.BackupResult;
import dev.odooops.model.RunStatus;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.postgres.WriteCounters;
import dev.odooops.run.RunEnd;
import dev.odooops.run.Vars;
import dev.odooops.model.Fingerprinted;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The first step of a backup run: read the environment's change fingerprints ({@link ChangeFingerprint}: the
 * database's write counters, the filestore's name/size inventory; milliseconds, whatever the size) before
 * anything else, so the dump's snapshot comes after them, and compare them with those of the environment's
 * newest verified backup of the same type, and the SHA-256 of its configuration file. Equal, the run ends {@code skipped_unchanged} naming that artifact
 * ({@link #finish}); the evidence (unchanged_check.json) says what was compared and why. A real backup follows
 * when the request is forced, {@code backup.skip-unchanged} is false, there is no verified artifact with
 * fingerprints, or anything differs. The fingerprints are kept for the artifact this run makes.
 *
 * <p>A restore's safety backup ({@code restore.safety-backup-reuse}, default on) is compared with the newest
 * verified artifact of the environment of either kind, on the stricter fingerprints (the volatile tables counted,
 * every file's modification time), and must match twice: PostgreSQL's write counters trail the writes (a backend
 * flushes its statistics at most once a second, an idle one within 10 s, up to 60 s under contention for the same
 * counters), so the fingerprint is read again {@code restore.safety-settle-seconds} (default 61) after the first
 * match. Both equal, the safety backup is that artifact; anything else takes a real one. The settle wait is only
 * made when it is cheaper than the copy ({@link dev.odooops.domain.SettleDecision}: the environment's last copy took
 * longer than the window), and not at all when nothing (but odoo-ops itself) is connected to the environment's database before the first
 * read and after the match (the application is stopped: nothing writes, and every ended backend flushed its
 * counters, so the first match is final); otherwise the copy is taken at once. unchanged_check.json's {@code settle}
 * says which case applied ({@code case}) and why.
 */
public class CheckUnchanged {
    private static final Logger LOG = LoggerFactory.getLogger(CheckUnchanged.class);
    private final OpsCatalog catalog;
    private final boolean enabled;
    private final boolean safetyReuse;
    private final Duration settle;

    private final dev.odooops.store.ArtifactCipher cipher;

    public CheckUnchanged(OpsCatalog catalog, Settings.Backup settings, Settings.Restore restore) {
        this(catalog, settings, restore, dev.odooops.store.ArtifactCipher.plain());
    }

    /**
     * {@code cipher}: an encrypted project's fingerprint has an {@code encryption} part (its generation), so the first
     * backup after encryption is turned on or the recipients change is taken, never skipped as unchanged.
     */
    public CheckUnchanged(OpsCatalog catalog, Settings.Backup settings, Settings.Restore restore,
                          dev.odooops.store.ArtifactCipher cipher) {
        this.cipher = cipher;
        this.catalog = catalog;
        this.enabled = settings.skipUnchanged();
        this.safetyReuse = restore.safetyBackupReuse();
        this.settle = Duration.ofSeconds(restore.safetySettleSeconds());
    }

    /**
     * The fingerprints of the environment now. {@code database} and {@code filestore} decide whether a backup is
     * skipped; {@code database_all} (the volatile tables too) and {@code filestore_times} (each file's modification
     * time as well) whether an artifact can be a restore's safety backup: what the restore replaces must be in it,
     * whatever the volatile list says (a Dolibarr's llx_const holds its setup) and whatever size a rewritten file has.
     */
    private Map<String, Map<String, String>> fingerprint(BackupJob job) throws Exception {
        Map<String, Map<String, String>> now = new LinkedHashMap<>();
        var env = job.environment();
        if (job.request().type().includesDatabase()) {
            now.put("database", WriteCounters.fingerprint(env.database(), env.volatileTables()));
            now.put("database_all", WriteCounters.fingerprint(env.database(), java.util.Set.of()));
        }
        if (job.request().type().includesFilestore()) {
            boolean exists = Files.isDirectory(env.filestore());
            now.put("filestore", exists ? ChangeFingerprint.filestore(FilestoreInventory.of(env.filestore(), env.app()).files())
                    : Map.of("exists", "false", "digest", "none"));
            Map<String, String> times = exists
                    ? new LinkedHashMap<>(ChangeFingerprint.filestore(FilestoreInventory.modifiedTimes(env.filestore(), env.app())))
                    : new LinkedHashMap<>(Map.of("exists", "false", "digest", "none"));
            times.remove("bytes"); // a sum of times and sizes says nothing
            now.put("filestore_times", times);
        }
        now.put("config", ChangeFingerprint.config(env.appConf()));
        String generation = cipher.generation(env.project());
        if (generation != null) now.put("encryption", Map.of("generation", generation, "digest", generation));
        return now;
    }

    public void check(@Variable(Vars.BACKUP_JOB) BackupJob job) throws Exception {
        long t0 = System.nanoTime();
        boolean safety = job.request().kind() == ArtifactKind.PRE_RESTORE;
        List<String> parts = new ArrayList<>();
        if (job.request().type().includesDatabase()) parts.add(safety ? "database_all" : "database");
        if (job.request().type().includesFilestore()) parts.add(safety ? "filestore_times" : "filestore");
        parts.add("config"); // odoo.conf / conf.php: a changed setting is a change
        // encrypted: an artifact of another recipient set (or a plain-text one: no such part) is not this environment's copy
        if (cipher.generation(job.environment().project()) != null) parts.add("encryption");
        // a safety backup: who is connected before the fingerprint is read (and again after a match) tells whether
        // the application is stopped, so that a match is final at once
        int sessionsBefore = safety && safetyReuse ? otherSessions(job) : -1;
        Map<String, Map<String, String>> now = fingerprint(job);
        job.fingerprint(now);

        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("fingerprint", now);
        evidence.put("volatile_tables", new java.util.TreeSet<>(job.environment().volatileTables()));
        String decision;
        String reason;
        Optional<Fingerprinted> last = Optional.empty();
        if (job.request().kind() != ArtifactKind.BACKUP && !(safety && safetyReuse)) {
            decision = "backup";
            reason = safety ? "restore.safety-backup-reuse is false: a restore's safety backup is always taken"
                    : "a " + job.request().kind().wire() + " backup is always taken";
        } else if (job.request().force()) {
            decision = "backup";
            reason = "forced (--force)";
        } else if (!enabled && !safety) {
            decision = "backup";
            reason = "backup.skip-unchanged is false";
        } else {
            last = safety ? catalog.artifacts().lastVerifiedArtifact(job.environment().id(), job.request().type().wire())
                    : catalog.artifacts().lastVerifiedBackup(job.environment().id(), job.request().type().wire());
            if (last.isEmpty()) {
                decision = "backup";
                reason = "no verified " + job.request().type().wire() + " backup of this environment to compare with";
            } else {
                evidence.put("compared_with", Map.of("artifact_id", last.get().artifactId(),
                        "created_at", last.get().createdAt().toString(),
                        "fingerprint", last.get().fingerprint() == null ? Map.of() : last.get().fingerprint()));
                Optional<String> diff = ChangeFingerprint.difference(last.get().fingerprint(), now, parts);
                dev.odooops.domain.SettleDecision plan = null;
                if (diff.isEmpty() && safety) {
                    int sessionsAfter = sessionsBefore == 0 ? otherSessions(job) : sessionsBefore;
                    plan = dev.odooops.domain.SettleDecision.of(lastCopy(job.environment().id()), settle,
                            sessionsBefore == 0 ? sessionsAfter : sessionsBefore, job.environment().database().name());
                    evidence.put("settle", Map.of("settle", plan.settle(), "case", plan.which().wire(), "why", plan.why(),
                            "other_sessions", sessionsBefore == 0 ? sessionsAfter : sessionsBefore));
                }
                if (plan != null && !plan.settle()) {
                    diff = Optional.of("matched once; " + plan.why());
                } else if (plan != null && !plan.waitFirst()) {
                    diff = Optional.empty(); // the application is stopped: the first match is final
                } else if (diff.isEmpty() && safety) {
                    // the statistics trail the writes: only a fingerprint that still matches after they settled counts
                    Thread.sleep(settle.toMillis());
                    Map<String, Map<String, String>> settled = fingerprint(job);
                    evidence.put("settled_fingerprint", settled);
                    evidence.put("settle_seconds", settle.toSeconds());
                    diff = ChangeFingerprint.difference(last.get().fingerprint(), settled, parts)
                            .map(d -> d + " (seen " + settle.toSeconds() + " s after a first match)");
                    job.fingerprint(settled);
                }
                decision = diff.isPresent() ? "backup" : "skip";
                final dev.odooops.domain.SettleDecision settled = plan;
                reason = diff.orElse("unchanged since " + last.get().artifactId()
                        + (safety && settled != null && !settled.waitFirst()
                                ? " with nothing connected to the database: it is the safety backup"
                                : safety ? ", also " + settle.toSeconds() + " s later: it is the safety backup" : ""));
            }
        }
        evidence.put("decision", decision);
        evidence.put("reason", reason);
        evidence.put("duration_ms", (System.nanoTime() - t0) / 1_000_000);
        job.evidence().json("unchanged_check.json", evidence);
        if (decision.equals("skip")) job.unchangedSince(last.get().artifactId());
        job.stepDetail(Map.of("decision", decision, "reason", reason));
        LOG.info("backup run {}: {} ({})", job.runId(), decision.equals("skip") ? "environment unchanged, skipped"
                : "a backup is taken", reason);
    }

    /** Other client sessions on the environment's database, or -1 when it has none to ask (no database part). */
    private static int otherSessions(BackupJob job) throws java.sql.SQLException {
        if (!job.request().type().includesDatabase()) return -1;
        return dev.odooops.postgres.WriteCounters.otherSessions(job.environment().database());
    }

    /** How long the environment's newest successful copy (a backup run, regular or safety) took, or null. */
    private Duration lastCopy(String environmentId) {
        for (Map<String, Object> run : catalog.runs().listRuns(environmentId, 100)) {
            if (!"backup".equals(run.get("operation_type")) || !"success".equals(run.get("status"))
                    || run.get("finished_at") == null) continue;
            try {
                return Duration.between(Instant.parse(String.valueOf(run.get("created_at"))),
                        Instant.parse(String.valueOf(run.get("finished_at"))));
            } catch (java.time.format.DateTimeParseException e) {
                return null;
            }
        }
        return null;
    }

    /** Ends a run that found the environment unchanged: its evidence, the run {@code skipped_unchanged}, the lease. */
    public BackupResult finish(@Variable(Vars.BACKUP_JOB) BackupJob job) {
        String artifact = job.unchangedSince();
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("run_id", job.runId().toString());
        status.put("status", RunStatus.SKIPPED_UNCHANGED.wire());
        status.put("artifact_id", artifact);
        status.put("backup_type", job.request().type().wire());
        status.put("reason", "the environment is unchanged since the verified artifact " + artifact
                + " (unchanged_check.json); --force takes a new one");
        status.put("started_at", job.createdAt().toString());
        status.put("finished_at", Instant.now().toString());
        status.put("duration_ms", Duration.between(job.createdAt(), Instant.now()).toMillis());
        status.put("evidence_dir", job.evidence().dir().toString());
        job.evidence().json("final_status.json", status);
        List<String> bad = job.evidence().missingOrMalformed(List.of("inputs.json", "unchanged_check.json", "final_status.json"));
        if (!bad.isEmpty()) throw new IllegalStateException("evidence incomplete: " + String.join(", ", bad));
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("artifact_id", artifact);
        metadata.put("unchanged_since", artifact);
        catalog.runs().event(job.runId(), "backup_skipped_unchanged", job.step(), Map.of("artifact_id", artifact));
        catalog.runs().finishRun(job.runId(), RunStatus.SKIPPED_UNCHANGED, null, null, metadata);
        job.committed(true);
        RunEnd.release(job);
        LOG.info("backup run {} skipped: {} is unchanged since {}", job.runId(), job.environment().id(), artifact);
        return new BackupResult(job.runId().toString(), artifact, RunStatus.SKIPPED_UNCHANGED.wire(),
                job.evidence().dir().toString(), null, null, List.of());
    }
}
