package dev.odooops.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Restore drills (issue 16; docs/configuration.md, {@code drills}): the block {@code drills:} at the top of the
 * environments file (every environment's default) and in an environment (overriding it key by key).
 * <pre>
 * drills:
 *   database: {host: 127.0.0.1, port: 5433, user: odoo_ops_drill, password: ${secret:drill_db_password}, sslmode: prefer}
 *   work_dir: /var/lib/odoo-ops/drills
 *   command: [/opt/odoo/odoo-bin, -c, /etc/odoo/drill.conf, -d, "{database}", --data-dir, "{data_dir}", --stop-after-init]
 *   health_url: http://127.0.0.1:{port}/web/health
 *   timeout_seconds: 600
 *   after_backup: true
 *   standby: false
 * </pre>
 * <ul>
 *   <li>{@code database}: the PostgreSQL server the scratch databases are created on, as a user that may create
 *   databases (its {@code name} is the maintenance database to connect to, default {@code postgres}). Absent: the
 *   environment's own server, as the environment's user ({@link Drill#onOwnServer()}).</li>
 *   <li>{@code work_dir}: the directory the scratch filestores are made under (default: the ops work directory).</li>
 *   <li>{@code command}: optional, an argument list (no shell) that starts a scratch Odoo on the neutralised copy;
 *   placeholders {@code {database}}, {@code {data_dir}} (its {@code filestore/<database>} is the scratch filestore),
 *   {@code {db_host}}, {@code {db_port}}, {@code {db_user}}, {@code {port}} (a free TCP port on loopback). The
 *   password goes in {@code PGPASSWORD}, never on the command line. With {@code health_url} the command is a server:
 *   the drill waits for the URL to answer 200, then stops it; without, the command must exit 0
 *   ({@code --stop-after-init}).</li>
 *   <li>{@code timeout_seconds}: how long the command may take (default 600).</li>
 *   <li>{@code after_backup}: every successful new full backup of the environment is followed by a drill of it.</li>
 *   <li>{@code standby}: the drill of the newest backup keeps its copies as the environment's warm standby
 *   ({@code <db>__standby}); its server is then the environment's own, whatever {@code database} says.</li>
 * </ul>
 * Read and validated when odoo-ops starts, each error naming the key ({@code drills.database.port}).
 */
public final class DrillSettings {
    public static final String KEY = "drills";
    /** The owner of the top-level block in {@link OpsConfig#section}. */
    static final String TOP = "";
    /** The placeholders a drill command may use. */
    public static final List<String> PLACEHOLDERS = List.of("{database}", "{data_dir}", "{db_host}", "{db_port}", "{db_user}", "{port}");

    /**
     * One environment's drills: {@code database} the scratch server (null: the environment's own), {@code workDir}
     * (null: the ops work directory), {@code command} (empty: no scratch Odoo is started), {@code healthUrl} (null:
     * the command runs to its end), and the switches.
     */
    public record Drill(DatabaseConfig database, Path workDir, List<String> command, String healthUrl, int timeoutSeconds,
                        boolean afterBackup, boolean standby) {
        public Drill {
            command = List.copyOf(command);
        }

        /** No scratch server configured: the scratch database goes on the environment's server. */
        public boolean onOwnServer() {
            return database == null;
        }

        /** Whether a scratch Odoo is started on the copy (then it is neutralised first, on a disposable clone). */
        public boolean startsOdoo() {
            return !command.isEmpty();
        }

        /** The server of the scratch database of {@code env}: the drill server, or the environment's own. */
        public DatabaseConfig server(EnvironmentConfig env) {
            return database == null || standby ? env.database() : database;
        }

        @Override
        public String toString() {
            return "Drill[server=" + (database == null ? "own" : database.host() + ":" + database.port()) + ", command="
                    + command + ", healthUrl=" + healthUrl + ", afterBackup=" + afterBackup + ", standby=" + standby + "]";
        }
    }

    private static final Drill DEFAULT = new Drill(null, null, List.of(), null, 600, false, false);
    private final Map<String, Drill> byEnvironment;

    private DrillSettings(Map<String, Drill> byEnvironment) {
        this.byEnvironment = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byEnvironment));
    }

    /** No drills configured anywhere: every environment's defaults. */
    public static DrillSettings none() {
        return new DrillSettings(Map.of());
    }

    /** Reads the top-level {@code drills} block and every environment's. */
    public static DrillSettings of(OpsConfig config) {
        Block top = config.section(TOP, KEY).map(DrillSettings::read).orElse(null);
        Map<String, Drill> out = new LinkedHashMap<>();
        for (EnvironmentConfig env : config.environments()) {
            Block own = config.section(env.id(), KEY).map(DrillSettings::read).orElse(null);
            Block b = merge(top, own);
            if (b != null) out.put(env.id(), b.toDrill());
        }
        return new DrillSettings(out);
    }

    /** The drills of {@code env} (its block over the top one; the defaults when neither exists). */
    public Drill forEnvironment(EnvironmentConfig env) {
        return byEnvironment.getOrDefault(env.id(), DEFAULT);
    }

    /** The environments (ids) whose new full backups are each followed by a drill. */
    public List<String> afterBackup() {
        return byEnvironment.entrySet().stream().filter(e -> e.getValue().afterBackup()).map(Map.Entry::getKey).toList();
    }

    /**
     * The environments (ids) expected to drill on their own: a schedule of operation {@code drill}, or a drill after each
     * new full backup ({@code after_backup}). Exported as {@code odoo_ops_drills_expected}: the alert
     * OdooOpsDrillsNeverRun watches those that never finished a drill.
     */
    public java.util.Set<String> expected(List<EnvironmentConfig> environments) {
        java.util.Set<String> out = new java.util.TreeSet<>(afterBackup());
        for (EnvironmentConfig e : environments) {
            if (e.schedules() != null && e.schedules().stream().anyMatch(sc -> "drill".equals(sc.operation()))) out.add(e.id());
        }
        return out;
    }

    /** The drill servers' passwords, for the redactor. */
    public List<String> secrets() {
        List<String> out = new ArrayList<>();
        byEnvironment.values().forEach(d -> {
            if (d.database() != null && d.database().password() != null) out.add(d.database().password().reveal());
        });
        return out;
    }

    private record Block(DatabaseConfig database, Path workDir, List<String> command, String healthUrl, Integer timeout,
                         Boolean afterBackup, Boolean standby) {
        Drill toDrill() {
            return new Drill(database, workDir, command == null ? List.of() : command, healthUrl,
                    timeout == null ? 600 : timeout, afterBackup != null && afterBackup, standby != null && standby);
        }
    }

    private static Block merge(Block top, Block own) {
        if (top == null) return own;
        if (own == null) return top;
        return new Block(own.database != null ? own.database : top.database, own.workDir != null ? own.workDir : top.workDir,
                own.command != null ? own.command : top.command, own.healthUrl != null ? own.healthUrl : top.healthUrl,
                own.timeout != null ? own.timeout : top.timeout, own.afterBackup != null ? own.afterBackup : top.afterBackup,
                own.standby != null ? own.standby : top.standby);
    }

    private static Block read(ConfigNode n) {
        if (!n.isMapping()) throw n.error(n.path(), "a mapping {database, work_dir, command, health_url, after_backup, standby}", null);
        n.only("database", "work_dir", "command", "health_url", "timeout_seconds", "after_backup", "standby");
        DatabaseConfig database = null;
        if (n.has("database")) {
            ConfigNode db = n.object("database").only("host", "port", "name", "user", "password", "sslmode");
            database = new DatabaseConfig(db.string("host", "127.0.0.1"), db.integer("port", 5432, 1, 65535),
                    db.string("name", "postgres"), db.string("user"), db.secret("password", false),
                    db.oneOf("sslmode", "prefer", "disable", "allow", "prefer", "require", "verify-ca", "verify-full"));
        }
        Path workDir = null;
        if (n.has("work_dir")) {
            String w = n.string("work_dir");
            if (!w.startsWith("/")) throw n.error(n.child("work_dir").path(), "an absolute path", w);
            workDir = Path.of(w);
        }
        List<String> command = null;
        if (n.has("command")) {
            command = n.strings("command");
            if (command.isEmpty()) throw n.error(n.child("command").path(), "a non-empty argument list", "[]");
            for (int i = 0; i < command.size(); i++) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{[a-z_]+}").matcher(command.get(i));
                while (m.find()) {
                    if (!PLACEHOLDERS.contains(m.group())) {
                        throw n.error(n.child("command").path() + "[" + i + "]", "only the placeholders " + PLACEHOLDERS, m.group());
                    }
                }
            }
        }
        String healthUrl = null;
        if (n.has("health_url")) {
            healthUrl = n.string("health_url");
            if (!healthUrl.startsWith("http://") && !healthUrl.startsWith("https://")) {
                throw n.error(n.child("health_url").path(), "an http:// or https:// URL", healthUrl);
            }
            if (command == null) throw n.error(n.child("health_url").path(), "health_url only with a command (the server it probes)", healthUrl);
        }
        Integer timeout = n.has("timeout_seconds") ? n.integer("timeout_seconds", 600, 1, 86400) : null;
        return new Block(database, workDir, command, healthUrl, timeout, bool(n, "after_backup"), bool(n, "standby"));
    }

    private static Boolean bool(ConfigNode n, String key) {
        if (!n.has(key)) return null;
        com.fasterxml.jackson.databind.JsonNode v = n.child(key).raw();
        if (!v.isBoolean()) throw n.error(n.child(key).path(), "true or false", v.toString());
        return v.booleanValue();
    }

    /** Placeholders of a command argument replaced with {@code values} (keys as in {@link #PLACEHOLDERS}). */
    public static List<String> expand(List<String> command, Map<String, String> values) {
        List<String> out = new ArrayList<>();
        for (String a : command) {
            String s = a;
            for (Map.Entry<String, String> v : values.entrySet()) s = s.replace(v.getKey(), v.getValue());
            out.add(s);
        }
        return out;
    }
}
