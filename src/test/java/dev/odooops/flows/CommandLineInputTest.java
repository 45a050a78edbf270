package dev.odooops.flows;

import dev.odooops.App;
import dev.odooops.domain.Json;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.odooops.support.TestEnvironment.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an operator types, through {@link App#run} with a real config directory: a dangerous environments file
 * is refused at start (exit 2, naming the key) before any run exists; every command takes its environment as
 * {@code --env E}, {@code --env P/E}, {@code --project P --env E} or {@code --project P --env P/E}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommandLineInputTest {
    private TestEnvironment env;
    private String artifact;

    @BeforeAll
    void setUp() throws Exception {
        env = TestEnvironment.create("cli");
        TestEnvironment.CliResult backup = run("backup", "--project", env.project, "--env", "prod");
        assertEquals(0, backup.exit(), backup.stderr());
        artifact = (String) Json.readMap(backup.stdout()).get("artifact_id");
        assertEquals(0, run("pin", artifact).exit(), "kept when a later test backs up the same day");
    }

    @AfterAll
    void cleanUp() throws Exception {
        env.close();
    }

    private TestEnvironment.CliResult run(String... args) {
        return env.cli(args);
    }

    /** Rewrites the environment's filestore in its environments file; the test environment rewrites it back. */
    private void filestore(String value) throws Exception {
        Path file = env.configDir.resolve("environments.yaml");
        Files.writeString(file, Files.readString(file).replace("filestore: " + env.odoo.filestore(), "filestore: " + value));
    }

    @Test
    void should_refuse_a_root_or_system_filestore_at_start_with_exit_2_naming_the_key() throws Exception {
        long runs = ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size();
        try {
            for (String fs : List.of("/", "/etc", env.odoo.filestore().getParent() + "/../filestore/" + env.database)) {
                filestore(fs);
                for (List<String> command : List.of(
                        List.of("restore", "--env", env.environmentId(), "--artifact", artifact, "--confirm", env.environmentId()),
                        List.of("preflight-restore", "--env", env.environmentId(), "--artifact", artifact),
                        List.of("backup", "--env", env.environmentId()))) {
                    TestEnvironment.CliResult r = run(command.toArray(String[]::new));
                    assertEquals(2, r.exit(), command + " with filestore " + fs + " -> " + r.stderr());
                    assertTrue(r.stderr().contains("odoo-ops: invalid configuration: " + env.configDir.resolve("environments.yaml")
                            + ": projects[0].environments[0].filestore: expected "), r.stderr());
                    assertTrue(r.stderr().contains("got '" + fs + "'"), r.stderr());
                    assertEquals("", r.stdout());
                }
                env.writeConfig();
            }
        } finally {
            env.writeConfig();
        }
        assertEquals(runs, ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size(),
                "a refused configuration started a run");
    }

    /** The four ways to name this environment (it is the only {@code prod} in its config). */
    private List<List<String>> forms() {
        String p = env.project;
        return List.of(List.of("--env", "prod"), List.of("--env", p + "/prod"), List.of("--project", p, "--env", "prod"),
                List.of("--project", p, "--env", p + "/prod"));
    }

    private TestEnvironment.CliResult run(List<String> command, List<String> form, String... more) {
        List<String> args = new ArrayList<>(command);
        args.addAll(form);
        args.addAll(List.of(more));
        return run(args.toArray(String[]::new));
    }

    @Test
    void should_accept_every_form_of_project_and_env_on_every_command() throws Exception {
        String id = env.environmentId();
        TestEnvironment.CliResult backup = run("backup", "--project", env.project, "--env", id);
        assertEquals(0, backup.exit(), backup.stderr());
        assertEquals("success", Json.readMap(backup.stdout()).get("status"));
        for (List<String> form : forms()) {
            String where = form.toString();
            TestEnvironment.CliResult r = run(List.of("backup"), form, "--user", "auditor");
            assertEquals(2, r.exit(), where + r.stderr());
            assertTrue(r.stderr().contains("user: 'auditor' has no backup permission on project '" + env.project + "'"), where + r.stderr());
            r = run(List.of("restore"), form, "--artifact", artifact, "--confirm", id, "--user", "auditor");
            assertEquals(2, r.exit(), where + r.stderr());
            assertTrue(r.stderr().contains("user: 'auditor' has no restore permission on project '" + env.project + "'"), where + r.stderr());
            r = run(List.of("preflight-restore"), form, "--artifact", artifact, "--confirm", id);
            assertEquals(0, r.exit(), where + r.stdout() + r.stderr());
            assertEquals(true, Json.readMap(r.stdout()).get("ok"), where + r.stdout());
            r = run(List.of("validate-env"), form, "--artifact", artifact);
            assertEquals(0, r.exit(), where + r.stdout() + r.stderr());
            assertEquals(id, Json.readMap(r.stdout()).get("environment_id"), where);
            r = run(List.of("recover"), form);
            assertEquals(0, r.exit(), where + r.stderr());
            r = run(List.of("runs"), form);
            assertEquals(0, r.exit(), where + r.stderr());
            assertTrue(r.stdout().contains(Json.readMap(backup.stdout()).get("run_id").toString()), where + r.stdout());
            r = run(List.of("artifacts"), form);
            assertEquals(0, r.exit(), where + r.stderr());
            assertTrue(r.stdout().contains(artifact), where + r.stdout());
        }
    }

    @Test
    void should_reject_a_project_that_contradicts_the_env_on_every_command_naming_both() throws Exception {
        long runs = ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size();
        List<String> form = List.of("--project", "other", "--env", env.environmentId());
        for (List<String> command : List.of(List.of("backup"), List.of("restore", "--artifact", artifact, "--confirm",
                env.environmentId()), List.of("preflight-restore", "--artifact", artifact), List.of("validate-env"),
                List.of("recover"), List.of("runs"), List.of("artifacts"))) {
            TestEnvironment.CliResult r = run(command, form);
            assertEquals(2, r.exit(), command + r.stderr());
            assertTrue(r.stderr().contains("odoo-ops: rejected: project: --project 'other' does not match the project of --env '"
                    + env.environmentId() + "'"), command + r.stderr());
            assertEquals("", r.stdout(), command.toString());
        }
        assertEquals(runs, ops("select 1 from ops.runs where environment_id = ?", env.environmentId()).size());
    }
}
