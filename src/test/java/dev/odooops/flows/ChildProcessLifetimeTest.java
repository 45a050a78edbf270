package dev.odooops.flows;

import dev.odooops.support.Await;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A child process (here the quiesce command) must not outlive the odoo-ops JVM that started it. */
class ChildProcessLifetimeTest {
    private TestEnvironment env;
    private long childPid = -1;

    @AfterEach
    void cleanUp() throws Exception {
        // only the process this test started, by its id, should the code under test have let it live
        if (childPid > 0) ProcessHandle.of(childPid).ifPresent(ProcessHandle::destroyForcibly);
        if (env != null) env.close();
    }

    /** Alive and not a zombie waiting to be reaped. */
    private static boolean running(long pid) throws Exception {
        Path stat = Path.of("/proc", String.valueOf(pid), "stat");
        if (!Files.exists(stat)) return false;
        try {
            String s = Files.readString(stat);
            char state = s.charAt(s.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
    }

    @Test
    void should_end_a_child_process_when_the_jvm_that_started_it_is_killed() throws Exception {
        env = TestEnvironment.create("childlife");
        Path pidFile = env.root.resolve("quiesce.pid");
        // the command writes its pid, then becomes a long sleep (same process); the quiesce bound is 30 s
        env.quiesceWith("sh", "-c", "echo $$ > '" + pidFile + "'; exec sleep 300");
        Process jvm = env.spawn(env.root.resolve("b.out"), env.root.resolve("b.err"), "backup", "--project", env.project,
                "--env", "prod");

        Await.polled(Duration.ofSeconds(60), () -> {
            assertTrue(jvm.isAlive(), "odoo-ops ended before its quiesce command ran: " + Files.readString(env.root.resolve("b.err")));
            return Files.exists(pidFile) && !Files.readString(pidFile).isBlank();
        });
        assertTrue(Files.exists(pidFile), "the quiesce command never ran: " + Files.readString(env.root.resolve("b.err")));
        childPid = Long.parseLong(Files.readString(pidFile).strip());
        assertTrue(running(childPid), "the quiesce command runs while odoo-ops waits for it");

        jvm.destroyForcibly(); // SIGKILL: no shutdown hook, no clean-up in the JVM
        assertTrue(jvm.waitFor(30, TimeUnit.SECONDS));

        Await.polled(Duration.ofSeconds(10), () -> !running(childPid));
        assertTrue(!running(childPid), "child " + childPid + " still runs after the JVM that started it was killed");
    }
}
