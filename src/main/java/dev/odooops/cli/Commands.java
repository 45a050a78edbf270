package dev.odooops.cli;

import dev.odooops.OpsRuntime;
import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.Json;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.RequestRejected;
import org.apache.camel.Exchange;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The operator commands over a started runtime. Each returns the process exit code. */
public final class Commands {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int REJECTED = 2;

    private final OpsRuntime runtime;
    private final PrintStream out;

    public Commands(OpsRuntime runtime, PrintStream out) {
        this.runtime = runtime;
        this.out = out;
    }

    /** {@code backup --project P --env E [--type] [--label] [--keep-*] [--user]}: prints {run_id, artifact_id, status, evidence_dir}. */
    public int backup(CliArgs a) {
        BackupRequest request = new BackupRequest(a.require("project"), a.require("env"),
                BackupType.parse("type", a.get("type", "full")), a.get("label"), a.integer("keep-daily"),
                a.integer("keep-weekly"), a.integer("keep-monthly"),
                a.get("user", runtime.settings().defaultUser()), "backup", "cli");
        BackupResult result = runBackup(request);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("run_id", result.runId());
        json.put("artifact_id", result.artifactId());
        json.put("status", result.status());
        json.put("evidence_dir", result.evidenceDir());
        if (!result.succeeded()) {
            json.put("failed_step", result.failedStep());
            json.put("error", result.error());
        }
        out.println(Json.compact(json));
        return result.succeeded() ? OK : FAILED;
    }

    /** Sends the request through the backup route; a rejection surfaces as {@link RequestRejected}. */
    public BackupResult runBackup(BackupRequest request) {
        Exchange ex = runtime.template().request("direct:backup", e -> e.getMessage().setBody(request));
        if (ex.getException() instanceof RequestRejected r) throw r;
        if (ex.getException() != null) {
            throw new IllegalStateException(ex.getException().getMessage(), ex.getException());
        }
        return ex.getMessage().getBody(BackupResult.class);
    }

    public int artifacts(CliArgs a) {
        EnvironmentConfig env = environment(a);
        List<Map<String, Object>> rows = runtime.catalog().artifacts(env.id(), a.flag("all")).stream().map(art -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("artifact_id", art.id());
            m.put("created_at", art.createdAt().toString());
            m.put("backup_type", art.backupType());
            m.put("kind", art.kind());
            m.put("label", art.label());
            m.put("pinned", art.pinned());
            m.put("uri", art.uri());
            m.put("size_bytes", art.sizes().values().stream().mapToLong(v -> ((Number) v).longValue()).sum());
            m.put("pruned_at", art.prunedAt() == null ? null : art.prunedAt().toString());
            return m;
        }).toList();
        out.println(Json.pretty(rows));
        return OK;
    }

    public int runs(CliArgs a) {
        EnvironmentConfig env = environment(a);
        Integer limit = a.integer("limit");
        out.println(Json.pretty(runtime.catalog().runs(env.id(), limit == null ? 50 : limit)));
        return OK;
    }

    /** pin / unpin: prints {artifact_id, pinned}. */
    public int pin(String id, boolean pinned) {
        var artifact = runtime.catalog().artifact(id)
                .orElseThrow(() -> new RequestRejected("ID", "no artifact '" + id + "' in the ops catalog"));
        if (artifact.prunedAt() != null) throw new RequestRejected("ID", "artifact '" + id + "' was pruned at " + artifact.prunedAt());
        runtime.catalog().setPinned(id, pinned);
        out.println(Json.compact(Map.of("artifact_id", id, "pinned", pinned)));
        return OK;
    }

    /** --env E (with --project P when E is ambiguous), or --env P/E. */
    EnvironmentConfig environment(CliArgs a) {
        String env = a.require("env");
        String project = a.get("project");
        if (env.contains("/") && project == null) {
            project = env.substring(0, env.indexOf('/'));
            env = env.substring(env.indexOf('/') + 1);
        }
        String p = project;
        String e = env;
        List<EnvironmentConfig> matches = runtime.config().environments().stream()
                .filter(c -> c.name().equals(e) && (p == null || c.project().equals(p))).toList();
        if (matches.isEmpty()) throw new RequestRejected("env", "no environment '" + (p == null ? "" : p + "/") + e + "'");
        if (matches.size() > 1) {
            throw new RequestRejected("env", "'" + e + "' exists in several projects ("
                    + matches.stream().map(EnvironmentConfig::project).collect(Collectors.joining(", ")) + "): add --project");
        }
        return matches.get(0);
    }
}
