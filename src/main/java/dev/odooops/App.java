package dev.odooops;

import dev.odooops.cli.CliArgs;
import dev.odooops.cli.Commands;
import dev.odooops.cli.DemoCommand;
import dev.odooops.cli.VerifyCommand;
import dev.odooops.config.ConfigException;
import dev.odooops.model.RequestRejected;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/** The odoo-ops command line. stdout carries the JSON result only; logs and messages go to stderr. */
public final class App {
    static final String USAGE = """
            usage: odoo-ops <command> [options]   (global: --config DIR, default <home>/config)
              demo                                 back up a generated demo environment to an embedded S3
              backup --env E [--project P] [--type full|db_only|filestore_only] [--label L]
                     [--keep-daily N --keep-weekly N --keep-monthly N] [--user U]
              restore --env E [--project P] --artifact A [--type full|db_only|filestore_only] [--no-verify]
                      [--no-rollback] [--force | --validate-only] [--confirm ENV_ID] [--user U]
              preflight-restore --env E --artifact A [--project P] [--type T] [--confirm ENV_ID] [--user U]
              validate-env --env E [--project P] [--artifact A] [--since TIME|AGE]
              recover --env E [--project P] [--user U]  clean up now after runs whose process died
              artifacts --env E [--project P] [--all]
              runs --env E [--project P] [--limit N]
              verify-artifact ID
              pin ID | unpin ID                    a pinned artifact is never pruned by retention
            every command taking --env accepts E or P/E; --project P is needed only when E is in several projects,
            and may be given with --env P/E when it names the same project
            exit codes: 0 success, 1 the run failed (or was rolled back), 2 the request was rejected,
                        3 a failed restore after which Odoo did not come back healthy (data as reported, service down)""";

    private App() {
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out, System.err, System::getenv));
    }

    public static int run(List<String> args, PrintStream out, PrintStream err, Function<String, String> env) {
        if (args.isEmpty() || Set.of("help", "--help", "-h").contains(args.get(0))) {
            (args.isEmpty() ? err : out).println(USAGE);
            return args.isEmpty() ? Commands.REJECTED : Commands.OK;
        }
        String command = args.get(0);
        List<String> rest = args.subList(1, args.size());
        Path home = Path.of(System.getProperty("odoo.ops.home", ".")).toAbsolutePath().normalize();
        try {
            switch (command) {
                case "demo" -> {
                    CliArgs a = new CliArgs(rest, Set.of("config"), Set.of());
                    return new DemoCommand(home, out, err).run(configDir(home, a), env);
                }
                case "backup" -> {
                    CliArgs a = new CliArgs(rest, Set.of("project", "env", "type", "label", "keep-daily", "keep-weekly",
                            "keep-monthly", "user", "config"), Set.of());
                    try (OpsRuntime rt = OpsRuntime.start(home, configDir(home, a), env, Clock.systemUTC())) {
                        return new Commands(rt, out).backup(a);
                    }
                }
                case "restore", "preflight-restore" -> {
                    CliArgs a = new CliArgs(rest, Set.of("project", "env", "artifact", "type", "confirm", "user", "config"),
                            Set.of("no-verify", "no-rollback", "force", "validate-only"));
                    try (OpsRuntime rt = OpsRuntime.start(home, configDir(home, a), env, Clock.systemUTC())) {
                        Commands c = new Commands(rt, out);
                        return command.equals("restore") ? c.restore(a) : c.preflightRestore(a);
                    }
                }
                case "validate-env" -> {
                    CliArgs a = new CliArgs(rest, Set.of("project", "env", "artifact", "since", "config"), Set.of());
                    try (OpsRuntime rt = OpsRuntime.start(home, configDir(home, a), env, Clock.systemUTC())) {
                        return new Commands(rt, out).validateEnv(a);
                    }
                }
                case "recover" -> {
                    CliArgs a = new CliArgs(rest, Set.of("env", "project", "user", "config"), Set.of());
                    try (OpsRuntime rt = OpsRuntime.start(home, configDir(home, a), env, Clock.systemUTC())) {
                        return new Commands(rt, out).recover(a);
                    }
                }
                case "artifacts", "runs" -> {
                    CliArgs a = new CliArgs(rest, Set.of("env", "project", "config", "limit"), Set.of("all"));
                    try (OpsRuntime rt = OpsRuntime.start(home, configDir(home, a), env, Clock.systemUTC())) {
                        Commands c = new Commands(rt, out);
                        return command.equals("runs") ? c.runs(a) : c.artifacts(a);
                    }
                }
                case "verify-artifact" -> {
                    CliArgs a = new CliArgs(rest, Set.of("config"), Set.of());
                    if (a.positional().size() != 1) throw new RequestRejected("ID", "verify-artifact takes one artifact id");
                    try (OpsRuntime rt = OpsRuntime.start(home, configDir(home, a), env, Clock.systemUTC())) {
                        return new VerifyCommand(rt, out).run(a.positional().get(0));
                    }
                }
                case "pin", "unpin" -> {
                    CliArgs a = new CliArgs(rest, Set.of("config"), Set.of());
                    if (a.positional().size() != 1) throw new RequestRejected("ID", command + " takes one artifact id");
                    try (OpsRuntime rt = OpsRuntime.start(home, configDir(home, a), env, Clock.systemUTC())) {
                        return new Commands(rt, out).pin(a.positional().get(0), command.equals("pin"));
                    }
                }
                default -> {
                    err.println("odoo-ops: unknown command '" + command + "'\n" + USAGE);
                    return Commands.REJECTED;
                }
            }
        } catch (RequestRejected e) {
            err.println("odoo-ops: rejected: " + e.getMessage());
            return Commands.REJECTED;
        } catch (ConfigException e) {
            err.println("odoo-ops: invalid configuration: " + e.getMessage());
            return Commands.REJECTED;
        } catch (Exception e) {
            err.println("odoo-ops: failed: " + (e.getMessage() == null ? e.getClass().getName() : e.getMessage()));
            return Commands.FAILED;
        }
    }

    private static Path configDir(Path home, CliArgs a) {
        String dir = a.get("config");
        return dir == null ? home.resolve("config") : Path.of(dir).toAbsolutePath();
    }

}
