package dev.odooops.flows;

import dev.odooops.App;
import dev.odooops.cli.Terminal;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Progress lines on the command line: a backup whose dump runs for seconds draws a line redrawn in place
 * ({@code \r}, cleared at the end) on stderr when stderr is a terminal, and none when it is not (a pipe, a file, the
 * journal): no carriage return, no progress text beyond the log's own lines.
 */
class ProgressLinesTest {
    @Test
    void should_draw_progress_on_a_terminal_stderr_only() throws Exception {
        try (TestEnvironment env = TestEnvironment.create("progress").withBulk(96)) {
            String onTerminal = backup(env, new Terminal(false, true), "--force");
            assertTrue(onTerminal.contains("\rdb.dump  ") && onTerminal.contains("/s\033[K"), onTerminal);
            assertTrue(onTerminal.contains("\r\033[K"), "the line is cleared when the tool ends: " + onTerminal);

            String offTerminal = backup(env, Terminal.NONE, "--force");
            assertFalse(offTerminal.contains("\r") || offTerminal.contains("\033["), offTerminal);
        }
    }

    private static String backup(TestEnvironment env, Terminal terminal, String... more) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> args = new java.util.ArrayList<>(List.of("backup", "--env", env.environmentId(), "--config", env.configDir.toString()));
        args.addAll(List.of(more));
        int exit = App.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                System::getenv, terminal);
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, out + stderr);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("\"status\":\"success\""), out.toString(StandardCharsets.UTF_8));
        return stderr;
    }
}
