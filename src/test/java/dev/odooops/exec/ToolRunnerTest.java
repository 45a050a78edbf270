package dev.odooops.exec;

import dev.odooops.domain.SecretRedactor;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The environment and the parent-death signal of the children ToolRunner starts (real processes, real camel-exec). */
@Tag("fast")
class ToolRunnerTest {
    private CamelContext camel;

    @BeforeEach
    void startCamel() {
        camel = new DefaultCamelContext();
        camel.start();
    }

    @AfterEach
    void stopCamel() {
        camel.stop();
    }

    /** What odoo-ops's environment could hold: the allow-listed variables and secrets of ${env:...} references. */
    private static final Map<String, String> ODOO_OPS_ENV = Map.of(
            "PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
            "LANG", "C.UTF-8",
            "HOME", "/root",
            "AWS_SECRET_ACCESS_KEY", "env-secret-value-1",
            "ODOO_OPS_DB_PASSWORD", "env-secret-value-2",
            "PGSSLROOTCERT", "/etc/ssl/ops-ca.pem",
            "ODOO_RC", "/etc/odoo/odoo.conf");

    private ToolRunner runner() {
        ChildEnvironment child = ChildEnvironment.of(ODOO_OPS_ENV::get, List.of("PGSSLROOTCERT"), List.of("ODOO_RC"));
        return new ToolRunner(camel.createProducerTemplate(), new SecretRedactor(List.of()), Duration.ofSeconds(10), child);
    }

