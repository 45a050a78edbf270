package dev.odooops.cli;

import dev.odooops.OpsRuntime;
import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.Json;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.BackupResult;
import dev.odooops.model.BackupType;
import dev.odooops.model.RequestRejected;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.RestoreResult;
import dev.odooops.step.EnvironmentValidator;
import dev.odooops.step.RecoverEnvironment;
import dev.odooops.step.RestorePreflight;
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
        BackupRequest request = BackupRequest.of(a.require("project"), a.require("env"),
                BackupType.parse("type", a.get("type", "full")), a.get("label"), a.integer("keep-daily"),
                a.integer("keep-weekly"), a.integer("keep-monthly"),
                a.get("user", runtime.settings().defaultUser()), "cli");
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

    /** {@code restore ...}: prints {run_id, status, evidence_dir, pre_restore_backup_id}. */
    public int restore(CliArgs a) {
        RestoreResult result = runRestore(restoreRequest(a));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("run_id", result.runId());
        json.put("status", result.status());
        json.put("evidence_dir", result.evidenceDir());
        json.put("pre_restore_backup_id", result.preRestoreBackupId());
        if (result.validationOnly()) json.put("validation_only", true);
        if (!result.succeeded()) {
            json.put("failed_step", result.failedStep());
            json.put("error", result.error());
        }
        out.println(Json.compact(json));
        return result.succeeded() ? OK : FAILED;
    }

    private RestoreRequest restoreRequest(CliArgs a) {
        String[] pe = projectAndEnv(a);
        return new RestoreRequest(pe[0], pe[1], a.require("artifact"), BackupType.parse("type", a.get("type", "full")),
                !a.flag("no-verify"), !a.flag("no-rollback"), a.get("confirm"),
                a.get("user", runtime.settings().defaultUser()), "cli");
    }

    private String[] projectAndEnv(CliArgs a) {
        EnvironmentConfig env = environment(a);
        return new String[]{env.project(), env.name()};
    }

    public RestoreResult runRestore(RestoreRequest request) {
        Exchange ex = runtime.template().request("direct:restore", e -> e.getMessage().setBody(request));
        if (ex.getException() instanceof RequestRejected r) throw r;
        if (ex.getException() != null) throw new IllegalStateException(ex.getException().getMessage(), ex.getException());
        return ex.getMessage().getBody(RestoreResult.class);
    }

    /** {@code preflight-restore --env E --artifact A}: the nine checks; exit 0 when all pass, else 2. */
    public int preflightRestore(CliArgs a) {
        RestorePreflight preflight = runtime.camelContext().getRegistry().lookupByNameAndType("restorePreflight",
                RestorePreflight.class);
        List<RestorePreflight.Check> checks = preflight.report(restoreRequest(a));
        boolean ok = checks.stream().allMatch(RestorePreflight.Check::ok);
        out.println(Json.pretty(Map.of("ok", ok, "checks", checks)));
        return ok ? OK : REJECTED;
    }

    /** {@code validate-env --env E [--artifact A]}: the seven validations now; exit 0 when none failed. */
    @SuppressWarnings("unchecked")
    public int validateEnv(CliArgs a) {
        EnvironmentConfig env = environment(a);
        String artifactId = a.get("artifact");
        if (artifactId == null) artifactId = runtime.catalog().lastSuccessfulRestoreArtifact(env.id()).orElse(null);
        Map<String, Object> modules = null;
        if (artifactId != null) {
            String id = artifactId;
            var artifact = runtime.catalog().artifact(id).orElseThrow(() -> new RequestRejected("artifact", "no artifact '" + id + "'"));
            if (!artifact.environmentId().equals(env.id())) {
                throw new RequestRejected("artifact", "artifact '" + id + "' belongs to " + artifact.environmentId());
            }
            modules = (Map<String, Object>) ((Map<String, Object>) artifact.manifest().get("manifest")).get("modules_installed");
        }
        EnvironmentValidator validator = runtime.camelContext().getRegistry().lookupByNameAndType("environmentValidator",
                EnvironmentValidator.class);
        var checks = validator.validate(env, modules, -1, new dev.odooops.domain.SecretRedactor(
                env.database().password() == null ? List.of() : List.of(env.database().password().reveal())));
        Map<String, Object> report = new LinkedHashMap<>(EnvironmentValidator.report(checks));
        report.put("environment_id", env.id());
        report.put("compared_with_artifact", artifactId);
        out.println(Json.pretty(report));
        return Boolean.TRUE.equals(report.get("ok")) ? OK : FAILED;
    }

    /** {@code recover --env E}: clean up after runs whose process died; prints what was done. */
    public int recover(CliArgs a) {
        RecoverEnvironment recover = runtime.camelContext().getRegistry().lookupByNameAndType("recoverEnvironment",
                RecoverEnvironment.class);
        out.println(Json.compact(recover.recover(environment(a), a.get("user", runtime.settings().defaultUser()))));
        return OK;
    }

    /** {@code artifacts --env E [--all]}: the environment's artifacts, newest first (route ops-list-artifacts). */
    public int artifacts(CliArgs a) {
        EnvironmentConfig env = environment(a);
        out.println(Json.pretty(query("direct:ops-list-artifacts", Map.of("environmentId", env.id(),
                "includePruned", a.flag("all")))));
        return OK;
    }

    /** {@code runs --env E [--limit N]}: the environment's runs, newest first (route ops-list-runs). */
    public int runs(CliArgs a) {
        EnvironmentConfig env = environment(a);
        Integer limit = a.integer("limit");
        if (limit != null && limit < 1) throw new RequestRejected("limit", "must be at least 1, got " + limit);
        out.println(Json.pretty(query("direct:ops-list-runs", Map.of("environmentId", env.id(), "limit",
                limit == null ? 50 : limit))));
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

    private List<?> query(String route, Map<String, Object> headers) {
        Exchange ex = runtime.template().request(route, e -> headers.forEach(e.getMessage()::setHeader));
        if (ex.getException() != null) throw new IllegalStateException(ex.getException().getMessage(), ex.getException());
        return ex.getMessage().getBody(List.class);
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
