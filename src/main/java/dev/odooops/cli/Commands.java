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
import dev.odooops.model.RunStartFailed;
import dev.odooops.step.EnvironmentValidator;
import dev.odooops.step.RecoverEnvironment;
import dev.odooops.step.RestorePreflight;
import org.apache.camel.Exchange;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The operator commands over a started runtime. Each returns the process exit code. */
public final class Commands {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int REJECTED = 2;
    /** A failed restore after which Odoo did not answer healthy again: the data is as the status says, the service is down. */
    public static final int ODOO_DOWN = 3;

    private final OpsRuntime runtime;
    private final PrintStream out;

    public Commands(OpsRuntime runtime, PrintStream out) {
        this.runtime = runtime;
        this.out = out;
    }

    /** {@code backup --project P --env E [--type] [--label] [--keep-*] [--user]}: prints {run_id, artifact_id, status, evidence_dir}. */
    public int backup(CliArgs a) {
        EnvironmentConfig env = environment(a);
        BackupRequest request = BackupRequest.of(env.project(), env.name(),
                BackupType.parse("type", a.get("type", "full")), a.get("label"), a.integer("keep-daily"),
                a.integer("keep-weekly"), a.integer("keep-monthly"),
                a.get("user", runtime.settings().defaultUser()), "cli");
        BackupResult result = runBackup(request);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("run_id", result.runId());
        json.put("artifact_id", result.artifactId());
        json.put("status", result.status());
        json.put("evidence_dir", result.evidenceDir());
        if (!result.warnings().isEmpty()) json.put("warnings", result.warnings());
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
        if (ex.getException() instanceof RunStartFailed f) return f.backupResult();
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
        json.put("mode", result.mode());
        if (result.modeReason() != null) json.put("mode_reason", result.modeReason());
        if (result.validationOnly()) json.put("validation_only", true);
        if (!result.succeeded()) {
            json.put("failed_step", result.failedStep());
            json.put("error", result.error());
            json.put("odoo_healthy", result.odooHealthy());
        }
        out.println(Json.compact(json));
        if (result.succeeded()) return OK;
        return result.odooDown() ? ODOO_DOWN : FAILED;
    }

    private RestoreRequest restoreRequest(CliArgs a) {
        String[] pe = projectAndEnv(a);
        if (a.flag("force") && a.flag("validate-only")) {
            throw new RequestRejected("force", "cannot be combined with --validate-only");
        }
        RestoreRequest.Mode mode = a.flag("force") ? RestoreRequest.Mode.FORCE
                : a.flag("validate-only") ? RestoreRequest.Mode.VALIDATE_ONLY : RestoreRequest.Mode.AUTO;
        return new RestoreRequest(pe[0], pe[1], a.require("artifact"), BackupType.parse("type", a.get("type", "full")),
                !a.flag("no-verify"), !a.flag("no-rollback"), a.get("confirm"),
                a.get("user", runtime.settings().defaultUser()), "cli", mode);
    }

    private String[] projectAndEnv(CliArgs a) {
        EnvironmentConfig env = environment(a);
        return new String[]{env.project(), env.name()};
    }

    public RestoreResult runRestore(RestoreRequest request) {
        Exchange ex = runtime.template().request("direct:restore", e -> e.getMessage().setBody(request));
        if (ex.getException() instanceof RequestRejected r) throw r;
        if (ex.getException() instanceof RunStartFailed f) return f.restoreResult();
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
        Map<String, Object> window = logWindow(env, a.get("since"));
        var checks = validator.validate(env, modules, -1, (java.time.Instant) window.remove("instant"),
                new dev.odooops.domain.SecretRedactor(env.database().password() == null ? List.of()
                        : List.of(env.database().password().reveal())));
        Map<String, Object> report = new LinkedHashMap<>(EnvironmentValidator.report(checks));
        report.put("log_window", window);
        report.put("environment_id", env.id());
        report.put("compared_with_artifact", artifactId);
        out.println(Json.pretty(report));
        return Boolean.TRUE.equals(report.get("ok")) ? OK : FAILED;
    }

    /**
     * Which Odoo log lines validate-env judges: from {@code --since}, else from the last restart odoo-ops
     * knows of (its own restarts, or the last start banner in the log, whichever is later), else the whole log.
     */
    private Map<String, Object> logWindow(EnvironmentConfig env, String since) {
        Map<String, Object> w = new LinkedHashMap<>();
        java.time.Instant at = null;
        if (since != null) {
            try {
                at = dev.odooops.domain.OdooLog.parseSince(since, java.time.Instant.now());
            } catch (IllegalArgumentException e) {
                throw new RequestRejected("since", "expected " + e.getMessage() + ", got '" + since + "'");
            }
            w.put("source", "--since " + since);
        } else {
            java.time.Instant recorded = runtime.catalog().lastOdooRestart(env.id()).orElse(null);
            java.time.Instant banner = null;
            var logFile = env.control().logFile();
            if (logFile != null && java.nio.file.Files.exists(logFile)) {
                try {
                    banner = dev.odooops.domain.OdooLog.lastStart(EnvironmentValidator.tail(logFile), java.time.ZoneId.systemDefault());
                } catch (java.io.IOException e) {
                    banner = null;
                }
            }
            if (recorded != null && (banner == null || recorded.isAfter(banner))) {
                at = recorded;
                w.put("source", "the last restart by odoo-ops");
            } else if (banner != null) {
                at = banner;
                w.put("source", "the last Odoo start in the log");
            } else {
                w.put("source", "no restart known: the whole log");
            }
        }
        w.put("since", at == null ? null : at.toString());
        w.put("instant", at);
        return w;
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

    /** --env E or --env P/E, with --project P when E is ambiguous (see {@link EnvironmentResolver}). */
    EnvironmentConfig environment(CliArgs a) {
        return EnvironmentResolver.resolve(runtime.config(), a.get("project"), a.get("env"));
    }
}