    private static Map<String, String> parse(String envOutput) {
        Map<String, String> out = new TreeMap<>();
        envOutput.lines().filter(l -> l.contains("=")).forEach(l -> out.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        return out;
    }

    @Test
    void should_give_a_tool_only_the_allow_listed_variables_and_those_of_its_call() {
        Map<String, String> seen = parse(runner().run(List.of("env"), Map.of("PGPASSFILE", "/tmp/x/.pgpass-1"),
                Duration.ofSeconds(20)).stdout());

        assertEquals(Map.of("PATH", ODOO_OPS_ENV.get("PATH"), "LANG", "C.UTF-8", "HOME", "/root",
                "PGSSLROOTCERT", "/etc/ssl/ops-ca.pem", "PGPASSFILE", "/tmp/x/.pgpass-1"), seen);
    }

    @Test
    void should_not_pass_the_jvm_environment_to_a_child() {
        Set<String> seen = parse(new ToolRunner(camel.createProducerTemplate(), new SecretRedactor(List.of()),
                Duration.ofSeconds(10)).run(List.of("env"), Map.of(), Duration.ofSeconds(20)).stdout()).keySet();

        Set<String> outside = new HashSet<>(seen);
        outside.removeAll(ChildEnvironment.BASE);
        assertEquals(Set.of(), outside, "variables a child inherited beyond the allow-list");
        assertTrue(seen.contains("PATH"));
    }

    @Test
    void should_give_an_operator_command_the_command_env_names_but_not_the_tool_env_names() {
        Map<String, String> seen = parse(runner().runCommand(List.of("env"), Duration.ofSeconds(20)).stdout());

        assertEquals("/etc/odoo/odoo.conf", seen.get("ODOO_RC"));
        assertFalse(seen.containsKey("PGSSLROOTCERT"));
        assertFalse(seen.containsValue("env-secret-value-1"));
        assertFalse(seen.containsValue("env-secret-value-2"));
    }

    @Test
    void should_start_each_child_with_a_parent_death_signal() throws Exception {
        // `setpriv --dump` run as the tool reports the signal the wrapper in front of it set
        String dump = runner().run(List.of("setpriv", "--dump"), Map.of(), Duration.ofSeconds(20)).stdout();
        assertTrue(dump.contains("Parent death signal: KILL"), dump);
    }

    @Test
    void should_start_each_child_as_the_leader_of_a_process_group_and_session_of_its_own() throws Exception {
        // fields 5 and 6 of /proc/PID/stat are the process group and the session
        String out = runner().run(List.of("sh", "-c", "echo $$; cut -d' ' -f5,6 /proc/$$/stat"), Map.of(),
                Duration.ofSeconds(20)).stdout();
        String[] lines = out.strip().split("\n");
        String pid = lines[0].strip();
        assertEquals(pid + " " + pid, lines[1].strip(), "group and session of child " + pid + ": " + out);
        String own = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
        String ownGroup = own.substring(own.lastIndexOf(')') + 2).split(" ")[2];
        assertFalse(ownGroup.equals(pid), "the child is not in the JVM's process group");
    }

    /**
     * A child ended by SIGTERM before it began its work, as serve's stop signal to its process group ends one the JVM
     * was starting (still in the group until setsid runs): here the child's first launch ends itself by SIGTERM.
     */
    private static List<String> endedBySigtermAtFirstLaunch(java.nio.file.Path launches) {
        return List.of("sh", "-c", "echo launch >> '" + launches + "'; [ $(wc -l < '" + launches + "') -gt 1 ] || kill -TERM $$; echo began");
    }

    @Test
    void should_start_again_a_child_the_stop_signal_to_the_process_group_ended_before_it_began(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path launches = dir.resolve("launches.txt");
        ToolRunner tools = runner();
        tools.stopSignalled(); // serve's stop began
        ToolResult r = tools.run(endedBySigtermAtFirstLaunch(launches), Map.of(), Duration.ofSeconds(20));
        assertEquals("began", r.stdout().strip());
        assertEquals(2, java.nio.file.Files.readAllLines(launches).size(), "launched once more");
    }

    @Test
    void should_fail_a_child_ended_by_sigterm_when_no_stop_began_and_one_ended_again_and_again(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path launches = dir.resolve("launches.txt");
        var e = org.junit.jupiter.api.Assertions.assertThrows(ToolFailedException.class,
                () -> runner().run(endedBySigtermAtFirstLaunch(launches), Map.of(), Duration.ofSeconds(20)));
        assertEquals(143, e.exitCode(), e.getMessage());
        assertEquals(1, java.nio.file.Files.readAllLines(launches).size(), "not launched again outside a stop");

        ToolRunner stopping = runner();
        stopping.stopSignalled();
        var again = org.junit.jupiter.api.Assertions.assertThrows(ToolFailedException.class, () -> stopping.run(
                List.of("sh", "-c", "echo launch >> '" + launches + "'; kill -TERM $$"), Map.of(), Duration.ofSeconds(20)));
        assertEquals(143, again.exitCode(), again.getMessage());
        assertEquals(1 + 1 + ToolRunner.RELAUNCHES, java.nio.file.Files.readAllLines(launches).size(),
                "a child that something else keeps ending is launched a bounded number of times");
    }

    @Test
    void should_end_the_whole_process_group_at_the_time_out_and_return_on_time() throws Exception {
        // the action's grandchild keeps the child's stdout open: the call used to wait for it, not the time-out
        java.nio.file.Path pidFile = java.nio.file.Files.createTempFile("grandchild", ".pid");
        try {
            long start = System.nanoTime();
            var e = org.junit.jupiter.api.Assertions.assertThrows(ToolFailedException.class, () -> runner().runCommand(
                    List.of("sh", "-c", "sleep 30 & echo $! > '" + pidFile + "'; sleep 60"), Duration.ofSeconds(2)));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(e.getMessage().contains("timed out after 2 s"), e.getMessage());
            assertTrue(millis < 2000 + ProcessGroupExecutor.KILL_AFTER_MILLIS + 4000, "returned after " + millis + " ms");
            long grandchild = Long.parseLong(java.nio.file.Files.readString(pidFile).strip());
            // signalled: it has closed the pipe (the call returned) but may not be reaped yet on a busy machine (the
            // suite runs in two forks); without the group's signal it would run for 30 s
            assertTrue(dev.odooops.support.Await.polled(Duration.ofSeconds(10), () -> !alive(grandchild)),
                    "grandchild " + grandchild + " still runs after the time-out");
        } finally {
            java.nio.file.Files.deleteIfExists(pidFile);
        }
    }

    /** Alive and not a zombie waiting to be reaped. */
    private static boolean alive(long pid) throws Exception {
        java.nio.file.Path stat = java.nio.file.Path.of("/proc", String.valueOf(pid), "stat");
        try {
            String s = java.nio.file.Files.readString(stat);
            char state = s.charAt(s.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
    }

    @Test
    void should_fail_a_command_stopped_at_its_time_out_even_when_it_exits_0() {
        // an operator's start command that traps SIGTERM and exits 0 when killed: it did not finish
        var e = org.junit.jupiter.api.Assertions.assertThrows(ToolFailedException.class, () -> runner().runCommand(
                List.of("sh", "-c", "trap 'exit 0' TERM; sleep 30 & wait"), Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
    }

    @Test
    void should_run_its_own_tools_at_the_configured_niceness_and_operator_commands_at_its_own() {
        // `nice` with no argument prints the niceness it runs at: the tool's, as the kernel gave it
        ChildEnvironment child = ChildEnvironment.of(ODOO_OPS_ENV::get, List.of(), List.of());
        ToolRunner niced = new ToolRunner(camel.createProducerTemplate(), new SecretRedactor(List.of()),
                Duration.ofSeconds(10), child, 7);
        int own = Integer.parseInt(runner().run(List.of("nice"), Map.of(), Duration.ofSeconds(20)).stdout().strip());
        assertEquals(own + 7, Integer.parseInt(niced.run(List.of("nice"), Map.of(), Duration.ofSeconds(20)).stdout().strip()));
        assertEquals(own, Integer.parseInt(niced.runCommand(List.of("nice"), Duration.ofSeconds(20)).stdout().strip()));
        // a restore's pg_restore: its own tool, at odoo-ops's priority
        assertEquals(own, Integer.parseInt(niced.runAtOwnPriority(List.of("nice"), Map.of(), Duration.ofSeconds(20), null).stdout().strip()));
        // a failing niced tool is still named by itself in the error, not by nice
        var e = org.junit.jupiter.api.Assertions.assertThrows(ToolFailedException.class,
                () -> niced.run(List.of("false"), Map.of(), Duration.ofSeconds(20)));
        assertTrue(e.getMessage().startsWith("false exited with 1"), e.getMessage());
    }
}
