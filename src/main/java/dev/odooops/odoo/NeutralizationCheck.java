package dev.odooops.odoo;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.NeutralizationSettings;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.NeutralizationRules;
import dev.odooops.domain.OdooConf;
import dev.odooops.postgres.EnvironmentDatabase;

import java.net.URI;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Whether an environment's database and odoo.conf are neutralised (issue 14, section 3): the guard every copy ends
 * with, {@code check-neutralization} and the drift check call. One remediation line per problem:
 * <ul>
 *   <li>an active cron whose external id is not in {@code neutralization.cron_allow};</li>
 *   <li>an active outgoing mail server other than the sink (host and port of {@code neutralization.mail_sink}, or
 *       Odoo's own dummy host {@code invalid}), an active incoming (fetchmail) server;</li>
 *   <li>an {@code smtp_server} in the environment's odoo.conf that is not the sink (Odoo sends through it when no
 *       mail server is active);</li>
 *   <li>a production secret still present: {@code database.secret}, the removed integration parameters and the rules'
 *       {@code secrets} columns, compared with the production database's values by SHA-256, never printed;</li>
 *   <li>{@code database.uuid} equal to production's, {@code web.base.url} on production's host;</li>
 *   <li>{@code database.is_neutralized} missing or false, mails still queued ({@code mail_mail} state outgoing).</li>
 * </ul>
 * A table that does not exist is skipped and listed in {@code absent_tables}. The report ({@code detail}):
 * {@code {environment_id, ok, compared_with, problems, checks: [{check, ok, found}], absent_tables}}.
 */
public class NeutralizationCheck {
    /** {@code problems}: one remediation line each, never a secret's value; {@code detail}: the JSON report. */
    public record Result(boolean ok, List<String> problems, Map<String, Object> detail) {
    }

    /** Odoo's own dummy server ({@code odoo-bin neutralize}): it delivers nothing. */
    static final String DUMMY_HOST = "invalid";

    private final Map<String, NeutralizationSettings> settings;
    private final java.util.function.Function<String, java.util.Optional<NeutralizationSettings>> others;
    private final Map<String, NeutralizationRules> rules = new java.util.concurrent.ConcurrentHashMap<>();

    /** {@code settings}: each environment's {@code neutralization:} block by id (missing: the defaults). */
    public NeutralizationCheck(Map<String, NeutralizationSettings> settings) {
        this(settings, id -> java.util.Optional.empty());
    }

    /**
     * The same, with {@code others} giving the settings of an environment that is not in the environments file (a
     * pull-request environment {@code P/pr-<N>}: config.PrEnvironmentsSettings#neutralization); empty: the defaults.
     */
    public NeutralizationCheck(Map<String, NeutralizationSettings> settings,
                               java.util.function.Function<String, java.util.Optional<NeutralizationSettings>> others) {
        this.others = others;
        this.settings = Map.copyOf(settings);
        for (Map.Entry<String, NeutralizationSettings> e : this.settings.entrySet()) {
            try {
                rules.put(e.getKey(), NeutralizationRules.load(e.getValue().rules()));
            } catch (dev.odooops.domain.RequestRejected bad) {
                // at start: the environment's neutralization.rules file is refused, naming it and its field
                throw new dev.odooops.config.ConfigException(e.getKey() + ": neutralization.rules: " + bad.getMessage());
            }
        }
    }

    public NeutralizationSettings settingsOf(EnvironmentConfig env) {
        NeutralizationSettings s = settings.get(env.id());
        return s != null ? s : others.apply(env.id()).orElse(NeutralizationSettings.defaults());
    }

    public NeutralizationRules rulesOf(EnvironmentConfig env) {
        return rules.computeIfAbsent(env.id(), id -> NeutralizationRules.load(settingsOf(env).rules()));
    }

