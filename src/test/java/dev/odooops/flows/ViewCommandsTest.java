package dev.odooops.flows;

import dev.odooops.App;
import dev.odooops.cli.Terminal;
import dev.odooops.domain.Json;
import dev.odooops.support.TestEnvironment;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The read-only views ({@code artifacts}, {@code runs}, {@code run}) through the real command line: a table on a
 * terminal, JSON with {@code --json} or when stdout is not a terminal (a real pty made by {@code script} from
 * util-linux, against a pipe); and a catalog behind this odoo-ops refused by each view without migrating it.
 */
class ViewCommandsTest {
    private static TestEnvironment env;
    private static String artifact;
    private static String runId;

    @BeforeAll
    static void backUpOnce() throws Exception {
        env = TestEnvironment.create("views");
        TestEnvironment.CliResult backup = env.cli("backup", "--env", env.environmentId(), "--label", "before upgrade");
        assertEquals(0, backup.exit(), backup.stderr());
        artifact = (String) Json.readMap(backup.stdout()).get("artifact_id");
        runId = (String) Json.readMap(backup.stdout()).get("run_id");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (env != null) env.close();
    }

    record Printed(int exit, String stdout, String stderr) {
    }

    /** The command line in this JVM with {@code terminal} as what its stdout and stderr are. */
    private static Printed cli(Terminal terminal, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--config", env.configDir.toString()));
        int exit = App.run(all, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                System::getenv, terminal);
        return new Printed(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void should_print_tables_on_a_terminal_and_json_otherwise_or_with_json() throws Exception {
        Terminal tty = new Terminal(true, true);
        Printed table = cli(tty, "artifacts", "--env", env.environmentId());
        assertEquals(0, table.exit(), table.stderr());
        List<String> lines = table.stdout().lines().toList();
        assertTrue(lines.get(0).matches("ARTIFACT +CREATED +TYPE +KIND +SIZE +PINNED +LABEL +PRUNED +DRILL +DRILLED"), table.stdout());
        assertTrue(lines.get(1).startsWith(artifact + "  ") && lines.get(1).contains("  full  backup  ")
                && lines.get(1).contains("  no      before upgrade  -"), table.stdout());

        Printed json = cli(tty, "artifacts", "--env", env.environmentId(), "--json");
        assertEquals(artifact, rows(json.stdout(), "artifacts").get(0).get("artifact_id"), json.stdout());
        Printed piped = cli(Terminal.NONE, "artifacts", "--env", env.environmentId());
        assertEquals(json.stdout(), piped.stdout(), "JSON is the default off a terminal, the same as --json");

        Printed runs = cli(tty, "runs", "--env", env.environmentId());
        assertTrue(runs.stdout().lines().findFirst().orElseThrow().startsWith("RUN "), runs.stdout());
        assertTrue(runs.stdout().lines().anyMatch(l -> l.startsWith(runId) && l.contains("  backup  ") && l.contains("  success  ")),
                runs.stdout());
        assertEquals(runId, rows(cli(tty, "runs", "--env", env.environmentId(), "--json").stdout(), "runs").get(0).get("run_id"));

        Printed run = cli(tty, "run", runId);
        assertEquals(0, run.exit(), run.stderr());
        assertTrue(run.stdout().contains("status:") && run.stdout().lines().anyMatch(l -> l.matches("status: +success")), run.stdout());
        assertTrue(run.stdout().contains("\n  - create-run\n"), run.stdout());
        assertEquals("success", Json.readMap(cli(tty, "run", runId, "--json").stdout()).get("status"));
    }

    /**
     * The switch made by the process itself: under a pty ({@code script -qc}) stdout is a terminal and the view is a
     * table; with stdout a pipe (the same command without script) it is JSON.
     */
    @Test
    void should_decide_table_or_json_from_the_process_own_stdout() throws Exception {
        List<String> command = javaCommand("artifacts", "--env", env.environmentId());
        String underPty = run(List.of("/usr/bin/script", "-qec", String.join(" ", command.stream().map(ViewCommandsTest::quote).toList()),
                "/dev/null"));
        assertTrue(underPty.lines().anyMatch(l -> l.startsWith("ARTIFACT ")), underPty);
        assertTrue(underPty.contains(artifact), underPty);
        String piped = run(command);
        assertEquals(artifact, rows(piped, "artifacts").get(0).get("artifact_id"), piped);
    }

    @Test
    void should_refuse_a_catalog_behind_this_odoo_ops_in_every_view_without_migrating_it() throws Exception {
        String catalog = "odoo_ops_test" + TestEnvironment.SUFFIX + "_views";
        String url = "jdbc:postgresql://127.0.0.1:5432/" + catalog;
        admin("drop database if exists " + catalog + " with (force)");
        admin("create database " + catalog);
        TestEnvironment behind = TestEnvironment.create("viewsold").withProperty("ops.db.url", url);
        try {
            List<String> versions = Arrays.stream(flyway(url, null).info().all()).map(MigrationInfo::getVersion).sorted()
                    .map(MigrationVersion::getVersion).toList();
            String previous = versions.get(versions.size() - 2);
            String known = versions.get(versions.size() - 1);
            flyway(url, previous).migrate();
            long history = historyRows(url);
            for (String[] command : List.of(new String[] {"artifacts", "--env", behind.environmentId()},
                    new String[] {"runs", "--env", behind.environmentId(), "--json"}, new String[] {"run", runId})) {
                TestEnvironment.CliResult r = behind.cli(command);
                assertEquals(2, r.exit(), String.join(" ", command) + ": " + r.stdout() + r.stderr());
                assertTrue(r.stderr().contains("odoo-ops: rejected: catalog: the ops catalog's schema is at version " + previous
                        + ", older than this odoo-ops's " + known) && r.stderr().contains("run `odoo-ops migrate`"), r.stderr());
                assertEquals("", r.stdout());
            }
            assertEquals(history, historyRows(url), "a view migrated the catalog");
            assertEquals(previous, flyway(url, null).info().current().getVersion().getVersion());
        } finally {
            behind.close();
            admin("drop database if exists " + catalog + " with (force)");
        }
    }

    /** The rows of a list view's JSON: the list itself, or a page's {@code key} ({runs: [...], next_cursor}). */
    @SuppressWarnings("unchecked")
    private static List<java.util.Map<String, Object>> rows(String json, String key) throws Exception {
        Object tree = new com.fasterxml.jackson.databind.ObjectMapper().readValue(json, Object.class);
        return (List<java.util.Map<String, Object>>) (tree instanceof java.util.Map<?, ?> page ? page.get(key) : tree);
    }

    private static List<String> javaCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "-Dodoo.ops.home=" + TestEnvironment.HOME, "dev.odooops.App"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--config", env.configDir.toString()));
        return cmd;
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Runs {@code command} with stdout to a pipe; its stdout (stderr discarded); fails unless it exits 0. */
    private static String run(List<String> command) throws Exception {
        Path err = Files.createTempFile("odoo-ops-view-", ".err");
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "did not end: " + command);
        assertEquals(0, p.exitValue(), out + Files.readString(err));
        assertFalse(out.isBlank(), Files.readString(err));
        return out;
    }

    private static Flyway flyway(String url, String target) {
        var c = Flyway.configure().dataSource(url, "postgres", "").schemas("ops").createSchemas(true).locations("classpath:db/migration");
        if (target != null) c = c.target(target);
        return c.load();
    }

    private static long historyRows(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
             ResultSet rs = c.createStatement().executeQuery("select count(*) from ops.flyway_schema_history")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void admin(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
            c.createStatement().execute(sql);
        }
    }
}
