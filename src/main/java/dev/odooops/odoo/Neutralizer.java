package dev.odooops.odoo;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.NeutralizationSettings;
import dev.odooops.domain.NeutralizationRules;
import dev.odooops.domain.OdooPasswordHash;
import dev.odooops.exec.ToolResult;
import dev.odooops.exec.ToolRunner;
import dev.odooops.postgres.EnvironmentDatabase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Neutralises a database of an environment's server (the restored copy of a copy run, before Odoo starts on it):
 * first, when the environment configures {@code neutralization.odoo_bin}, Odoo's own {@code odoo-bin neutralize -c
 * <odoo.conf> -d <database>} (it turns every mail server off and adds its dummy one, so it must run before ours);
 * then the rules ({@link NeutralizationRules}), in order, in one transaction: each rule whose tables and columns all
 * exist and whose parameters all have a value runs as one bound, set-wise statement; the others are skipped and
 * reported. The evidence: per rule its status ({@code applied}/{@code skipped}), rows, reason and time; never a
 * parameter's value. Without {@code mail_sink} the catch-all server is Odoo's dummy {@code invalid:1025}.
 */
public class Neutralizer {
    public static final String DUMMY_SINK_HOST = NeutralizationCheck.DUMMY_HOST;
    public static final int DUMMY_SINK_PORT = 1025;
    static final Duration ODOO_BIN_TIMEOUT = Duration.ofMinutes(30);

    private final NeutralizationCheck check;
    private final ToolRunner tools;

    public Neutralizer(NeutralizationCheck check, ToolRunner tools) {
        this.check = check;
        this.tools = tools;
    }

    /** What was done: the evidence map (JSON-ready, without any secret). */
    public record Outcome(Map<String, Object> evidence) {
    }

    public Outcome neutralize(EnvironmentConfig target, String database) throws SQLException {
        NeutralizationSettings settings = check.settingsOf(target);
        NeutralizationRules rules = check.rulesOf(target);
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("database", database);
        evidence.put("rules_source", rules.source());
        evidence.put("mail_sink", settings.hasSink() ? settings.sinkHost() + ":" + settings.sinkPort()
                : DUMMY_SINK_HOST + ":" + DUMMY_SINK_PORT + " (Odoo's dummy; no neutralization.mail_sink)");
        evidence.put("cron_allow", settings.cronAllow());
        if (!settings.odooBin().isEmpty()) evidence.put("odoo_bin", odooBin(settings, target, database));
        Map<String, Object> parameters = parameters(settings, rules);
        List<Map<String, Object>> done = new ArrayList<>();
        try (Connection c = EnvironmentDatabase.connect(target.database(), database)) {
            c.setAutoCommit(false);
            try {
                Map<String, Set<String>> columns = columns(c);
                for (NeutralizationRules.Rule rule : rules.rules()) done.add(apply(c, rule, columns, parameters));
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        evidence.put("rules", done);
        evidence.put("applied", done.stream().filter(m -> "applied".equals(m.get("status"))).count());
        evidence.put("skipped", done.stream().filter(m -> "skipped".equals(m.get("status"))).count());
        return new Outcome(evidence);
    }

    private Map<String, Object> odooBin(NeutralizationSettings settings, EnvironmentConfig target, String database) {
        List<String> argv = new ArrayList<>(settings.odooBin());
        argv.add("neutralize");
        // a PR environment's odoo.conf is written by its deployment, maybe after its create: a missing one is not named
        if (target.appConf() != null && java.nio.file.Files.isRegularFile(target.appConf())) {
            argv.addAll(List.of("-c", target.appConf().toString()));
        }
        argv.addAll(List.of("-d", database));
        ToolResult r = tools.runCommand(argv, ODOO_BIN_TIMEOUT);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("argv", argv);
        m.put("exit_code", r.exitCode());
        m.put("millis", r.millis());
        return m;
    }

    /** The values rules may bind, by name; null: not configured (a rule using it is skipped). */
    static Map<String, Object> parameters(NeutralizationSettings s, NeutralizationRules rules) {
        Map<String, Object> p = new HashMap<>();
        p.put("cron_allow", s.cronAllow().toArray(new String[0]));
        p.put("sink_host", s.hasSink() ? s.sinkHost() : DUMMY_SINK_HOST);
        p.put("sink_port", s.hasSink() ? s.sinkPort() : DUMMY_SINK_PORT);
        p.put("new_uuid", UUID.randomUUID().toString());
        p.put("new_secret", UUID.randomUUID().toString());
        p.put("base_url", s.baseUrl());
        p.put("catchall_domain", s.catchallDomain());
        p.put("default_from", s.defaultFrom());
        Set<String> remove = new LinkedHashSet<>(rules.removeParameters());
        remove.addAll(s.configParameters());
        p.put("remove_parameters", remove.toArray(new String[0]));
        p.put("admin_password_hash", s.adminPassword() == null ? null : OdooPasswordHash.hash(s.adminPassword().reveal()));
        return p;
    }

    private static Map<String, Object> apply(Connection c, NeutralizationRules.Rule rule, Map<String, Set<String>> columns,
                                             Map<String, Object> parameters) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", rule.id());
        m.put("from", rule.from());
        List<String> missing = new ArrayList<>();
        rule.needs().forEach((table, cols) -> {
            Set<String> have = columns.get(table);
            if (have == null) missing.add(table);
            else for (String col : cols) if (!have.contains(col)) missing.add(table + "." + col);
        });
        if (!missing.isEmpty()) {
            m.put("status", "skipped");
            m.put("reason", "absent: " + String.join(", ", missing));
            return m;
        }
        Set<String> unset = new LinkedHashSet<>();
        for (String p : rule.parameters()) if (parameters.get(p) == null) unset.add(p);
        if (!unset.isEmpty()) {
            m.put("status", "skipped");
            m.put("reason", "not configured: " + String.join(", ", unset));
            return m;
        }
        long start = System.nanoTime();
        try (PreparedStatement ps = c.prepareStatement(rule.jdbcSql())) {
            int i = 1;
            for (String p : rule.parameters()) {
                Object v = parameters.get(p);
                if (v instanceof String[] a) ps.setArray(i++, c.createArrayOf("text", a));
                else ps.setObject(i++, v);
            }
            int rows = ps.executeUpdate();
            m.put("status", "applied");
            m.put("rows", rows);
        } catch (SQLException e) {
            throw new SQLException("neutralisation rule " + rule.id() + " failed: " + e.getMessage(), e.getSQLState(), e);
        }
        m.put("millis", (System.nanoTime() - start) / 1_000_000);
        return m;
    }

    private static Map<String, Set<String>> columns(Connection c) throws SQLException {
        Map<String, Set<String>> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT table_name, column_name FROM information_schema.columns "
                + "WHERE table_schema = current_schema()");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(rs.getString(2));
        }
        return out;
    }
}
