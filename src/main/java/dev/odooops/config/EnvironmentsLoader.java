package dev.odooops.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.odooops.domain.AppProfile;
import dev.odooops.domain.RetentionPolicy;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads and validates the environments file (see docs/configuration.md). Every error names the file, the key
 * and the expected value; secrets are references to environment variables or to the uncommitted secrets file.
 */
public final class EnvironmentsLoader {
    /** Permission actions: one per operation (drill, copy, pr-env, evidence are reserved for operations to come). */
    static final Set<String> ACTIONS = Set.of("backup", "restore", "drill", "copy", "pr-env", "evidence", "deploy", "*");
    static final String FILESTORE_OWNER = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,31})?";

    private EnvironmentsLoader() {
    }

    public static OpsConfig load(Path file, Path secretsFile, Function<String, String> env) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file + ": environments file not found (copy config/environments.example.yaml)");
        }
        Map<String, String> secrets = readSecrets(secretsFile);
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new ConfigException(file + ": not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(file + ": expected a mapping with store, users and projects");
        }
        ConfigNode top = new ConfigNode(file.toString(), "", root, env, secrets).only("store", "users", "projects", EncryptionSettings.KEY, DrillSettings.KEY);
        Path base = file.toAbsolutePath().getParent();
        StoreConfig store = store(top.object("store"), base);
        Map<String, Secret> tokens = new LinkedHashMap<>();
        Map<String, Secret> jmsPasswords = new LinkedHashMap<>();
        Map<String, List<OpsConfig.Permission>> users = users(top, tokens, jmsPasswords, file.toString());
        List<EnvironmentConfig> environments = new ArrayList<>();
        Set<String> projects = new HashSet<>();
        Map<String, ConfigNode> sections = new LinkedHashMap<>();
        // the top-level encryption block, read by EncryptionSettings (owner "" in OpsConfig.section)
        if (top.has(EncryptionSettings.KEY)) sections.put(EncryptionSettings.TOP + "#" + EncryptionSettings.KEY, top.child(EncryptionSettings.KEY));
        // the top-level drills block, read by DrillSettings (owner "" too)
        if (top.has(DrillSettings.KEY)) sections.put(DrillSettings.TOP + "#" + DrillSettings.KEY, top.child(DrillSettings.KEY));
        for (ConfigNode p : top.list("projects", true)) {
            List<String> projectKeys = new ArrayList<>(List.of("name", "environments"));
            projectKeys.addAll(OpsConfig.PROJECT_SECTIONS);
            p.only(projectKeys.toArray(String[]::new));
            String project = p.name("name");
            if (!projects.add(project)) throw p.error(p.child("name").path(), "a unique project name", project);
            Set<String> names = new HashSet<>();
            for (ConfigNode e : p.list("environments", true)) {
                EnvironmentConfig ec = environment(project, e, base, users);
                if (!names.add(ec.name())) throw e.error(e.child("name").path(), "a unique environment name", ec.name());
                environments.add(ec);
                for (String key : OpsConfig.ENVIRONMENT_SECTIONS) if (e.has(key)) sections.put(ec.id() + "#" + key, e.child(key));
            }
            for (String key : OpsConfig.PROJECT_SECTIONS) if (p.has(key)) sections.put(project + "#" + key, p.child(key));
        }
        return new OpsConfig(file.toString(), store, users, List.copyOf(environments), Map.copyOf(tokens),
                Map.copyOf(jmsPasswords), sections);
    }

    static Map<String, String> readSecrets(Path secretsFile) {
        Map<String, String> out = new LinkedHashMap<>();
        if (secretsFile == null || !Files.isRegularFile(secretsFile)) return out;
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(secretsFile)) {
            p.load(r);
        } catch (IOException e) {
            throw new ConfigException(secretsFile + ": cannot be read: " + e.getMessage());
        }
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
        return out;
    }

    /**
     * The store new artifacts go to, named by {@code name} (default {@code current}), and {@code previous}: the stores
     * earlier artifacts went to, each a {@code name} with its own {@code type} and {@code s3}/{@code local} block.
     * Names are unique; two entries naming the same place are refused (an artifact would have two stores).
     */
    private static StoreConfig store(ConfigNode s, Path base) {
        s.only("name", "type", "s3", "local", "previous");
        StoreConfig current = oneStore(s, base, s.has("name") ? s.name("name") : StoreConfig.CURRENT);
        List<StoreConfig> previous = new ArrayList<>();
        Set<String> names = new java.util.HashSet<>(Set.of(current.name()));
        Set<String> places = new java.util.HashSet<>(Set.of(current.where()));
        for (ConfigNode p : s.list("previous", false)) {
            p.only("name", "type", "s3", "local");
            String name = p.name("name");
            if (!names.add(name)) throw p.error(p.child("name").path(), "a store name used once", name);
            StoreConfig one = oneStore(p, base, name);
            if (!places.add(one.where())) {
                throw p.error(p.path(), "a store other than the current one and the other previous ones", one.where());
            }
            previous.add(one);
        }
        return new StoreConfig(current.name(), current.type(), current.s3(), current.localPath(), previous);
    }

    private static StoreConfig oneStore(ConfigNode s, Path base, String name) {
        String type = s.oneOf("type", null, "s3", "local");
        if (type.equals("local")) {
            ConfigNode local = s.object("local").only("path");
            String path = local.string("path");
            if (PathRules.normalised(path) != null || path.equals("/")) {
                throw local.error(local.child("path").path(), "a normalised directory other than '/' (no '..', '.' or '//' segment)", path);
            }
            return new StoreConfig(name, type, null, base.resolve(path).normalize(), List.of());
        }
        ConfigNode s3 = s.object("s3").only("bucket", "prefix", "region", "endpoint", "access_key_id", "secret_access_key");
        URI endpoint = null;
        if (s3.has("endpoint")) {
            endpoint = uri(s3, "endpoint");
        }
        String prefix = s3.string("prefix", "odoo-ops").replaceAll("^/+|/+$", "");
        if (!prefix.isEmpty() && PathRules.normalised(prefix) != null) {
            throw s3.error(s3.child("prefix").path(), "a key prefix of '/'-separated names (no '..', '.' or empty segment)",
                    s3.string("prefix"));
        }
        return new StoreConfig(name, type, new StoreConfig.S3(s3.string("bucket"), prefix, s3.string("region", "us-east-1"),
                endpoint, s3.secret("access_key_id", true), s3.secret("secret_access_key", true)), null, List.of());
    }

    private static Map<String, List<OpsConfig.Permission>> users(ConfigNode top, Map<String, Secret> tokens,
                                                                 Map<String, Secret> jmsPasswords, String file) {
        Map<String, List<OpsConfig.Permission>> users = new LinkedHashMap<>();
        for (ConfigNode u : top.list("users", true)) {
            u.only("name", "permissions", "api_token", "jms_password");
            String name = u.string("name");
            if (users.containsKey(name)) throw u.error(u.child("name").path(), "a name no other user has", name);
            Secret token = longSecret(u, "api_token", file);
            if (token != null) tokens.put(name, token);
            Secret jms = longSecret(u, "jms_password", file);
            if (jms != null) jmsPasswords.put(name, jms);
            List<OpsConfig.Permission> perms = new ArrayList<>();
            for (ConfigNode p : u.list("permissions", false)) {
                p.only("project", "actions");
                String project = p.string("project");
                for (String action : p.strings("actions")) {
                    if (!ACTIONS.contains(action)) {
                        throw p.error(p.child("actions").path(), "actions from " + String.join("|", ACTIONS.stream().sorted().toList()), action);
                    }
                    perms.add(new OpsConfig.Permission(project, action));
                }
            }
            users.put(name, List.copyOf(perms));
        }
        // the built-in scheduler: the backup schedules, the evidence retention schedule and the drills (schedules, after_backup)
        users.putIfAbsent(OpsConfig.SCHEDULER, List.of(new OpsConfig.Permission("*", "backup"), new OpsConfig.Permission("*", "evidence"),
                new OpsConfig.Permission("*", "drill")));
        return users;
    }

    /** A credential of a user (a secret reference) of at least 24 characters, or null when absent. */
    private static Secret longSecret(ConfigNode u, String key, String file) {
        Secret s = u.secret(key, false);
        if (s != null && s.reveal().length() < 24) {
            throw new ConfigException(file + ": " + u.child(key).path()
                    + ": expected a " + (key.equals("api_token") ? "token" : "password")
                    + " of at least 24 characters (e.g. openssl rand -hex 32)");
        }
        return s;
    }

    static EnvironmentConfig environment(String project, ConfigNode e, Path base,
                                                 Map<String, List<OpsConfig.Permission>> users) {
        AppProfile app = app(e);
        AppProfile other = app == AppProfile.ODOO ? AppProfile.DOLIBARR : AppProfile.ODOO;
        for (String key : List.of(other.confKey(), other.controlKey())) {
            if (e.has(key)) {
                throw e.error(e.child(key).path(), "no " + key + " in an environment of app " + app.key()
                        + " (it has " + app.confKey() + " and " + app.controlKey() + ")", key);
            }
        }
        e.only("name", "app", "type", "database", "filestore", "filestore_layout", "filestore_owner", app.confKey(),
                "addons_paths", app.controlKey(), "retention", "schedules", "volatile_tables", "neutralization", "staging", DrillSettings.KEY);
        String name = e.name("name");
        String type = e.oneOf("type", null, "development", "staging", "production");
        ConfigNode db = e.object("database").only("host", "port", "name", "user", "password", "sslmode");
        DatabaseConfig database = new DatabaseConfig(db.string("host", "127.0.0.1"), db.integer("port", 5432, 1, 65535),
                db.string("name"), db.string("user"), db.secret("password", false),
                db.oneOf("sslmode", "prefer", "disable", "allow", "prefer", "require", "verify-ca", "verify-full"));
        Path filestore = filestore(e, database.name(), app);
        Path appConf = base.resolve(e.string(app.confKey())).normalize();
        List<Path> addons = e.strings("addons_paths").stream().map(a -> base.resolve(a).normalize()).toList();
        OdooControl control = e.has(app.controlKey()) ? control(e.object(app.controlKey()), base, app) : OdooControl.NONE;
        RetentionPolicy retention = RetentionPolicy.DEFAULT;
        if (e.has("retention")) {
            ConfigNode r = e.object("retention").only("daily", "weekly", "monthly", "yearly", "keep_within", "pre_restore");
            int last = RetentionPolicy.DEFAULT_PRE_RESTORE_LAST;
            java.time.Duration preRestoreWithin = RetentionPolicy.DEFAULT_PRE_RESTORE_KEEP_WITHIN;
            if (r.has("pre_restore")) {
                ConfigNode pr = r.object("pre_restore").only("last", "keep_within");
                last = pr.integer("last", last, 0, 1000);
                preRestoreWithin = duration(pr, "keep_within", preRestoreWithin);
            }
            retention = new RetentionPolicy(r.integer("daily", 7, 0, 3650), r.integer("weekly", 4, 0, 520),
                    r.integer("monthly", 3, 0, 1200), duration(r, "keep_within", RetentionPolicy.DEFAULT_KEEP_WITHIN),
                    last, preRestoreWithin, r.integer("yearly", 0, 0, 1000));
        }
        String owner = e.string("filestore_owner", null);
        if (owner != null && !owner.matches(FILESTORE_OWNER)) {
            throw e.error(e.child("filestore_owner").path(), "user or user:group (names or numeric ids)", owner);
        }
        java.util.Set<String> volatileTables = new java.util.TreeSet<>(app.volatileTables());
        for (String t : e.strings("volatile_tables")) {
            if (!t.matches("[A-Za-z_][A-Za-z0-9_$]{0,62}")) {
                throw e.error(e.child("volatile_tables").path(), "table names (letters, digits, _ and $)", t);
            }
            volatileTables.add(t);
        }
        return new EnvironmentConfig(project, name, type, database, filestore, appConf, addons, control, retention, owner,
                schedules(e, project, users), volatileTables, app,
                "custom".equals(app == AppProfile.ODOO ? e.oneOf("filestore_layout", "odoo", "odoo", "custom") : "custom"));
    }

    /** {@code app: odoo|dolibarr}, default odoo. */
    private static AppProfile app(ConfigNode e) {
        return AppProfile.of(e.oneOf("app", "odoo", "odoo", "dolibarr"));
    }

    /** {@code schedules: [{name, cron, time_zone, type, user, keep_daily, keep_weekly, keep_monthly}]}. */
    private static List<Schedule> schedules(ConfigNode e, String project, Map<String, List<OpsConfig.Permission>> users) {
        if (!e.has("schedules")) return List.of();
        List<Schedule> out = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (ConfigNode s : e.list("schedules", false)) {
            s.only("name", "cron", "time_zone", "type", "user", "keep_daily", "keep_weekly", "keep_monthly", "operation", "request");
            String operation = s.string("operation", Schedule.BACKUP);
            if (!operation.matches("[a-z][a-z_]{0,40}")) throw s.error(s.child("operation").path(), "an operation name (backup, snapshot, ...)", operation);
            boolean backup = operation.equals(Schedule.BACKUP);
            for (String key : backup ? List.of("request") : List.of("type", "keep_daily", "keep_weekly", "keep_monthly")) {
                if (s.has(key)) {
                    throw s.error(s.child(key).path(), backup ? "no request in a backup schedule (its fields are type and keep_*)"
                            : "no " + key + " in a " + operation + " schedule (its fields go in request)", key);
                }
            }
            String name = s.name("name");
            if (!names.add(name)) throw s.error(s.child("name").path(), "a name no other schedule of this environment has", name);
            String cron = s.string("cron");
            if (!org.quartz.CronExpression.isValidExpression(cron)) {
                throw s.error(s.child("cron").path(), "a Quartz cron expression with seconds first (e.g. '0 0 3 * * ?')", cron);
            }
            String zone = s.string("time_zone");
            java.time.ZoneId timeZone;
            try {
                timeZone = java.time.ZoneId.of(zone);
            } catch (java.time.DateTimeException x) {
                throw s.error(s.child("time_zone").path(), "a time zone id (e.g. Europe/Brussels or UTC)", zone);
            }
            String type = s.oneOf("type", "full", "full", "db_only", "filestore_only");
            Integer daily = s.has("keep_daily") ? s.integer("keep_daily", 0, 0, 3650) : null;
            Integer weekly = s.has("keep_weekly") ? s.integer("keep_weekly", 0, 0, 520) : null;
            Integer monthly = s.has("keep_monthly") ? s.integer("keep_monthly", 0, 0, 1200) : null;
            String user = s.string("user", OpsConfig.SCHEDULER);
            // a schedule holds only what it needs: its user must have the permission of its operation (backup)
            OpsConfig rules = new OpsConfig(null, null, users, List.of());
            if (!users.containsKey(user) && !backup) {
                throw new ConfigException(e.file() + ": " + s.child("user").path() + ": no user '" + user + "' in users");
            }
            // the user of any other operation is checked at service start, where the operation's action is known
            if (backup && (!users.containsKey(user) || !rules.allows(user, project, "backup"))) {
                throw new ConfigException(e.file() + ": " + s.child("user").path() + ": "
                        + (users.containsKey(user) ? dev.odooops.domain.PermissionDenied.text(user, "backup", project)
                        : "no user '" + user + "' in users"));
            }
            out.add(new Schedule(name, cron, timeZone, type, user, daily, weekly, monthly, operation, s.plainMap("request")));
        }
        return List.copyOf(out);
    }

    /**
     * The filestore: an absolute, normalised path, not a system directory, and for Odoo by default in Odoo's
     * layout ({@code <data_dir>/filestore/<database.name>}); {@code filestore_layout: custom} lifts only the layout
     * rule. A Dolibarr documents directory has no layout rule (its default layout is {@code custom}).
     */
    private static Path filestore(ConfigNode e, String database, AppProfile app) {
        String raw = e.string("filestore");
        String where = e.child("filestore").path();
        String bad = PathRules.filestore(raw);
        if (bad != null) throw e.error(where, bad, raw);
        String layout = app == AppProfile.ODOO ? e.oneOf("filestore_layout", "odoo", "odoo", "custom")
                : e.oneOf("filestore_layout", "custom", "custom");
        if (layout.equals("odoo")) {
            bad = PathRules.odooLayout(raw, database);
            if (bad != null) throw e.error(where, bad, raw);
        }
        return Path.of(raw).normalize();
    }

    /** A duration written {@code <whole number><m|h|d>} (minutes, hours, days), 0 to 3650 days: {@code 24h}, {@code 7d}. */
    static java.time.Duration duration(ConfigNode n, String key, java.time.Duration fallback) {
        if (!n.has(key)) return fallback;
        String expected = "a duration like 90m, 24h or 7d (0 to 3650d)";
        String value = n.string(key).trim();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,7})([mhd])").matcher(value);
        if (!m.matches()) throw n.error(n.child(key).path(), expected, value);
        long amount = Long.parseLong(m.group(1));
        java.time.Duration d = switch (m.group(2)) {
            case "m" -> java.time.Duration.ofMinutes(amount);
            case "h" -> java.time.Duration.ofHours(amount);
            default -> java.time.Duration.ofDays(amount);
        };
        if (d.compareTo(java.time.Duration.ofDays(3650)) > 0) throw n.error(n.child(key).path(), expected, value);
        return d;
    }

    /** An Odoo's control block; a Dolibarr's has no version_command (its version is read from its code). */
    private static OdooControl control(ConfigNode o, Path base, AppProfile app) {
        if (app == AppProfile.ODOO) {
            o.only("quiesce", "resume", "stop", "start", "health_url", "timeout_seconds", "log_file", "validate_command",
                    "version_command");
        } else {
            o.only("quiesce", "resume", "stop", "start", "health_url", "timeout_seconds", "log_file", "validate_command");
        }
        List<String> version = app == AppProfile.ODOO ? o.strings("version_command") : List.of();
        if (o.has("version_command") && version.isEmpty()) {
            throw o.error(o.child("version_command").path(), "a non-empty argument list (e.g. [/opt/odoo/odoo-bin, --version])", "[]");
        }
        return new OdooControl(action(o, "quiesce"), action(o, "resume"), action(o, "stop"), action(o, "start"),
                o.has("health_url") ? uri(o, "health_url") : null, o.integer("timeout_seconds", 120, 1, 3600),
                o.has("log_file") ? base.resolve(o.string("log_file")).normalize() : null, o.strings("validate_command"),
                version);
    }

    private static OdooControl.Action action(ConfigNode o, String key) {
        if (!o.has(key)) return null;
        ConfigNode a = o.object(key).only("command", "http", "timeout_seconds");
        int timeout = a.has("timeout_seconds") ? a.integer("timeout_seconds", 0, 1, 3600) : 0; // 0: the default of its kind
        if (a.has("command")) {
            List<String> argv = a.strings("command");
            if (argv.isEmpty()) throw a.error(a.child("command").path(), "a non-empty argument list", "[]");
            return new OdooControl.Action(List.copyOf(argv), null, null, timeout);
        }
        if (a.has("http")) {
            ConfigNode h = a.object("http").only("url", "method");
            return new OdooControl.Action(null, uri(h, "url"), h.oneOf("method", "POST", "GET", "POST", "PUT"), timeout);
        }
        throw a.error(a.path(), "either command: [argv...] or http: {url, method}", null);
    }

    private static URI uri(ConfigNode n, String key) {
        String value = n.string(key);
        try {
            URI u = new URI(value);
            if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
                throw n.error(n.child(key).path(), "an http(s) URL", value);
            }
            return u;
        } catch (java.net.URISyntaxException ex) {
            throw n.error(n.child(key).path(), "an http(s) URL", value);
        }
    }
}
