package dev.odooops.app;

import dev.odooops.config.EncryptionSettings.Encryption;
import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.EnvironmentSecrets;
import dev.odooops.config.OpsConfig;
import dev.odooops.domain.ArtifactManifest;
import dev.odooops.domain.RekeyPlanner;
import dev.odooops.domain.RequestRejected;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.exec.WorkFiles;
import dev.odooops.model.Artifact;
import dev.odooops.model.NewPack;
import dev.odooops.model.PackUser;
import dev.odooops.model.RekeyJob;
import dev.odooops.model.RekeyRequest;
import dev.odooops.model.Report;
import dev.odooops.model.RunStatus;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.run.RunStarter;
import dev.odooops.store.ArtifactCipher;
import dev.odooops.store.PackCollector;
import dev.odooops.store.Reencryption;
import dev.odooops.store.StoreLocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * rekey --project P [--dry-run]: the project's live artifacts and the packs they need, written for a recipient set that
 * is not the current one (or in plain text), written again for the recipients configured now, so that a retired key can
 * be destroyed (docs/configuration.md, "Rotating a key"). Per environment that has such an artifact, a run of its own
 * (operation {@value #OPERATION}, metadata {@code kind: rekey}, {@code generation}), its artifacts oldest first: first
 * each pack the artifact needs that is of another generation, then the artifact's own encrypted objects
 * ({@link Reencryption} says how each switch stays restorable and how a rerun finishes a killed one). A pack shared by
 * several artifacts is written again once; the old packs are marked deleted and the collection at the end of each run
 * removes them from the store ({@code <old>.moved} notes where their files went, for a rebuild by hand).
 * <p>
 * Refused before any run: a project without {@code encryption}, and one whose older objects are encrypted while no
 * identity is configured ({@code encryption.identity}: it must hold a key of the older recipients and, to restore
 * afterwards, one of the new). With {@code dryRun}: no run, the report lists the packs and artifacts that would be
 * written again. Evidence of each run ({@code <root>/<YYYY-MM-DD>/rekey/<run_id>/}): inputs.json, rekeyed.json (each pack
 * and artifact written again, rewritten after each) and final_status.json.
 */
public final class Rekey {
    private static final Logger LOG = LoggerFactory.getLogger(Rekey.class);
    /** The run's {@code operation_type} (V22). */
    public static final String OPERATION = "rekey";
    public static final String STEP = "rekey-artifacts";
    private final OpsConfig config;
    private final OpsCatalog catalog;
    private final StoreLocator stores;
    private final RunStarter starter;
    private final Clock clock;

    public Rekey(OpsConfig config, OpsCatalog catalog, StoreLocator stores, RunStarter starter, Clock clock) {
        this.config = config;
        this.catalog = catalog;
        this.stores = stores;
        this.starter = starter;
        this.clock = clock;
    }

    /** What is stale in one environment: its artifacts to write again, and the packs they need of another generation. */
    private record Stale(EnvironmentConfig env, List<Artifact> artifacts, Map<String, String> packs) {
    }

    public Report rekey(RekeyRequest request) {
        String project = request.project();
        List<EnvironmentConfig> envs = config.environments().stream().filter(e -> e.project().equals(project)).toList();
        if (envs.isEmpty()) {
            throw new RequestRejected("project", "no project '" + project + "' in the environments file",
                    RequestRejected.Reason.NOT_FOUND);
        }
        ArtifactCipher cipher = stores.cipher();
        Encryption to = cipher.encryption(project).orElseThrow(() -> new RequestRejected("project", "project " + project
                + " has no encryption configured (encryption.recipients): there is nothing to write its artifacts again for"));
        List<Stale> stale = new ArrayList<>();
        boolean encryptedOnes = false;
        for (EnvironmentConfig env : envs) {
            Stale s = stale(project, env, to.generation());
            if (s.artifacts().isEmpty() && s.packs().isEmpty()) continue;
            stale.add(s);
            encryptedOnes |= s.packs().values().stream().anyMatch(g -> g != null)
                    || s.artifacts().stream().anyMatch(a -> a.manifest().encrypted());
        }
        if (encryptedOnes && !cipher.canRead(project)) {
            throw new RequestRejected("encryption.identity", "project " + project + " has artifacts encrypted to older recipients "
                    + "and no encryption.identity is configured: rekey must read them (an identity holding the old key and the new)");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("project", project);
        body.put("generation", to.generation());
        body.put("recipients", to.recipients());
        body.put("dry_run", request.dryRun());
        body.put("user", request.user());
        if (request.dryRun()) {
            List<Map<String, Object>> packs = new ArrayList<>();
            List<Map<String, Object>> artifacts = new ArrayList<>();
            Set<String> seen = new TreeSet<>();
            for (Stale s : stale) {
                Map<String, NewPack> rows = catalog.packs().packs(project, s.packs().keySet());
                for (Map.Entry<String, String> p : s.packs().entrySet()) {
                    if (!seen.add(p.getKey())) continue;
                    NewPack row = rows.get(p.getKey());
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("pack_id", p.getKey());
                    line.put("generation", p.getValue());
                    line.put("size", row == null ? null : row.size());
                    line.put("artifacts", catalog.packs().liveArtifactsOfPack(project, p.getKey()).stream().map(PackUser::artifactId).toList());
                    packs.add(line);
                }
                for (Artifact a : s.artifacts()) {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("artifact_id", a.id());
                    line.put("environment_id", a.environmentId());
                    line.put("generation", Reencryption.generationOf(a.manifest()));
                    artifacts.add(line);
                }
            }
            body.put("packs", packs);
            body.put("artifacts", artifacts);
            body.put("note", "nothing changed (dry run); without --dry-run each environment listed gets a rekey run");
            return new Report(true, body);
        }
        boolean ok = true;
        List<Map<String, Object>> runs = new ArrayList<>();
        List<String> rekeyed = new ArrayList<>();
        List<String> packsRekeyed = new ArrayList<>();
        Map<String, String> failed = new LinkedHashMap<>();
        for (Stale s : stale) {
            Map<String, Object> run = rekeyEnvironment(request, s.env(), to, rekeyed, packsRekeyed, failed);
            runs.add(run);
            ok &= "success".equals(run.get("status"));
        }
        body.put("rekeyed", rekeyed);
        body.put("packs_rekeyed", packsRekeyed);
        body.put("failed", failed);
        int left = 0;
        for (EnvironmentConfig env : envs) {
            Stale s = stale(project, env, to.generation());
            left += s.artifacts().size();
        }
        body.put("left_stale", left);
        body.put("runs", runs);
        return new Report(ok && failed.isEmpty() && left == 0, body);
    }

    /**
     * The environment's live artifacts whose manifest names another generation (or a plan a killed rekey left), and the
     * packs of another generation that its live artifacts need now (by id: generation, null for plain text).
     */
    private Stale stale(String project, EnvironmentConfig env, String current) {
        List<Artifact> artifacts = new ArrayList<>();
        Map<String, String> packs = new LinkedHashMap<>();
        Reencryption reencryption = new Reencryption(catalog, stores);
        for (Artifact a : catalog.artifacts().liveArtifacts(project)) {
            if (!env.id().equals(a.environmentId())) continue;
            boolean staleArtifact = RekeyPlanner.stale(Reencryption.generationOf(a.manifest()), current) || reencryption.hasPlan(a);
            Set<String> holders = holders(project, a);
            boolean stalePack = false;
            for (Map.Entry<String, String> g : catalog.packs().generations(project, holders).entrySet()) {
                if (RekeyPlanner.stale(g.getValue(), current)) {
                    packs.put(g.getKey(), g.getValue());
                    stalePack = true;
                }
            }
            if (staleArtifact || stalePack) artifacts.add(a);
        }
        return new Stale(env, artifacts, packs);
    }

    /** The packs that hold an artifact's files now (its index names the packs of its backup; repacks moved some). */
    private Set<String> holders(String project, Artifact a) {
        var fs = a.manifest().filestore();
        Set<String> out = new LinkedHashSet<>();
        if (fs == null || fs.packs() == null) return out;
        Map<String, ArtifactManifest.PackRef> now = catalog.packs().currentPacks(project,
                fs.packs().stream().map(ArtifactManifest.PackRef::id).toList());
        for (ArtifactManifest.PackRef ref : fs.packs()) out.add(now.getOrDefault(ref.id(), ref).id());
        return out;
    }

    /** One environment's rekey as a run; returns its line of the report. */
    private Map<String, Object> rekeyEnvironment(RekeyRequest request, EnvironmentConfig env, Encryption to,
                                                 List<String> rekeyed, List<String> packsRekeyed, Map<String, String> failed) {
        String project = env.project();
        RekeyJob job = new RekeyJob(env, clock.instant(), new SecretRedactor(EnvironmentSecrets.of(env)));
        Path dir = starter.evidenceDir(job, "rekey");
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("run_id", job.runId().toString());
        inputs.put("operation", OPERATION);
        inputs.put("environment_id", env.id());
        inputs.put("generation", to.generation());
        inputs.put("recipients", to.recipients());
        inputs.put("user", request.user());
        inputs.put("requested_at", job.createdAt().toString());
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("run_id", job.runId().toString());
        line.put("environment_id", env.id());
        try {
            starter.start(job, OPERATION, request.user(), null, Map.of("kind", OPERATION, "generation", to.generation()), dir, inputs);
        } catch (RuntimeException e) { // ended failed in create-run by the starter (or refused before it)
            String reason = job.redactor().scrub(String.valueOf(e.getMessage()));
            failed.put(env.id(), reason);
            line.put("status", "failed");
            line.put("reason", reason);
            return line;
        }
        job.step(STEP);
        Reencryption reencryption = new Reencryption(catalog, stores);
        List<Map<String, Object>> packLines = new ArrayList<>();
        List<Map<String, Object>> artifactLines = new ArrayList<>();
        Map<String, String> failures = new LinkedHashMap<>();
        Map<String, Object> ledger = new LinkedHashMap<>();
        ledger.put("run_id", job.runId().toString());
        ledger.put("environment_id", env.id());
        ledger.put("generation", to.generation());
        ledger.put("packs", packLines);
        ledger.put("artifacts", artifactLines);
        ledger.put("failed", failures);
        String failure = null;
        int n = 0;
        try {
            Path scratch = Files.createDirectories(job.workDir()); // the run's own: a killed run's is swept with it
            for (Artifact a : stale(project, env, to.generation()).artifacts()) {
                try {
                    for (String pack : holders(project, a)) {
                        String generation = catalog.packs().generations(project, List.of(pack)).get(pack);
                        if (!RekeyPlanner.stale(generation, to.generation())) continue; // another artifact's turn did it
                        NewPack row = catalog.packs().packs(project, List.of(pack)).get(pack);
                        if (row == null) throw new IllegalStateException("pack " + pack + " is not in the catalog");
                        Set<String> planned = new TreeSet<>();
                        catalog.packs().liveArtifactsOfPack(project, pack).forEach(u -> planned.add(u.artifactId()));
                        Map<String, Object> p = reencryption.pack(project, row, RekeyPlanner.packId(job.runId(), ++n), to, planned, scratch);
                        packLines.add(p);
                        packsRekeyed.add(pack);
                        catalog.runs().event(job.runId(), "pack_rekeyed", STEP, Map.of("pack_id", pack, "into", p.get("into")));
                        job.evidence().json("rekeyed.json", ledger);
                    }
                    Map<String, Object> done = RekeyPlanner.stale(Reencryption.generationOf(a.manifest()), to.generation())
                            || reencryption.hasPlan(a) ? reencryption.artifact(project, a, to, scratch) : null;
                    if (done != null) {
                        artifactLines.add(done);
                        rekeyed.add(a.id());
                        catalog.runs().event(job.runId(), "artifact_rekeyed", STEP, Map.of("artifact_id", a.id(),
                                "generation", to.generation()));
                        job.evidence().json("rekeyed.json", ledger);
                    }
                } catch (RuntimeException e) {
                    String why = job.redactor().scrub(String.valueOf(e.getMessage()));
                    failures.put(a.id(), why);
                    failed.put(a.id(), why);
                    job.evidence().json("rekeyed.json", ledger);
                    LOG.warn("artifact {} not rekeyed (a rerun tries again): {}", a.id(), why);
                }
            }
            if (!failures.isEmpty()) {
                failure = failures.size() + " artifact(s) not rekeyed (run it again): " + String.join(", ", failures.keySet());
            }
        } catch (Exception e) {
            failure = "rekey failed: " + job.redactor().scrub(String.valueOf(e.getMessage()));
        }
        // the old packs, marked deleted by their move: out of the store now, so that the retired key opens nothing live
        PackCollector.Outcome collected = new PackCollector(catalog, stores).collect(project);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("run_id", job.runId().toString());
        result.put("status", failure == null ? "success" : "failed");
        if (failure != null) {
            result.put("failed_step", STEP);
            result.put("reason", failure);
        }
        result.put("environment_id", env.id());
        result.put("generation", to.generation());
        result.put("artifacts_rekeyed", artifactLines.stream().map(l -> l.get("artifact_id")).toList());
        result.put("packs_rekeyed", packLines.stream().map(l -> l.get("pack_id")).toList());
        result.put("packs_removed", collected.removed());
        if (!collected.failures().isEmpty()) result.put("packs_not_removed", collected.failures());
        result.put("failed", failures);
        result.put("evidence_dir", dir.toString());
        result.put("started_at", job.createdAt().toString());
        result.put("finished_at", Instant.now().toString());
        try {
            job.evidence().json("rekeyed.json", ledger);
            job.evidence().json("final_status.json", result);
        } catch (RuntimeException e) {
            failure = (failure == null ? "" : failure + "; ") + "evidence not written: " + e.getMessage();
            result.put("status", "failed");
            result.put("reason", failure);
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("artifacts_rekeyed", artifactLines.size());
        figures.put("packs_rekeyed", packLines.size());
        try {
            catalog.runs().finishRun(job.runId(), failure == null ? RunStatus.SUCCESS : RunStatus.FAILED,
                    failure == null ? null : STEP, failure, figures);
        } finally {
            try {
                job.lease().close();
            } catch (Exception e) {
                LOG.warn("releasing the lease of run {} failed: {}", job.runId(), e.getMessage());
            }
            WorkFiles.deleteTree(job.workDir());
        }
        LOG.info("rekey run {} of {}: {}", job.runId(), env.id(), failure == null ? "done" : failure);
        if (failure != null && failures.isEmpty()) failed.put(env.id(), failure);
        line.put("status", result.get("status"));
        if (failure != null) line.put("reason", failure);
        line.put("evidence_dir", dir.toString());
        return line;
    }
}
