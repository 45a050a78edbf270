package dev.odooops.app;

import dev.odooops.odoo.EnvironmentValidator;
import dev.odooops.odoo.ServerVersions;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.OdooLog;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.domain.RequestRejected;
import dev.odooops.model.Report;
import dev.odooops.model.ValidateEnvRequest;
import dev.odooops.ops.OpsCatalog;
import dev.odooops.model.Artifact;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * validate-env: the seven post-restore validations of {@link EnvironmentValidator}, run now on an environment,
 * against the modules of an artifact (the given one, else the last one restored here) and judging only the
 * Odoo log lines of a window ({@code since}, else since the last restart known).
 */
public final class EnvironmentCheck {
    private final EnvironmentLookup environments;
    private final OpsCatalog catalog;
    private final EnvironmentValidator validator;
    private final Clock clock;
    private final ServerVersions versions;

    public EnvironmentCheck(EnvironmentLookup environments, OpsCatalog catalog, EnvironmentValidator validator, Clock clock,
                            ServerVersions versions) {
        this.versions = versions;
        this.environments = environments;
        this.catalog = catalog;
        this.validator = validator;
        this.clock = clock;
    }

    public Report validate(ValidateEnvRequest request) {
        EnvironmentConfig env = environments.environment(request);
        String artifactId = request.artifactId();
        if (artifactId == null) artifactId = catalog.runs().lastSuccessfulRestoreArtifact(env.id()).orElse(null);
        Map<String, String> modules = null;
        String appVersion = null;
        if (artifactId != null) {
            String id = artifactId;
            Artifact artifact = catalog.artifacts().artifact(id)
                    .orElseThrow(() -> new RequestRejected("artifact", "no artifact '" + id + "'",
                            RequestRejected.Reason.NOT_FOUND));
            if (!artifact.environmentId().equals(env.id())) {
                throw new RequestRejected("artifact", "artifact '" + id + "' belongs to " + artifact.environmentId());
            }
            modules = artifact.modulesInstalled();
            appVersion = artifact.manifest().odoo() == null ? null : artifact.manifest().odoo().appVersion();
        }
        LogWindow window = logWindow(env, request.since());
        // the environment has lived since the artifact: its modules and version compare, its rows and files need not
        // and the database's version compares with the server's, when it can be learned
        ServerVersions.Learned server = versions.learn(env);
        var expected = new EnvironmentValidator.Expected(modules, appVersion, null, null, null, server.target());
        var checks = validator.validate(env, expected, -1, window.since(),
                new SecretRedactor(dev.odooops.config.EnvironmentSecrets.of(env)));
        Map<String, Object> report = new LinkedHashMap<>(EnvironmentValidator.report(checks));
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("source", window.source());
        w.put("since", window.since() == null ? null : window.since().toString());
        report.put("log_window", w);
        report.put("environment_id", env.id());
        report.put("compared_with_artifact", artifactId);
        report.put("server_version", server.target() != null ? server.target().describe()
                : "unknown: " + server.unknownReason());
        return new Report(Boolean.TRUE.equals(report.get("ok")), report);
    }

    /** Which log lines are judged, and why. */
    record LogWindow(Instant since, String source) {
    }

    /**
     * From {@code since}, else from the last restart odoo-ops knows of (its own restarts, or the last start
     * banner in the log, whichever is later), else the whole log.
     */
    private LogWindow logWindow(EnvironmentConfig env, String since) {
        if (since != null) {
            try {
                return new LogWindow(OdooLog.parseSince(since, clock.instant()), "--since " + since);
            } catch (IllegalArgumentException e) {
                throw new RequestRejected("since", "expected " + e.getMessage() + ", got '" + since + "'");
            }
        }
        Instant recorded = catalog.runs().lastOdooRestart(env.id()).orElse(null);
        Instant banner = null;
        Path logFile = env.control().logFile();
        if (logFile != null && Files.exists(logFile)) {
            try {
                banner = OdooLog.lastStart(EnvironmentValidator.tail(logFile), ZoneId.systemDefault());
            } catch (IOException e) {
                banner = null;
            }
        }
        if (recorded != null && (banner == null || recorded.isAfter(banner))) {
            return new LogWindow(recorded, "the last restart by odoo-ops");
        }
        if (banner != null) return new LogWindow(banner, "the last Odoo start in the log");
        return new LogWindow(null, "no restart known: the whole log");
    }
}
