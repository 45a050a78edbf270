package dev.odooops.flows;

import dev.odooops.domain.Json;
import dev.odooops.support.TestEnvironment;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
 * works, and an artifact written at this version restores.
 */
class CatalogVersionTest {
    private static final String CATALOG = "odoo_ops_test" + TestEnvironment.SUFFIX + "_ver";
    private static final String URL = "jdbc:postgresql://127.0.0.1:5432/" + CATALOG;
    private TestEnvironment env;
    private String known;
    private String previous;

    @BeforeEach
    void setUp() throws Exception {
        dropCatalog();
        admin("create database " + CATALOG);
        env = TestEnvironment.create("catver").withType("staging").withProperty("ops.db.url", URL);
        List<MigrationVersion> versions = Arrays.stream(flyway(null).info().all()).map(MigrationInfo::getVersion).sorted().toList();
        known = versions.get(versions.size() - 1).getVersion();
        previous = versions.get(versions.size() - 2).getVersion();
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
