package dev.odooops.flows;

import dev.odooops.App;
import dev.odooops.cli.Terminal;
import dev.odooops.domain.Json;
import dev.odooops.support.TestEnvironment;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Pattern;

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
            // narrow rows and two indexes: a pg_restore of seconds (the bulk rows alone load in under one)
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + env.database, "postgres", "");
                 Statement st = c.createStatement()) {
                st.execute("create table narrow_rows as select g as id, g % 1000 as k from generate_series(1, 3000000) g");
                st.execute("create index on narrow_rows (k)");
                st.execute("create index on narrow_rows (id)");
                st.execute("alter table narrow_rows owner to " + env.database + "_owner");
            }
            String[] onTerminal = run(env, new Terminal(false, true), "backup", "--force");
            assertTrue(onTerminal[1].contains("\rdb.dump  ") && onTerminal[1].contains("\033[K"), onTerminal[1]);
            assertTrue(onTerminal[1].contains("\r\033[K"), "the line is cleared when the tool ends: " + onTerminal[1]);
            // pg_dump: the table data its COPYs have sent against the dumped tables' heap size
            assertTrue(Pattern.compile("\rdb\\.dump  \\d{1,2}%  [^\r]+ of [^\r]+ETA ").matcher(onTerminal[1]).find(), onTerminal[1]);

            // pg_restore: the new database's size against the source's size at dump time, as recorded in the dump's meta
            String artifact = (String) Json.readMap(onTerminal[0]).get("artifact_id");
            String[] restore = run(env, new Terminal(false, true), "restore", "--artifact", artifact, "--force", "--confirm", env.environmentId());
            assertTrue(Pattern.compile("\rdatabase \\S+  \\d{1,2}%  [^\r]+ of [^\r]+ETA ").matcher(restore[1]).find(), restore[1] + restore[0]);

            String offTerminal = run(env, Terminal.NONE, "backup", "--force")[1];
            assertFalse(offTerminal.contains("\r") || offTerminal.contains("\033["), offTerminal);
        }
    }

    /** The command's stdout and stderr. */
    private static String[] run(TestEnvironment env, Terminal terminal, String command, String... more) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> args = new java.util.ArrayList<>(List.of(command, "--env", env.environmentId(), "--config", env.configDir.toString()));
        args.addAll(List.of(more));
        int exit = App.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                System::getenv, terminal);
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, out + stderr);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("\"status\":\"success\""), out.toString(StandardCharsets.UTF_8));
        return new String[] {out.toString(StandardCharsets.UTF_8), stderr};
    }
}