    /**
     * Checks {@code target} against {@code production} (the project's production environment whose secrets and uuid
     * must not be found in the target; null when the project has none).
     */
    public Result check(EnvironmentConfig target, EnvironmentConfig production) {
        return check(target, target.database().name(), production);
    }

    /** The same on another database of the target's server (a restored copy not yet swapped in). */
    public Result check(EnvironmentConfig target, String database, EnvironmentConfig production) {
        if (production != null && production.id().equals(target.id())) production = null;
        Run run = new Run(target, settingsOf(target), rulesOf(target));
        try (Connection c = EnvironmentDatabase.connect(target.database(), database)) {
            run.tables = tables(c);
            run.crons(c);
            run.mailServers(c);
            run.incomingServers(c);
            run.odooConf();
            run.flag(c);
            run.queue(c);
            if (production != null) run.againstProduction(c, production);
        } catch (SQLException e) {
            run.problem("database", "cannot read " + target.id() + "'s database " + database + ": " + e.getMessage()
                    + ": check that it is reachable, then check again");
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("environment_id", target.id());
        detail.put("ok", run.problems.isEmpty());
        detail.put("compared_with", production == null ? null : production.id());
        detail.put("problems", run.problems);
        detail.put("checks", new ArrayList<>(run.checks.values()));
        detail.put("absent_tables", new ArrayList<>(run.absent));
        return new Result(run.problems.isEmpty(), List.copyOf(run.problems), detail);
    }

    private static Set<String> tables(Connection c) throws SQLException {
        Set<String> out = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    private static Map<String, Set<String>> columns(Connection c, Set<String> tables) throws SQLException {
        Map<String, Set<String>> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT table_name, column_name FROM information_schema.columns "
                + "WHERE table_schema = current_schema() AND table_name = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("text", tables.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(rs.getString(2));
            }
        }
        return out;
    }

    /** One check's state. */
    private static final class Run {
        final EnvironmentConfig target;
        final NeutralizationSettings settings;
        final NeutralizationRules rules;
        final List<String> problems = new ArrayList<>();
        final Map<String, Map<String, Object>> checks = new LinkedHashMap<>();
        final Set<String> absent = new LinkedHashSet<>();
        Set<String> tables = Set.of();

        Run(EnvironmentConfig target, NeutralizationSettings settings, NeutralizationRules rules) {
            this.target = target;
            this.settings = settings;
            this.rules = rules;
        }

        void problem(String check, String line) {
            problems.add(line);
            Map<String, Object> m = checks.computeIfAbsent(check, Run::entry);
            m.put("ok", false);
            m.put("found", ((Integer) m.get("found")) + 1);
        }

        void passed(String check) {
            checks.computeIfAbsent(check, Run::entry);
        }

        static Map<String, Object> entry(String check) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("check", check);
            m.put("ok", true);
            m.put("found", 0);
            return m;
        }

        boolean has(String table) {
            if (tables.contains(table)) return true;
            absent.add(table);
            return false;
        }

