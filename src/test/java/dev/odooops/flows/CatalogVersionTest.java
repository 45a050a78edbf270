package dev.odooops.flows;

import dev.odooops.domain.Json;
import dev.odooops.support.TestEnvironment;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two versions on one catalog (issue #13 A18), through the real command line against a catalog of its own: a
 * catalog migrated by a newer odoo-ops (faked: a row of the next version in flyway_schema_history) is refused by
 * every command and by serve, exit 2 naming both versions, with nothing changed; an older catalog (migrated with
 * Flyway's target to the version before this one) is refused naming {@code odoo-ops migrate} until it runs, then
 * works, and an artifact written at this version restores; a {@code migrate} killed (SIGKILL) between two migrations
 * or inside one leaves a catalog the other commands still refuse and the next {@code migrate} completes.
 */
class CatalogVersionTest {
    private static final String CATALOG = "odoo_ops_test" + TestEnvironment.SUFFIX + "_ver";
    private static final String URL = "jdbc:postgresql://127.0.0.1:5432/" + CATALOG;
    private TestEnvironment env;
    private String known;
    private String previous;
    private List<String> versions;

    @BeforeEach
    void setUp() throws Exception {
        dropCatalog();
        admin("create database " + CATALOG);
        env = TestEnvironment.create("catver").withType("staging").withProperty("ops.db.url", URL);
        versions = Arrays.stream(flyway(null).info().all()).map(MigrationInfo::getVersion).sorted()
                .map(MigrationVersion::getVersion).toList();
        known = versions.get(versions.size() - 1);
        previous = versions.get(versions.size() - 2);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (env != null) env.close();
        dropCatalog();
    }

    @Test
    void should_refuse_an_older_catalog_naming_migrate_until_it_runs_then_work() throws Exception {
        flyway(previous).migrate();
        Map<String, String> before = catalogDigest();
        for (String[] command : List.of(new String[] {"runs", "--env", env.environmentId()},
                new String[] {"backup", "--env", env.environmentId()}, new String[] {"schedules"})) {
            TestEnvironment.CliResult r = run(command);
            assertEquals(2, r.exit(), String.join(" ", command) + ": " + r.stderr());
            assertTrue(r.stderr().contains("odoo-ops: rejected: catalog: the ops catalog's schema is at version " + previous
                    + ", older than this odoo-ops's " + known) && r.stderr().contains("`odoo-ops migrate`"), r.stderr());
        }
        assertEquals(before, catalogDigest(), "a refused command changes nothing in the catalog");

        TestEnvironment.CliResult migrated = run("migrate");
        assertEquals(0, migrated.exit(), migrated.stderr());
        Map<String, Object> json = Json.readMap(migrated.stdout());
        assertEquals(previous, json.get("from"));
        assertEquals(known, json.get("to"));
        assertEquals(0, run("migrate").exit(), "migrating a current catalog is a no-op");

        assertEquals(0, run("runs", "--env", env.environmentId()).exit());
        TestEnvironment.CliResult backup = run("backup", "--env", env.environmentId());
        assertEquals(0, backup.exit(), backup.stderr());
        // the artifact format did not change with this version: what the previous release wrote restores
        String artifact = (String) Json.readMap(backup.stdout()).get("artifact_id");
        TestEnvironment.CliResult restore = run("restore", "--env", env.environmentId(), "--artifact", artifact, "--force");
        assertEquals(0, restore.exit(), restore.stdout() + restore.stderr());
        assertEquals("success", Json.readMap(restore.stdout()).get("status"));
    }

    /**
     * An older catalog (three migrations behind), {@code odoo-ops migrate} as an operator runs it, its own JVM killed
     * with SIGKILL at a crash point of the second pending migration: {@code before} (the first one committed, the
     * second's transaction just begun) or {@code after} (the second's statements ran, its transaction not committed).
     * Either way the catalog stands at the first pending version with no failed migration recorded, every other
     * command still refuses it (exit 2, naming migrate and both versions) changing nothing, and the next
     * {@code migrate} completes it; then a backup and its restore succeed.
     */
    @ParameterizedTest
    @ValueSource(strings = {"before", "after"})
    void should_let_the_next_migrate_complete_a_migrate_killed_between_or_inside_migrations(String where) throws Exception {
        String older = versions.get(versions.size() - 4);
        String reached = versions.get(versions.size() - 3);
        String killedIn = versions.get(versions.size() - 2);
        flyway(older).migrate();

        String point = "migrate:" + where + ":V" + killedIn;
        env.withSpawnEnv("ODOO_OPS_CRASH_AT", point);
        Path out = env.root.resolve("migrate-killed.out");
        Path err = env.root.resolve("migrate-killed.err");
        Process killed = env.spawn(out, err, "migrate");
        env.withSpawnEnv("ODOO_OPS_CRASH_AT", "");
        assertTrue(killed.waitFor(180, TimeUnit.SECONDS), "migrate did not end: " + Files.readString(err));
        assertEquals(137, killed.exitValue(), "migrate must die by SIGKILL at " + point + ": " + Files.readString(err));
        assertTrue(Files.readString(err).contains("crash point " + point + " reached"), Files.readString(err));
        assertEquals("", Files.readString(out), "a killed migrate printed a result");

        assertEquals(reached, flyway(null).info().current().getVersion().getVersion(),
                "the catalog after the kill: every migration before " + killedIn + " committed, " + killedIn + " not");
        try (Connection c = DriverManager.getConnection(URL, "postgres", "");
             ResultSet rs = c.createStatement().executeQuery(
                     "select count(*) filter (where not success), count(*) filter (where version = '" + killedIn + "') "
                             + "from ops.flyway_schema_history")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "a failed migration recorded: the next migrate would refuse to run");
            assertEquals(0, rs.getInt(2), killedIn + " is recorded although its transaction never committed");
        }

        Map<String, String> before = catalogDigest();
        for (String[] command : List.of(new String[] {"runs", "--env", env.environmentId()},
                new String[] {"backup", "--env", env.environmentId()}, new String[] {"schedules"},
                new String[] {"check", "--project", env.project})) {
            TestEnvironment.CliResult r = run(command);
            assertEquals(2, r.exit(), String.join(" ", command) + ": " + r.stdout() + r.stderr());
            assertTrue(r.stderr().contains("odoo-ops: rejected: catalog: the ops catalog's schema is at version " + reached
                    + ", older than this odoo-ops's " + known) && r.stderr().contains("`odoo-ops migrate`"),
                    String.join(" ", command) + ": " + r.stderr());
            assertEquals("", r.stdout(), String.join(" ", command));
        }
        assertEquals(before, catalogDigest(), "a command refused the half-migrated catalog yet changed it");

        TestEnvironment.CliResult migrated = run("migrate");
        assertEquals(0, migrated.exit(), migrated.stderr());
        Map<String, Object> json = Json.readMap(migrated.stdout());
        assertEquals(reached, json.get("from"), migrated.stdout());
        assertEquals(known, json.get("to"), migrated.stdout());
        assertEquals(versions.size() - versions.indexOf(reached) - 1, ((List<?>) json.get("applied")).size(), migrated.stdout());
        assertEquals(known, flyway(null).info().current().getVersion().getVersion());

        TestEnvironment.CliResult backup = run("backup", "--env", env.environmentId());
        assertEquals(0, backup.exit(), backup.stdout() + backup.stderr());
        assertEquals("success", Json.readMap(backup.stdout()).get("status"), backup.stdout());
        String artifact = (String) Json.readMap(backup.stdout()).get("artifact_id");
        TestEnvironment.CliResult restore = run("restore", "--env", env.environmentId(), "--artifact", artifact, "--force");
        assertEquals(0, restore.exit(), restore.stdout() + restore.stderr());
        assertEquals("success", Json.readMap(restore.stdout()).get("status"), restore.stdout());
    }

    @Test
    void should_refuse_a_catalog_newer_than_this_odoo_ops_on_every_command_and_serve_changing_nothing() throws Exception {
        assertEquals(0, run("migrate").exit());
        TestEnvironment.CliResult backup = run("backup", "--env", env.environmentId());
        assertEquals(0, backup.exit(), backup.stderr());
        String artifact = (String) Json.readMap(backup.stdout()).get("artifact_id");
        String runId = (String) Json.readMap(backup.stdout()).get("run_id");
        String next = String.valueOf(Integer.parseInt(known) + 1);
        try (Connection c = DriverManager.getConnection(URL, "postgres", "")) {
            c.createStatement().execute("insert into ops.flyway_schema_history(installed_rank, version, description, type, "
                    + "script, checksum, installed_by, execution_time, success) select max(installed_rank) + 1, '" + next
                    + "', 'from a newer odoo-ops', 'SQL', 'V" + next + "__from_a_newer_odoo_ops.sql', 0, 'test', 0, true "
                    + "from ops.flyway_schema_history");
        }
        Map<String, String> before = catalogDigest();
        List<Path> storeBefore = storeFiles();
        String id = env.environmentId();
        List<String[]> commands = List.of(
                new String[] {"backup", "--env", id, "--force"},
                new String[] {"restore", "--env", id, "--artifact", artifact, "--force"},
                new String[] {"preflight-restore", "--env", id, "--artifact", artifact},
                new String[] {"validate-env", "--env", id},
                new String[] {"recover", "--env", id},
                new String[] {"runs", "--env", id},
                new String[] {"run", runId},
                new String[] {"artifacts", "--env", id},
                new String[] {"verify-artifact", artifact},
                new String[] {"pin", artifact},
                new String[] {"unpin", artifact},
                new String[] {"check", "--project", env.project},
                new String[] {"retention", "plan", "--env", id},
                new String[] {"schedules"},
                new String[] {"migrate"});
        for (String[] command : commands) {
            TestEnvironment.CliResult r = run(command);
            assertEquals(2, r.exit(), String.join(" ", command) + ": " + r.stdout() + r.stderr());
            assertTrue(r.stderr().contains("odoo-ops: rejected: catalog: the ops catalog's schema is at version " + next
                    + ", newer than the newest this odoo-ops knows (" + known + ")"), String.join(" ", command) + ": " + r.stderr());
            assertEquals("", r.stdout());
        }
        // serve as an operator starts it: its own JVM
        env.withServicePorts();
        Path out = env.root.resolve("serve.out");
        Path err = env.root.resolve("serve.err");
        Process serve = env.spawn(out, err, "serve");
        boolean ended = serve.waitFor(120, TimeUnit.SECONDS);
        assertTrue(ended, "serve must refuse at start, not serve: " + Files.readString(err));
        assertEquals(2, serve.exitValue(), Files.readString(err));
        assertTrue(Files.readString(err).contains("schema is at version " + next + ", newer than the newest this odoo-ops knows ("
                + known + ")"), Files.readString(err));

        assertEquals(before, catalogDigest(), "a refused command changes nothing in the catalog");
        assertEquals(storeBefore, storeFiles(), "nor in the store");
    }

    @Test
    void should_create_a_new_catalog_at_this_version_on_any_command() throws Exception {
        TestEnvironment.CliResult runs = run("runs", "--env", env.environmentId());
        assertEquals(0, runs.exit(), runs.stderr());
        assertNotEquals(null, flyway(null).info().current());
        assertEquals(known, flyway(null).info().current().getVersion().getVersion());
    }

    private TestEnvironment.CliResult run(String... args) {
        return env.cli(args);
    }

    private static Flyway flyway(String target) {
        var c = Flyway.configure().dataSource(URL, "postgres", "").schemas("ops").createSchemas(true)
                .locations("classpath:db/migration");
        if (target != null) c = c.target(target);
        return c.load();
    }

    /** Every table of the catalog's ops schema with a digest of its rows. */
    private static Map<String, String> catalogDigest() throws Exception {
        Map<String, String> digest = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection(URL, "postgres", "")) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = c.createStatement().executeQuery(
                    "select table_name from information_schema.tables where table_schema = 'ops' order by 1")) {
                while (rs.next()) tables.add(rs.getString(1));
            }
            for (String t : tables) {
                try (ResultSet rs = c.createStatement().executeQuery(
                        "select count(*) || ':' || coalesce(md5(string_agg(r::text, ',' order by r::text)), '') from ops." + t + " r")) {
                    rs.next();
                    digest.put(t, rs.getString(1));
                }
            }
        }
        return digest;
    }

    private List<Path> storeFiles() throws Exception {
        try (Stream<Path> s = Files.walk(env.s3Dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static void dropCatalog() throws Exception {
        admin("drop database if exists " + CATALOG + " with (force)");
    }

    private static void admin(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
            c.createStatement().execute(sql);
        }
    }
}
