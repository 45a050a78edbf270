package dev.odooops.ops;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.odooops.config.ConfigException;
import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.OpsConfig;
import dev.odooops.config.Settings;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ops database: creates it when allowed, creates the {@code ops} schema of a new catalog with Flyway (an existing
 * catalog is migrated only by {@link #migrate}, and a newer one refused: {@link CatalogSchema}) and synchronises
 * projects, environments, users and permissions from the environments file (the file is the source of truth;
 * nothing is deleted, so history keeps its references).
 */
public final class OpsDatabase implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OpsDatabase.class);
    private static final Pattern URL = Pattern.compile("jdbc:postgresql://([^/]+)/([A-Za-z_][A-Za-z0-9_]*)(\\?.*)?");

    private final HikariDataSource dataSource;
    private final Settings.OpsDb settings;

    /** The ops database of {@code settings} (its ops.db.* keys; errors name that file). */
    public OpsDatabase(Settings all) {
        this(all.opsDb(), all.configDir().resolve("application.properties"));
    }

    public OpsDatabase(Settings.OpsDb settings, java.nio.file.Path propertiesFile) {
        this.settings = settings;
        if (settings.createIfMissing()) createIfMissing(settings);
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(settings.url());
        hc.setUsername(settings.user());
        if (settings.password() != null) hc.setPassword(settings.password().reveal());
        hc.setMaximumPoolSize(6);
        hc.setMinimumIdle(0);
        hc.setPoolName("ops");
        hc.setInitializationFailTimeout(-1);
        this.dataSource = new HikariDataSource(hc);
        try (Connection c = dataSource.getConnection()) {
            c.isValid(5);
        } catch (SQLException e) {
            dataSource.close();
            throw new ConfigException(propertiesFile + ": ops.db.url: cannot connect to "
                    + settings.url() + " as " + settings.user() + ": " + e.getMessage());
        }
    }

    public HikariDataSource dataSource() {
        return dataSource;
    }

    /** A dedicated physical connection (not pooled): a run's advisory lock dies with it. */
    public Connection dedicatedConnection() throws SQLException {
        return dedicatedConnection("odoo-ops run lease");
    }

    /** A dedicated physical connection, named in pg_stat_activity by {@code applicationName}. */
    public Connection dedicatedConnection(String applicationName) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", settings.user());
        if (settings.password() != null) p.setProperty("password", settings.password().reveal());
        p.setProperty("ApplicationName", applicationName);
        return DriverManager.getConnection(settings.url(), p);
    }

    /**
     * Every command's first look at the catalog: a new, empty catalog is created at this version; one at exactly
     * this version is used as it is; any other is refused ({@link CatalogSchema}) with nothing changed.
     */
    public CatalogSchema open() {
        java.util.Optional<CatalogSchema> current = currentAtOnce();
        if (current.isPresent()) return current.get();
        CatalogSchema schema = schema();
        schema.refusalForCommand().ifPresent(m -> {
            throw new CatalogVersionRefused(m);
        });
        if (schema.verdict() != CatalogSchema.Verdict.CREATE) return schema;
        LOG.info("creating the ops catalog's schema (version {})", schema.knownVersion());
        flyway().migrate();
        CatalogSchema created = schema(); // another odoo-ops may have created it first, at another version
        created.refusalForCommand().ifPresent(m -> {
            throw new CatalogVersionRefused(m);
        });
        return created;
    }

    /** What {@code odoo-ops migrate} did: the catalog's version before and after, the migrations applied. */
    public record Migration(String from, String to, List<String> applied) {
    }

    /** {@code odoo-ops migrate}: brings an older (or new) catalog to this version; refuses a newer one. */
    public Migration migrate() {
        CatalogSchema before = schema();
        before.refusalForMigrate().ifPresent(m -> {
            throw new CatalogVersionRefused(m);
        });
        MigrateResult result = flyway().migrate();
        List<String> applied = result.migrations.stream().map(m -> m.version + " " + m.description).toList();
        CatalogSchema after = schema();
        after.refusalForMigrate().ifPresent(m -> {
            throw new CatalogVersionRefused(m);
        });
        return new Migration(before.catalogVersion(), after.catalogVersion(), applied);
    }

    /** The catalog's schema against the migrations this odoo-ops carries (Flyway's info, nothing changed). */
    public CatalogSchema schema() {
        MigrationInfoService info = flyway().info();
        MigrationInfo current = info.current();
        String known = Arrays.stream(info.all()).filter(m -> m.isVersioned() && m.getState().isResolved())
                .map(MigrationInfo::getVersion).max(MigrationVersion::compareTo).map(MigrationVersion::getVersion).orElse(null);
        int unknown = (int) Arrays.stream(info.all()).filter(m -> m.getState() == MigrationState.FUTURE_SUCCESS
                || m.getState() == MigrationState.FUTURE_FAILED).count();
        // an older migration the catalog skipped (Flyway's "ignored") is pending too: migrate then fails naming it
        int pending = (int) Arrays.stream(info.all()).filter(m -> m.getState() == MigrationState.PENDING
                || m.getState() == MigrationState.IGNORED).count();
        return new CatalogSchema(current == null ? null : current.getVersion().getVersion(), known, pending, unknown);
    }

    /**
     * The common case without Flyway (whose class-path scan costs a command line a second): when the catalog's
     * history holds exactly the migrations this odoo-ops carries, all successful, the catalog is current. Anything
     * else (a new catalog, one behind or ahead, a failed migration, no list of our migrations) is left to
     * {@link #schema()}, so every verdict but "current" is still Flyway's.
     */
    java.util.Optional<CatalogSchema> currentAtOnce() {
        java.util.Optional<java.util.SortedSet<MigrationVersion>> carried = MigrationFiles.carried();
        if (carried.isEmpty()) return java.util.Optional.empty();
        java.util.SortedSet<MigrationVersion> applied = new java.util.TreeSet<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement exists = c.prepareStatement("SELECT to_regclass('ops.flyway_schema_history') IS NOT NULL")) {
            try (java.sql.ResultSet r = exists.executeQuery()) {
                if (!r.next() || !r.getBoolean(1)) return java.util.Optional.empty();
            }
            try (PreparedStatement history = c.prepareStatement(
                    "SELECT version, success FROM ops.flyway_schema_history WHERE version IS NOT NULL");
                 java.sql.ResultSet r = history.executeQuery()) {
                while (r.next()) {
                    if (!r.getBoolean(2)) return java.util.Optional.empty();
                    applied.add(MigrationVersion.fromVersion(r.getString(1)));
                }
            }
        } catch (SQLException e) {
            return java.util.Optional.empty(); // Flyway's look reports it
        }
        if (!applied.equals(carried.get())) return java.util.Optional.empty();
        String version = carried.get().last().getVersion();
        return java.util.Optional.of(new CatalogSchema(version, version, 0, 0));
    }

    private Flyway flyway() {
        return Flyway.configure().dataSource(dataSource).schemas("ops").createSchemas(true)
                .locations("classpath:db/migration").validateMigrationNaming(true)
                .callbacks(new MigrationCrashPoints()).load();
    }

    /**
     * The crash points of a migration ({@link dev.odooops.exec.CrashPoints}, tests only): {@code migrate:before:V<n>}
     * when migration n's transaction has begun and nothing of it ran (every earlier one committed), and
     * {@code migrate:after:V<n>} when its statements ran and its transaction is not committed yet (Flyway on
     * PostgreSQL applies each migration with its history row in one transaction of its own).
     */
    private static final class MigrationCrashPoints implements Callback {
        @Override
        public boolean supports(Event event, Context context) {
            return event == Event.BEFORE_EACH_MIGRATE || event == Event.AFTER_EACH_MIGRATE;
        }

        @Override
        public boolean canHandleInTransaction(Event event, Context context) {
            return true;
        }

        @Override
        public void handle(Event event, Context context) {
            if (!dev.odooops.exec.CrashPoints.armed() || context.getMigrationInfo() == null
                    || context.getMigrationInfo().getVersion() == null) {
                return;
            }
            String version = context.getMigrationInfo().getVersion().getVersion();
            dev.odooops.exec.CrashPoints.reached("migrate:" + (event == Event.BEFORE_EACH_MIGRATE ? "before" : "after") + ":V" + version);
        }

        @Override
        public String getCallbackName() {
            return "odoo-ops crash points";
        }
    }

    public void sync(OpsConfig config) {
        if (inSync(config)) return; // the common case: nothing to write, no transaction to commit
        new CatalogSql(dataSource).inTransaction("synchronising the environments file into the ops catalog", tx -> {
            for (EnvironmentConfig e : config.environments()) {
                tx.update("insert into ops.projects(name) values (?) on conflict do nothing", e.project());
                tx.update("insert into ops.environments(id, project, name, type) values (?, ?, ?, ?) "
                        + "on conflict (id) do update set type = excluded.type", e.id(), e.project(), e.name(), e.type());
            }
            for (var u : config.users().entrySet()) {
                tx.update("insert into ops.users(name) values (?) on conflict do nothing", u.getKey());
                tx.update("delete from ops.permissions where user_name = ?", u.getKey());
                for (OpsConfig.Permission p : u.getValue()) {
                    tx.update("insert into ops.permissions(user_name, project, action) values (?, ?, ?) on conflict do nothing",
                            u.getKey(), p.project(), p.action());
                }
            }
            return null;
        });
    }

    /**
     * Whether the catalog already holds what {@link #sync} would write (its projects, environments with their type,
     * users, and each user's permissions exactly): then a command, a view above all, writes nothing.
     */
    boolean inSync(OpsConfig config) {
        CatalogSql sql = new CatalogSql(dataSource);
        java.util.Set<String> projects = new java.util.HashSet<>(sql.query("select name from ops.projects", r -> r.getString(1)));
        java.util.Set<List<String>> environments = new java.util.HashSet<>(sql.query(
                "select id, project, name, type from ops.environments",
                r -> List.of(r.getString(1), r.getString(2), r.getString(3), r.getString(4))));
        for (EnvironmentConfig e : config.environments()) {
            if (!projects.contains(e.project()) || !environments.contains(List.of(e.id(), e.project(), e.name(), e.type()))) {
                return false;
            }
        }
        java.util.Set<String> users = new java.util.HashSet<>(sql.query("select name from ops.users", r -> r.getString(1)));
        if (!users.containsAll(config.users().keySet())) return false;
        java.util.Set<List<String>> permissions = new java.util.HashSet<>(sql.query(
                "select user_name, project, action from ops.permissions",
                r -> List.of(r.getString(1), r.getString(2), r.getString(3))));
        permissions.removeIf(p -> !config.users().containsKey(p.get(0))); // users no longer in the file keep theirs
        java.util.Set<List<String>> wanted = new java.util.HashSet<>();
        config.users().forEach((user, granted) -> granted.forEach(p -> wanted.add(List.of(user, p.project(), p.action()))));
        return permissions.equals(wanted);
    }

    /** CREATE DATABASE cannot take a bound parameter: the name is checked against a strict pattern first. */
    private static void createIfMissing(Settings.OpsDb s) {
        Matcher m = URL.matcher(s.url());
        if (!m.matches()) return;
        String db = m.group(2);
        Properties p = new Properties();
        p.setProperty("user", s.user());
        if (s.password() != null) p.setProperty("password", s.password().reveal());
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + m.group(1) + "/postgres", p)) {
            boolean exists;
            try (PreparedStatement ps = c.prepareStatement("select 1 from pg_database where datname = ?")) {
                ps.setString(1, db);
                exists = ps.executeQuery().next();
            }
            if (!exists) {
                LOG.info("creating ops database {}", db);
                try (var st = c.createStatement()) {
                    st.execute("create database \"" + db + "\"");
                } catch (SQLException race) {
                    if (!"42P04".equals(race.getSQLState())) throw race; // created concurrently: fine
                }
            }
        } catch (SQLException e) {
            LOG.warn("could not check/create ops database {}: {}", db, e.getMessage());
        }
    }


    @Override
    public void close() {
        dataSource.close();
    }
}
