package dev.odooops.support;

import dev.odooops.OpsRuntime;
import dev.odooops.demo.DemoEnvironment;
import dev.odooops.demo.EmbeddedS3;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real test environment: an Odoo-shaped database on the machine's PostgreSQL (owned by a role whose
 * password is {@link #PASSWORD}), an Odoo-layout filestore, an odoo.conf holding that password, an S3
 * endpoint (s3proxy) on loopback, and a config directory pointing odoo-ops at all of it. The ops catalog
 * lives in the shared test database {@value #OPS_DB}; each environment has its own project name.
 */
public final class TestEnvironment implements AutoCloseable {
    public static final String PASSWORD = "Kn0wn-Test-Passw0rd";
    /** The secret {@code staging_admin}: a neutralised copy's admin password in the neutralisation tests. */
    public static final String STAGING_ADMIN_PASSWORD = "Stag1ng-Admin-Pw";
    /**
     * Appended to every database name the tests create (catalog and environments), from the environment
     * variable ODOO_OPS_TEST_SUFFIX: lets two checkouts run their suites side by side on one PostgreSQL. Under Maven
     * the suite runs in parallel forks (pom.xml, surefire forkCount): each fork adds {@code f<fork number>} (system
     * property {@value #FORK_PROPERTY}), so that the forks of one checkout have their own catalog and databases too.
     */
    public static final String FORK_PROPERTY = "odooops.test.fork";
    public static final String SUFFIX = suffix();
    public static final String OPS_DB = "odoo_ops_test" + SUFFIX;
    public static final Path HOME = Path.of("").toAbsolutePath();
    public static final String S3_KEY = "test-access";
    public static final String S3_SECRET = "test-s3-secret-value";
    /** The bearer tokens of the HTTP API (service mode) for the users operator and auditor. */
    public static final String OPERATOR_TOKEN = "test-operator-token-5f1c0e9a2b7d";
    public static final String AUDITOR_TOKEN = "test-auditor-token-93d2a6c1f0e4";

    public final String name;
    public final String project;
    public final String database;
    public final Path root;
    public final Path configDir;
    public final Path evidenceRoot;
    public final Path workDir;
    public final Path s3Dir;
    /** Faults to inject into the S3 endpoint (see {@link StoreFaults}). */
    public final StoreFaults storeFaults = new StoreFaults();
    /** The application's files and configuration: Odoo's filestore and odoo.conf, or Dolibarr's documents and conf.php. */
    public final DemoEnvironment.Created odoo;
    public final dev.odooops.domain.AppProfile app;
    private EmbeddedS3 s3;
    private String quiesceCommand;
    private String endpointOverride;
    private boolean localStore;
    private String storeYaml;
    private OdooStandIn odooServer;
    private String environmentType = "production";
    private String odooYaml;
    private final Map<String, String> properties = new java.util.LinkedHashMap<>();
    private final Map<String, String> spawnEnvironment = new java.util.LinkedHashMap<>();
    private String s3SecretEnv;
    private String schedulesYaml;
    /** Keys of the project besides its environments (pr_environments, ...), as YAML at the project's level. */
    private String projectYaml;
    private String prodYaml = "";
    /** Top-level keys of the environments file besides store, users and projects (encryption), as YAML. */
    private String topYaml = "";
    /** Entries of secrets.properties besides the harness's own. */
    private final Map<String, String> extraSecrets = new java.util.LinkedHashMap<>();
    private String operatorActions = "backup, restore";
    private String moreEnvironments = "";
    /** What the Odoo of a test without a stand-in runs: its version_command prints {@code Odoo Server <this>}. */
    private String serverVersion = "17.0";
    /** Every process spawn() started: any still alive when the test ends (it failed early) is killed in close(). */
    private final List<Process> spawned = new ArrayList<>();

    private TestEnvironment(String name) throws Exception {
        this(name, dev.odooops.domain.AppProfile.ODOO);
    }

    private TestEnvironment(String name, dev.odooops.domain.AppProfile app) throws Exception {
        this.name = name;
        this.app = app;
        // unique per environment: the ops catalog is shared by every test and keeps its history
        this.project = "p-" + name.replace('_', '-') + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
        this.database = "t_" + name + SUFFIX;
        this.root = Files.createTempDirectory("odoo-ops-" + name + "-");
        this.configDir = root.resolve("config");
        this.evidenceRoot = root.resolve("evidence");
        this.workDir = root.resolve("work");
        this.s3Dir = root.resolve("s3");
        DemoEnvironment.Spec spec = new DemoEnvironment.Spec("127.0.0.1", 5432, "postgres", database,
                database + "_owner", PASSWORD, root.resolve(app.key()), 300, 60, name.hashCode());
        this.odoo = app == dev.odooops.domain.AppProfile.ODOO ? DemoEnvironment.create(spec) : DolibarrShape.create(spec, 30);
        this.s3 = EmbeddedS3.start(s3Dir, "backups", S3_KEY, S3_SECRET, storeFaults::wrap);
        writeConfig();
        migrateSharedCatalog(configDir);
    }

    private static boolean catalogMigrated;

    /**
     * The shared catalog {@value #OPS_DB} may be at an older version from earlier runs on this machine: no command
     * migrates an existing catalog, so the harness does, as an operator would (odoo-ops migrate), once per JVM.
     */
    private static synchronized void migrateSharedCatalog(Path configDir) {
        if (catalogMigrated) return;
        try (dev.odooops.ops.OpsDatabase db = new dev.odooops.ops.OpsDatabase(
                dev.odooops.config.Settings.load(HOME, configDir, System::getenv))) {
            db.migrate();
        }
        catalogMigrated = true;
    }

    private static String suffix() {
        String s = System.getenv("ODOO_OPS_TEST_SUFFIX");
        if (s == null || s.isBlank()) s = "";
        else if (!s.matches("[a-z0-9]{1,8}")) throw new IllegalStateException("ODOO_OPS_TEST_SUFFIX: 1-8 of [a-z0-9], got '" + s + "'");
        String fork = System.getProperty(FORK_PROPERTY, "");
        if (!fork.isEmpty()) {
            // f<fork number>: surefire replaces ${surefire.forkNumber} inside a value, not a value that is only that
            if (!fork.matches("f[0-9]{1,2}")) throw new IllegalStateException(FORK_PROPERTY + ": f<fork number>, got '" + fork + "'");
            s += fork;
        }
        return s.isEmpty() ? "" : "_" + s;
    }

    public static TestEnvironment create(String name) throws Exception {
        return new TestEnvironment(name);
    }

    /** A Dolibarr environment ({@code app: dolibarr}, see {@link DolibarrShape}) instead of an Odoo one. */
    public static TestEnvironment createDolibarr(String name) throws Exception {
        return new TestEnvironment(name, dev.odooops.domain.AppProfile.DOLIBARR);
    }

    /** Runs this command (argv, no shell) as the environment's quiesce action. */
    public TestEnvironment quiesceWith(String... argv) throws IOException {
        this.quiesceCommand = "[" + String.join(", ", List.of(argv).stream().map(a -> "\"" + a + "\"").toList()) + "]";
        writeConfig();
        return this;
    }

    /** Points the store at an endpoint where no S3 server listens. */
    public TestEnvironment withDeadS3() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            this.endpointOverride = "http://127.0.0.1:" + s.getLocalPort();
        }
        writeConfig();
        return this;
    }

    /** Points the environment's Odoo control (maintenance, stop, start, health, log) at a stand-in. */
    public TestEnvironment withOdoo(OdooStandIn odoo) throws IOException {
        this.odooServer = odoo;
        odoo.database("jdbc:postgresql://127.0.0.1:5432/", database, database + "_owner", PASSWORD);
        writeConfig();
        return this;
    }

    /**
     * The version an Odoo environment's {@code version_command} ({@code echo "Odoo Server <version>"}) reports, or null
     * for none. It is configured unless the control block asks a server (the stand-in's health URL: the version is
     * then the stand-in's {@link OdooStandIn#version}) or names its own version_command.
     */
    public TestEnvironment withServerVersion(String version) throws IOException {
        this.serverVersion = version;
        writeConfig();
        return this;
    }

    /** A raw {@code odoo:} block for the environment (indented under it), or null for none. */
    public TestEnvironment withOdooYaml(String block) throws IOException {
        this.odooYaml = block;
        writeConfig();
        return this;
    }

    /** Raw keys added to the prod environment (e.g. a {@code neutralization:} block), indented as its own keys. */
    public TestEnvironment withProdYaml(String keys) throws IOException {
        this.prodYaml = keys;
        writeConfig();
        return this;
    }

    /** The actions of the user {@code operator} on every project (default {@code backup, restore}). */
    public TestEnvironment withOperatorActions(String actions) throws IOException {
        this.operatorActions = actions;
        writeConfig();
        return this;
    }

    /** More environments of the project: list items ({@code - name: staging ...}) at the indentation of prod's. */
    public TestEnvironment withMoreEnvironments(String items) throws IOException {
        this.moreEnvironments = items;
        writeConfig();
        return this;
    }

    public TestEnvironment withType(String type) throws IOException {
        this.environmentType = type;
        writeConfig();
        return this;
    }

    /** {@code block}: top-level YAML keys of the environments file besides store, users and projects (e.g. {@code encryption:}). */
    public TestEnvironment withTopYaml(String block) throws IOException {
        this.topYaml = block == null ? "" : block;
        writeConfig();
        return this;
    }

    /** Drills on the environment's own server, their work directory under the root, keeping the warm standby. */
    public TestEnvironment withStandbyDrills() throws IOException {
        return withTopYaml("drills:\n  work_dir: " + root.resolve("drills") + "\n  standby: true\n");
    }

    /** An entry of secrets.properties (a {@code ${secret:NAME}} reference's value; new lines written as \n). */
    public TestEnvironment withSecret(String name, String value) throws IOException {
        if (value == null) extraSecrets.remove(name);
        else extraSecrets.put(name, value);
        writeConfig();
        return this;
    }

    /** {@code block}: YAML keys of the project besides environments (e.g. {@code pr_environments: ...}). */
    public TestEnvironment withProjectYaml(String block) throws IOException {
        this.projectYaml = block;
        writeConfig();
        return this;
    }

    /** A raw {@code schedules:} list for the environment (the list items, indented under it). */

    public TestEnvironment withSchedules(String items) throws IOException {
        this.schedulesYaml = items;
        writeConfig();
        return this;
    }

    /** An extra line of application.properties. */
    public TestEnvironment withProperty(String key, String value) throws IOException {
        properties.put(key, value);
        writeConfig();
        return this;
    }

    /**
     * The store's secret access key as {@code ${env:NAME}}: only a JVM started by {@link #spawn} (whose
     * environment then holds {@link #S3_SECRET} under that name) can run this environment.
     */
    public TestEnvironment withS3SecretFromEnv(String name) throws IOException {
        this.s3SecretEnv = name;
        spawnEnvironment.put(name, S3_SECRET);
        writeConfig();
        return this;
    }

    /** A variable of the environment of the JVMs {@link #spawn} starts. */
    public TestEnvironment withSpawnEnv(String name, String value) {
        spawnEnvironment.put(name, value);
        return this;
    }

    public TestEnvironment withLocalStore() throws IOException {
        this.localStore = true;
        writeConfig();
        return this;
    }

    /** Points the store back at this environment's live S3 endpoint (after a local store or a dead endpoint). */
    public TestEnvironment withS3Store() throws IOException {
        this.localStore = false;
        this.endpointOverride = null;
        writeConfig();
        return this;
    }

    /** Stops the S3 endpoint: every store call fails (connection refused) until {@link #restartS3}. */
    public void stopS3() throws Exception {
        s3.close();
    }

    /** Starts the S3 endpoint again over the same data (on a new port) and points the configuration at it. */
    public TestEnvironment restartS3() throws Exception {
        s3 = EmbeddedS3.start(s3Dir, "backups", S3_KEY, S3_SECRET, storeFaults::wrap);
        writeConfig();
        return this;
    }

    /**
     * The {@code store:} block as given (its lines indented by two), instead of this environment's S3 or local store:
     * a test that moves from one store to another ({@link #s3StoreYaml}, {@link #localStoreDir}); null goes back.
     */
    public TestEnvironment withStoreYaml(String block) throws IOException {
        this.storeYaml = block;
        writeConfig();
        return this;
    }

    /** This environment's S3 store as a store block's keys ({@code type: s3} and {@code s3:}), unindented. */
    public String s3StoreYaml() {
        return """
                type: s3
                s3:
                  bucket: backups
                  prefix: ops
                  region: us-east-1
                  endpoint: %s
                  access_key_id: ${secret:s3_key}
                  secret_access_key: ${%s}
                """.formatted(endpointOverride != null ? endpointOverride : s3.endpoint().toString(),
                s3SecretEnv != null ? "env:" + s3SecretEnv : "secret:s3_secret");
    }

    public Path localStoreDir() {
        return root.resolve("store");
    }

    public void writeConfig() throws IOException {
        Files.createDirectories(configDir);
        Files.writeString(configDir.resolve("application.properties"), String.join("\n",
                "ops.db.url=jdbc:postgresql://127.0.0.1:5432/" + OPS_DB,
                "ops.db.user=postgres",
                "ops.evidence-root=" + evidenceRoot,
                "ops.work-dir=" + workDir,
                "ops.heartbeat-seconds=1",
                "ops.stale-after-seconds=60",
                "store.upload-part-size-mb=5",
                "camel.main.name=odoo-ops",
                "jms.enabled=false", // a test that uses JMS turns it on (withProperty), on a port of its own
                // most tests back an unchanged environment up several times and need each copy; the skip tests
                // turn it on
                "backup.skip-unchanged=false",
                // and most restores expect a safety backup of their own; SafetyBackupReuseTest turns reuse on
                "restore.safety-backup-reuse=false",
                "jms.embedded-data-dir=" + root.resolve("artemis"),
                "") + properties.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue() + "\n").collect(java.util.stream.Collectors.joining()));
        String store = storeYaml != null ? storeYaml : localStore
                ? "  type: local\n  local:\n    path: " + localStoreDir() + "\n"
                : s3StoreYaml().indent(2);
        String control = "        " + app.controlKey() + ":\n";
        String quiesce = quiesceCommand == null ? "" : control + "          quiesce: {command: " + quiesceCommand + "}\n";
        if (odooServer != null) {
            String u = odooServer.url();
            quiesce = control
                    + "          quiesce: {http: {url: \"" + u + "/maintenance/on\"}}\n"
                    + "          resume: {http: {url: \"" + u + "/maintenance/off\"}}\n"
                    + "          stop: {http: {url: \"" + u + "/stop\"}}\n"
                    + "          start: {http: {url: \"" + u + "/start\"}}\n"
                    + "          health_url: \"" + u + "/web/health\"\n"
                    + "          timeout_seconds: 3\n"
                    + "          log_file: " + odooServer.log() + "\n";
        }
        if (odooYaml != null) quiesce = control + odooYaml.indent(10);
        boolean asksServer = odooYaml == null ? odooServer != null : odooYaml.contains("version_command") || odooYaml.contains("health_url");
        if (app == dev.odooops.domain.AppProfile.ODOO && serverVersion != null && !asksServer) {
            quiesce = (quiesce.isEmpty() ? control : quiesce) + "          version_command: [echo, \"Odoo Server " + serverVersion + "\"]\n";
        }
        if (schedulesYaml != null) quiesce += "        schedules:\n" + schedulesYaml.indent(10);
        if (!prodYaml.isEmpty()) quiesce += prodYaml.indent(8);
        if (!moreEnvironments.isEmpty()) quiesce += moreEnvironments.indent(6);
        Files.writeString(configDir.resolve("environments.yaml"), "store:\n" + store.stripTrailing() + "\n"
                + (topYaml.isEmpty() ? "" : topYaml.stripTrailing() + "\n") + """
                users:
                  - name: operator
                    api_token: "${secret:operator_token}"
                    permissions:
                      - {project: "*", actions: [%s]}
                  - name: auditor
                    api_token: "${secret:auditor_token}"
                    permissions: []
                projects:
                  - name: %s
                    environments:
                      - name: prod
                        type: %s
                        database: {host: 127.0.0.1, port: 5432, name: %s, user: %s, password: "${secret:db_password}"}
                        app: %s
                        filestore: %s
                        %s: %s
                        addons_paths: [%s]
                %s""".formatted(operatorActions, project, environmentType, database, database + "_owner", app.key(), odoo.filestore(),
                app.confKey(), odoo.appConf(), odoo.addons(), quiesce)
                + (projectYaml == null ? "" : projectYaml.stripTrailing().indent(4)));
        Files.writeString(configDir.resolve("secrets.properties"),
                "db_password=" + PASSWORD + "\ns3_key=" + S3_KEY + "\ns3_secret=" + S3_SECRET + "\noperator_token="
                        + OPERATOR_TOKEN + "\nauditor_token=" + AUDITOR_TOKEN + "\nstaging_admin=" + STAGING_ADMIN_PASSWORD + "\n"
                        + extraSecrets.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().replace("\n", "\\n") + "\n")
                        .collect(java.util.stream.Collectors.joining()));
    }

    public OpsRuntime runtime() throws Exception {
        return OpsRuntime.start(HOME, configDir, System::getenv, Clock.systemUTC());
    }

    /** What a command line run in this JVM ({@link #cli}) printed and returned. */
    public record CliResult(int exit, String stdout, String stderr) {
    }

    /** odoo-ops's command line in this JVM, as an operator types it, against this environment's configuration. */
    public CliResult cli(String... args) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--config", configDir.toString()));
        int code = dev.odooops.App.run(all, new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8), System::getenv);
        return new CliResult(code, out.toString(java.nio.charset.StandardCharsets.UTF_8),
                err.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A fresh free loopback port for the HTTP API (and /observe) of the next serve. */
    public TestEnvironment withServicePorts() throws IOException {
        try (ServerSocket a = new ServerSocket(0)) {
            properties.put("http.port", String.valueOf(a.getLocalPort()));
        }
        writeConfig();
        return this;
    }

    /** Service mode (odoo-ops serve in this JVM) on free loopback ports (see {@link #withServicePorts}). */
    public OpsRuntime serviceRuntime() throws Exception {
        if (!properties.containsKey("http.port")) withServicePorts();
        return OpsRuntime.startService(HOME, configDir, System::getenv, Clock.systemUTC());
    }

    /** The base URL of this environment's service-mode server, where /observe/... is served. */
    public String managementUrl() {
        return "http://127.0.0.1:" + properties.get("http.port");
    }

    /** The base URL of this environment's service-mode HTTP API. */
    public String apiUrl() {
        return "http://127.0.0.1:" + properties.get("http.port") + "/api/v1";
    }

    /** odoo-ops as a separate JVM, as an operator runs it; stderr and stdout go to the given files. */
    public Process spawn(Path stdout, Path stderr, String... args) throws IOException {
        return spawn(List.of(), stdout, stderr, args);
    }

    /**
     * As {@link #spawn}, in a session and process group of its own ({@code setsid}, which execs the JVM: the
     * process's pid is the group's id), as systemd or a terminal starts it: a test may signal the whole group
     * ({@code kill -TERM -PID}) without hitting its own JVM.
     */
    public Process spawnInOwnGroup(Path stdout, Path stderr, String... args) throws IOException {
        return spawn(List.of("/usr/bin/setsid"), stdout, stderr, args);
    }

    private Process spawn(List<String> prefix, Path stdout, Path stderr, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // a spawned odoo-ops lives seconds on small data: the C1 compiler alone halves the CPU its start takes
                // (Camel's routes, the catalog's migrations check) on a loaded 2-core machine; behaviour is the same
                "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "-Dodoo.ops.home=" + HOME, "dev.odooops.App"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--config", configDir.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        pb.environment().putAll(spawnEnvironment);
        Process p = pb.start();
        spawned.add(p);
        return p;
    }

    /**
     * Adds a table of about {@code mb} MiB of incompressible-looking rows to the environment's database (owned by
     * its role), so that pg_dump and pg_restore run for seconds.
     */
    public TestEnvironment withBulk(int mb) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + database, "postgres", "")) {
            c.createStatement().execute("create table bulk_rows as select g as id, md5(g::text) || md5((g * 7)::text) "
                    + "|| md5((g * 13)::text) || md5((g * 31)::text) as payload from generate_series(1, " + (mb * 5000) + ") g");
            c.createStatement().execute("alter table bulk_rows owner to " + database + "_owner");
        }
        return this;
    }

    public String environmentId() {
        return project + "/prod";
    }

    /** Rows of a query against the ops catalog, as maps. */
    public static List<Map<String, Object>> ops(String sql, Object... args) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + OPS_DB, "postgres", "");
             PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> row = new java.util.LinkedHashMap<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                    rows.add(row);
                }
            }
            return rows;
        }
    }

    /** Runs a command (argv) and returns its stdout; fails the test on a non-zero exit. */
    public static String sh(Path dir, String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).directory(dir == null ? null : dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new AssertionError(String.join(" ", argv) + " failed: " + out);
        return out;
    }

    @Override
    public void close() throws Exception {
        for (Process p : spawned) {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
        if (s3 != null) s3.close();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
            c.createStatement().execute("drop database if exists " + database + " with (force)");
            // side copies a failed test may have left (<db>__restore_*, __pre_*, __failed_*)
            var ps = c.prepareStatement("select datname from pg_database where datname like ?");
            ps.setString(1, database + "\\_\\_%");
            var rs = ps.executeQuery();
            List<String> side = new ArrayList<>();
            while (rs.next()) side.add(rs.getString(1));
            for (String db : side) c.createStatement().execute("drop database if exists \"" + db + "\" with (force)");
        }
        DemoEnvironment.deleteTree(root);
    }
}
