package dev.odooops.cli;

import dev.odooops.App;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line's own behaviour, before any runtime starts: help, typos, exit codes, completion. */
@Tag("fast")
class CliTest {
    record Result(int exit, String stdout, String stderr) {
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = App.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), name -> null);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void should_read_the_configuration_directory_from_odoo_ops_config_unless_config_is_given() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = App.run(List.of("config", "inventory"), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), name -> name.equals("ODOO_OPS_CONFIG") ? "/nonexistent/odoo-ops-conf" : null);
        assertEquals(2, exit, out + "" + err);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("/nonexistent/odoo-ops-conf"), err.toString(StandardCharsets.UTF_8));
        Result given = run("config", "inventory", "--config", "/nonexistent/given-conf");
        assertTrue(given.stderr().contains("/nonexistent/given-conf"), given.stderr());
    }

    @Test
    void should_print_each_commands_usage_on_help_with_exit_0() {
        for (String command : List.of("backup", "restore", "preflight-restore", "validate-env", "recover", "artifacts", "runs",
                "run", "verify-artifact", "pin", "unpin", "demo", "completion")) {
            Result r = run(command, "--help");
            assertEquals(0, r.exit(), command + r.stderr());
            assertTrue(r.stdout().startsWith("Usage: odoo-ops " + command), command + ": " + r.stdout());
        }
        Result backup = run("help", "backup");
        assertEquals(0, backup.exit());
        assertTrue(backup.stdout().contains("--keep-daily=N"), backup.stdout());
        assertTrue(run("--help").stdout().contains("Exit codes:"));
    }

    @Test
    void should_reject_a_typo_with_exit_2_and_a_suggestion() {
        Result command = run("restor", "--env", "x");
        assertEquals(2, command.exit());
        assertTrue(command.stderr().contains("odoo-ops: rejected: command: unknown command 'restor'; did you mean restore"),
                command.stderr());
        Result option = run("backup", "--env", "x", "--lable", "l");
        assertEquals(2, option.exit());
        assertTrue(option.stderr().contains("rejected: lable: unknown option --lable for 'backup'; did you mean --label?"),
                option.stderr());
        assertEquals("", option.stdout());
    }

    @Test
    void should_name_the_option_of_a_missing_repeated_or_conflicting_value() {
        assertTrue(run("restore", "--env", "x").stderr().contains("rejected: artifact: --artifact is required"));
        assertTrue(run("backup", "--env").stderr().contains("rejected: env: --env needs a value"));
        assertTrue(run("backup", "--env", "a", "--env", "b").stderr().contains("rejected: env: given twice"));
        Result both = run("restore", "--env", "x", "--artifact", "a", "--force", "--validate-only");
        assertEquals(2, both.exit());
        assertTrue(both.stderr().contains("rejected: force: --force and --validate-only cannot be combined"), both.stderr());
    }

    @Test
    void should_print_usage_on_stderr_with_exit_2_without_a_command() {
        Result r = run();
        assertEquals(2, r.exit());
        assertEquals("", r.stdout());
        assertTrue(r.stderr().startsWith("Usage: odoo-ops"), r.stderr());
    }

    @Test
    void should_generate_a_bash_completion_script() {
        Result r = run("completion");
        assertEquals(0, r.exit());
        assertTrue(r.stdout().contains("complete -F") && r.stdout().contains("preflight-restore"), r.stdout());
    }

    /**
     * Nothing starts before the command line is read: with a configuration whose catalog cannot be reached (a closed
     * port), help, a rejected option and a missing one still answer as usual, and never mention the catalog; the same
     * configuration does reach the catalog for a command that runs (it fails naming ops.db.url), so the others did not.
     */
    @Test
    void should_answer_help_and_rejections_without_touching_an_unreachable_catalog() throws Exception {
        java.nio.file.Path config = java.nio.file.Files.createTempDirectory("odoo-ops-cli-unreachable-");
        java.nio.file.Files.writeString(config.resolve("application.properties"),
                "ops.db.url=jdbc:postgresql://127.0.0.1:9/odoo_ops_unreachable\nops.db.user=postgres\nops.db.create-if-missing=false\n");
        java.nio.file.Files.writeString(config.resolve("environments.yaml"),
                "store: {type: local, local: {path: " + config.resolve("store") + "}}\n"
                        + "users: [{name: operator, permissions: [{project: \"*\", actions: [backup]}]}]\n"
                        + "projects:\n  - name: p\n    environments:\n      - name: x\n        type: staging\n"
                        + "        database: {name: x, user: x, password: \"${secret:pw}\"}\n"
                        + "        filestore: " + java.nio.file.Files.createDirectories(config.resolve("filestore/x")) + "\n"
                        + "        odoo_conf: " + java.nio.file.Files.writeString(config.resolve("odoo.conf"), "[options]\n") + "\n");
        java.nio.file.Files.writeString(config.resolve("secrets.properties"), "pw=x\n");
        String dir = config.toString();
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"--config", dir, "--help"},
                new String[] {"artifacts", "--help", "--config", dir}, new String[] {"--config", dir, "runs", "--help"},
                new String[] {"help", "run"})) {
            Result r = run(args);
            assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.stderr());
            assertTrue(r.stdout().startsWith("Usage: odoo-ops"), r.stdout());
            assertEquals("", r.stderr(), String.join(" ", args));
        }
        assertTrue(run("runs", "--help").stdout().contains("--json"), "the views document --json");
        Result bad = run("--config", dir, "artifacts", "--env", "x", "--jsn");
        assertEquals(2, bad.exit());
        assertTrue(bad.stderr().contains("rejected: jsn: unknown option --jsn for 'artifacts'; did you mean --json?"), bad.stderr());
        Result missing = run("--config", dir, "restore", "--env", "x");
        assertEquals(2, missing.exit());
        assertTrue(missing.stderr().contains("rejected: artifact: --artifact is required"), missing.stderr());
        for (Result r : List.of(bad, missing)) assertTrue(!r.stderr().contains("ops.db.url"), r.stderr());

        Result reached = run("--config", dir, "artifacts", "--env", "x");
        assertEquals(2, reached.exit(), reached.stderr());
        assertTrue(reached.stderr().contains("ops.db.url: cannot connect to jdbc:postgresql://127.0.0.1:9/"), reached.stderr());
    }

    @Test
    void should_build_only_the_named_command_unless_the_whole_model_is_needed() {
        assertEquals(Cli.Artifacts.class, Cli.namedCommand(List.of("artifacts", "--env", "x")));
        assertEquals(Cli.Run.class, Cli.namedCommand(List.of("--config", "/etc/odoo-ops", "run", "r1")));
        assertEquals(Cli.Runs.class, Cli.namedCommand(List.of("--config=/etc/odoo-ops", "runs")));
        assertEquals(null, Cli.namedCommand(List.of()));
        assertEquals(null, Cli.namedCommand(List.of("--help", "runs")));
        assertEquals(null, Cli.namedCommand(List.of("help", "runs")));
        assertEquals(null, Cli.namedCommand(List.of("completion")));
        assertEquals(null, Cli.namedCommand(List.of("artifcats")), "an unknown name gets every command, for the suggestions");
    }
}