        void crons(Connection c) throws SQLException {
            passed("crons");
            if (!has("ir_cron")) return;
            boolean names = has("ir_model_data");
            String sql = "SELECT c.id, to_jsonb(c) ->> 'cron_name' FROM ir_cron c WHERE c.active"
                    + (names ? " AND c.id NOT IN (SELECT res_id FROM ir_model_data WHERE model = 'ir.cron' "
                    + "AND res_id IS NOT NULL AND module || '.' || name = ANY(?))" : "") + " ORDER BY c.id";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (names) ps.setArray(1, c.createArrayOf("text", settings.cronAllow().toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        problem("crons", "active cron #" + rs.getLong(1) + " '" + rs.getString(2) + "' is not allowed: "
                                + "deactivate it (UPDATE ir_cron SET active = false WHERE id = " + rs.getLong(1)
                                + ") or add its external id to neutralization.cron_allow");
                    }
                }
            }
        }

        boolean isSink(String host, Integer port) {
            if (host == null) return false;
            if (DUMMY_HOST.equals(host.strip().toLowerCase(Locale.ROOT))) return true;
            return settings.hasSink() && settings.sinkHost().equalsIgnoreCase(host.strip())
                    && (port == null || settings.sinkPort().equals(port));
        }

        String sinkName() {
            return settings.hasSink() ? settings.sinkHost() + ":" + settings.sinkPort()
                    : "none configured (neutralization.mail_sink)";
        }

        void mailServers(Connection c) throws SQLException {
            passed("mail_servers");
            if (!has("ir_mail_server")) return;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, name, smtp_host, smtp_port FROM ir_mail_server WHERE active ORDER BY id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String host = rs.getString(3);
                    int port = rs.getInt(4);
                    if (!isSink(host, port)) {
                        problem("mail_servers", "active outgoing mail server #" + rs.getLong(1) + " '" + rs.getString(2)
                                + "' (" + host + ":" + port + ") is not the sink " + sinkName() + ": deactivate it "
                                + "(UPDATE ir_mail_server SET active = false WHERE id = " + rs.getLong(1) + ")");
                    }
                }
            }
        }

        void incomingServers(Connection c) throws SQLException {
            passed("incoming_mail_servers");
            if (!has("fetchmail_server")) return;
            try (PreparedStatement ps = c.prepareStatement("SELECT id, name FROM fetchmail_server WHERE active ORDER BY id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    problem("incoming_mail_servers", "active incoming mail server #" + rs.getLong(1) + " '" + rs.getString(2)
                            + "' still fetches production mail: deactivate it (UPDATE fetchmail_server SET active = false "
                            + "WHERE id = " + rs.getLong(1) + ")");
                }
            }
        }

        void odooConf() {
            passed("odoo_conf_smtp");
            if (target.appConf() == null || !Files.isRegularFile(target.appConf())) return;
            OdooConf conf = OdooConf.read(target.appConf());
            String server = conf.option("smtp_server");
            if (server == null || server.isBlank() || "false".equalsIgnoreCase(server.strip())) return;
            Integer port = null;
            String p = conf.option("smtp_port");
            if (p != null && p.strip().matches("\\d{1,5}")) port = Integer.parseInt(p.strip());
            // Odoo's default smtp_port is 25: a sink host without the sink's port is not the sink
            if (!isSink(server, port == null ? 25 : port)) {
                problem("odoo_conf_smtp", "smtp_server = " + server.strip() + (port == null ? "" : " (smtp_port " + port + ")")
                        + " in " + target.appConf() + " is not the sink " + sinkName()
                        + ": point smtp_server/smtp_port at the sink or remove them");
            }
        }

        void flag(Connection c) throws SQLException {
            passed("is_neutralized");
            String v = has("ir_config_parameter") ? parameter(c, "database.is_neutralized") : null;
            if (v == null || !v.strip().equalsIgnoreCase("true")) {
                problem("is_neutralized", "database.is_neutralized is " + (v == null ? "missing" : "'" + v + "'")
                        + ": neutralise the database (./odoo-ops copy, or odoo-bin neutralize)");
            }
        }

        void queue(Connection c) throws SQLException {
            passed("mail_queue");
            if (!has("mail_mail")) return;
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM mail_mail WHERE state = 'outgoing'");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                long n = rs.getLong(1);
                if (n > 0) {
                    problem("mail_queue", n + " mail(s) still queued for sending (mail_mail state outgoing): cancel them "
                            + "(UPDATE mail_mail SET state = 'cancel' WHERE state IN ('outgoing', 'exception'))");
                }
            }
        }

        void againstProduction(Connection c, EnvironmentConfig production) {
            passed("production_secrets");
            passed("database_uuid");
            passed("web_base_url");
            try (Connection p = EnvironmentDatabase.connect(production.database())) {
                Set<String> prodTables = tables(p);
                if (tables.contains("ir_config_parameter") && prodTables.contains("ir_config_parameter")) {
                    String uuid = parameter(c, "database.uuid");
                    if (uuid != null && uuid.equals(parameter(p, "database.uuid"))) {
                        problem("database_uuid", "database.uuid equals " + production.id() + "'s: renew it "
                                + "(UPDATE ir_config_parameter SET value = gen_random_uuid() WHERE key = 'database.uuid')");
                    }
                    String url = parameter(c, "web.base.url");
                    String prodHost = host(parameter(p, "web.base.url"));
                    if (prodHost != null && prodHost.equals(host(url))) {
                        problem("web_base_url", "web.base.url " + url + " points at " + production.id() + "'s host " + prodHost
                                + ": set neutralization.base_url (web.base.url) to this environment's URL");
                    }
                    List<String> keys = new ArrayList<>();
                    keys.add("database.secret");
                    keys.addAll(rules.removeParameters());
                    keys.addAll(settings.configParameters());
                    for (String key : new LinkedHashSet<>(keys)) {
                        Set<String> prod = hashes(p, "SELECT value FROM ir_config_parameter WHERE key = ?", key);
                        Set<String> here = hashes(c, "SELECT value FROM ir_config_parameter WHERE key = ?", key);
                        here.retainAll(prod);
                        if (!here.isEmpty()) {
                            problem("production_secrets", "ir_config_parameter '" + key + "' holds " + production.id()
                                    + "'s value (compared by SHA-256): " + ("database.secret".equals(key)
                                    ? "renew it" : "delete it (DELETE FROM ir_config_parameter WHERE key = '" + key + "')"));
                        }
                    }
                }
                Set<String> wanted = new HashSet<>();
                for (NeutralizationRules.SecretColumn s : rules.secrets()) wanted.add(s.table());
                wanted.retainAll(tables);
                Map<String, Set<String>> hereColumns = columns(c, wanted);
                Map<String, Set<String>> prodColumns = columns(p, wanted);
                for (NeutralizationRules.SecretColumn s : rules.secrets()) {
                    if (!hereColumns.getOrDefault(s.table(), Set.of()).contains(s.column())
                            || !prodColumns.getOrDefault(s.table(), Set.of()).contains(s.column())) continue;
                    // identifiers come from the validated rules (names only) and exist in both schemas
                    String sql = "SELECT " + s.column() + "::text FROM " + s.table() + " WHERE " + s.column() + " IS NOT NULL";
                    Set<String> prod = hashes(p, sql, null);
                    Set<String> here = hashes(c, sql, null);
                    here.retainAll(prod);
                    if (!here.isEmpty()) {
                        problem("production_secrets", s + ": " + here.size() + " value(s) equal to " + production.id()
                                + "'s (compared by SHA-256): clear them (UPDATE " + s.table() + " SET " + s.column()
                                + " = NULL) or delete the rows");
                    }
                }
            } catch (SQLException e) {
                problem("production_secrets", "cannot read " + production.id() + "'s database to compare secrets ("
                        + e.getSQLState() + "): the copy cannot be proven free of production's secrets; make production's "
                        + "database reachable from odoo-ops and check again");
            }
        }

        static String host(String url) {
            if (url == null || url.isBlank()) return null;
            try {
                String h = URI.create(url.strip()).getHost();
                return h == null ? null : h.toLowerCase(Locale.ROOT);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }

        static String parameter(Connection c, String key) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("SELECT value FROM ir_config_parameter WHERE key = ?")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        }

        /** The SHA-256 of each non-empty value the query returns (the values themselves never leave this method). */
        static Set<String> hashes(Connection c, String sql, String arg) throws SQLException {
            Set<String> out = new HashSet<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (arg != null) ps.setString(1, arg);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String v = rs.getString(1);
                        if (v != null && !v.isBlank()) out.add(Checksums.sha256(v));
                    }
                }
            }
            return out;
        }
    }
}
