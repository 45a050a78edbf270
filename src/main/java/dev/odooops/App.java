package dev.odooops;

import dev.odooops.cli.Cli;
import dev.odooops.cli.Terminal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/** The odoo-ops process: the command line ({@link Cli}); {@code odoo.ops.home} is where routes/ and config/ are. */
public final class App {
    private App() {
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out, System.err, System::getenv, Terminal.detect()));
    }

    /** A command line on streams of the caller's (not a terminal: JSON, no progress lines). */
    public static int run(List<String> args, PrintStream out, PrintStream err, Function<String, String> env) {
        return run(args, out, err, env, Terminal.NONE);
    }

    public static int run(List<String> args, PrintStream out, PrintStream err, Function<String, String> env, Terminal terminal) {
        Path home = Path.of(System.getProperty("odoo.ops.home", ".")).toAbsolutePath().normalize();
        return Cli.run(home, args, out, err, env, terminal);
    }
}
