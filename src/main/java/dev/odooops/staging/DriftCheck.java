package dev.odooops.staging;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.EnvironmentSecrets;
import dev.odooops.config.OpsConfig;
import dev.odooops.domain.AppProfile;
import dev.odooops.domain.DriftRules;
import dev.odooops.domain.RequestRejected;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.model.DriftRequest;
import dev.odooops.model.Report;
import dev.odooops.odoo.NeutralizationCheck;
import dev.odooops.odoo.OdooInventory;
import dev.odooops.postgres.EnvironmentDatabase;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * check-drift --project P: reads every Odoo environment of the project (series, addons paths in Odoo's order with their
 * commits, installed modules; a production's outgoing mail servers and neutralisation flag; a non-production's
 * {@link NeutralizationCheck}) and hands the readings to {@link DriftRules}, which decides what diverges. Reads only
 * (the environments' databases as their own roles, odoo.conf, {@code git rev-parse} in the addons paths); no run.
 * The report is {@code ok} when nothing diverges: the command exits 1 otherwise, with one line per divergence.
 */
public final class DriftCheck {
    private final OpsConfig config;
    private final OdooInventory inventory;
    private final NeutralizationCheck neutralization;

    public DriftCheck(OpsConfig config, OdooInventory inventory, NeutralizationCheck neutralization) {
        this.config = config;
        this.inventory = inventory;
        this.neutralization = neutralization;
    }

    public Report check(DriftRequest request) {
        List<EnvironmentConfig> envs = config.environments().stream().filter(e -> e.project().equals(request.project())).toList();
        if (envs.isEmpty()) {
            throw new RequestRejected("project", "no project '" + request.project() + "' in " + config.file(),
                    RequestRejected.Reason.NOT_FOUND);
        }
        EnvironmentConfig production = envs.stream().filter(EnvironmentConfig::isProduction).findFirst().orElse(null);
        List<DriftRules.EnvironmentState> states = new ArrayList<>();
        List<Map<String, Object>> shown = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (EnvironmentConfig env : envs) {
            if (env.app() != AppProfile.ODOO) {
                skipped.add(env.id() + ": app " + env.app().key() + ", not compared");
                continue;
            }
            Map<String, Object> line = new LinkedHashMap<>();
            DriftRules.EnvironmentState state = read(env, production, line);
            states.add(state);
            shown.add(line);
        }
        DriftRules.Outcome outcome = DriftRules.judge(states);
        List<String> notes = new ArrayList<>(outcome.notes());
        notes.addAll(skipped);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("project", request.project());
        body.put("ok", outcome.ok());
        body.put("compared_with", outcome.reference());
        body.put("divergences", outcome.divergences());
        body.put("notes", notes);
        body.put("environments", shown);
        return new Report(outcome.ok(), body);
    }

    /** One environment's readings, into {@code line} (the report's) and the state the rules judge. */
    private DriftRules.EnvironmentState read(EnvironmentConfig env, EnvironmentConfig production, Map<String, Object> line) {
        SecretRedactor redactor = new SecretRedactor(EnvironmentSecrets.of(env));
        line.put("environment_id", env.id());
        line.put("type", env.type());
        List<String> paths = OdooInventory.effectiveAddonsPaths(env).stream().map(Path::toString).toList();
        line.put("addons_path", paths);
        line.put("addons_path_from", OdooInventory.confAddonsPaths(env).isEmpty() ? "environments file addons_paths"
                : "odoo.conf addons_path");
        Map<String, String> commits = new TreeMap<>();
        for (String p : paths) {
            String commit = inventory.gitCommit(Path.of(p));
            if (commit != null) commits.put(p, commit);
        }
        line.put("addons_commits", commits);
        Map<String, String> modules;
        String series;
        Boolean mailActive = null;
        Boolean neutralized = null;
        try {
            modules = inventory.installedModules(env);
            series = OdooInventory.series(modules.get("base"));
            if (env.isProduction()) {
                try (Connection c = EnvironmentDatabase.connect(env.database())) {
                    mailActive = activeMailServer(c);
                    neutralized = neutralized(c);
                }
            }
        } catch (Exception e) {
            String why = redactor.scrub(String.valueOf(e.getMessage()));
            line.put("error", why);
            return new DriftRules.EnvironmentState(env.id(), env.type(), null, paths, commits, Map.of(), null, null, null, why);
        }
        line.put("odoo_series", series);
        line.put("modules_installed", modules);
        List<String> problems = null;
        if (env.isProduction()) {
            line.put("active_mail_server", mailActive);
            line.put("is_neutralized", neutralized);
        } else {
            Map<String, Object> n = new LinkedHashMap<>();
            try {
                NeutralizationCheck.Result r = neutralization.check(env, production);
                n.put("ok", r.ok());
                n.put("problems", r.problems());
                problems = r.ok() ? List.of() : r.problems().isEmpty() ? List.of("the neutralisation check failed") : r.problems();
            } catch (RuntimeException e) {
                problems = List.of("the neutralisation check could not run: " + redactor.scrub(String.valueOf(e.getMessage())));
                n.put("ok", false);
                n.put("problems", problems);
            }
            line.put("neutralization", n);
        }
        return new DriftRules.EnvironmentState(env.id(), env.type(), series, paths, commits, modules, mailActive, neutralized,
                problems, null);
    }

    /** Whether one outgoing mail server is active (Odoo's ir_mail_server; none when the table is missing). */
    private static boolean activeMailServer(Connection c) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("select exists (select 1 from ir_mail_server where active)")) {
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        } catch (java.sql.SQLException e) {
            if ("42P01".equals(e.getSQLState())) return false; // undefined table
            throw e;
        }
    }

    /**
     * Whether {@code database.is_neutralized} is set (Odoo's neutralize.sql writes {@code true}; a value Odoo reads as
     * false, an empty one or {@code false}, does not count).
     */
    private static boolean neutralized(Connection c) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(
                "select value from ir_config_parameter where key = 'database.is_neutralized'");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) return false;
            String v = rs.getString(1);
            return v != null && !v.isBlank() && !v.trim().equalsIgnoreCase("false") && !v.trim().equals("0");
        } catch (java.sql.SQLException e) {
            if ("42P01".equals(e.getSQLState())) return false;
            throw e;
        }
    }
}
