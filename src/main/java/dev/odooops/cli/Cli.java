package dev.odooops.cli;

import dev.odooops.OpsRuntime;
import dev.odooops.config.ConfigException;
import dev.odooops.model.BackupRequest;
import dev.odooops.model.PinRequest;
import dev.odooops.model.BackupType;
import dev.odooops.model.ListArtifactsRequest;
import dev.odooops.model.ListRunsRequest;
import dev.odooops.model.RecoverRequest;
import dev.odooops.domain.RequestRejected;
import dev.odooops.model.RestoreRequest;
import dev.odooops.model.ValidateEnvRequest;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * The command line (picocli): one subcommand per operation, each turning its options into the operation's typed
 * request and handing it to {@link Commands}. stdout carries the JSON result only; usage, logs and messages go to
 * stderr, except {@code --help} and {@code help}, which print on stdout. Exit codes: 0 success, 1 the run failed,
 * 2 rejected (bad option, unknown environment, no permission ...; the message names the field), 3 a failed
 * restore after which Odoo did not come back healthy.
 */
@Command(name = "odoo-ops", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        description = "Backup, restore and environment copies for Odoo.",
        footer = {"", "Every command taking --env accepts E or P/E; --project P is needed only",
                "when E is in several projects, and may be given with --env P/E naming the",
                "same project.", "",
                "Exit codes:", "  0  success", "  1  the run failed (or was rolled back)",
                "  2  the request was rejected (the message names the field)",
                "  3  a failed restore after which Odoo did not come back healthy"})
public final class Cli implements Callable<Integer> {
    /** The subcommands, in the order the usage lists them (registered by {@link #commandLine}). */
    static final List<Class<?>> COMMANDS = List.of(Cli.Demo.class, Cli.Serve.class, Cli.Migrate.class, Cli.Backup.class,
            Cli.Restore.class, Cli.PreflightRestore.class, Cli.ValidateEnv.class, Cli.Recover.class, Cli.Accept.class, Cli.Discard.class,
            Cli.Artifacts.class, Cli.Runs.class, Cli.Run.class, Cli.VerifyArtifact.class, Cli.Pin.class, Cli.Unpin.class,
            Cli.ListSchedules.class, Cli.PauseSchedule.class, Cli.ResumeSchedule.class, Cli.Retention.class, Cli.Check.class,
            Cli.Store.class, Cli.PrEnv.class, Cli.Completion.class, Cli.Snapshot.class, Cli.Drill.class,
            DriftCli.CheckDrift.class, DriftCli.ConfigGroup.class, DriftCli.EvidenceGroup.class,
            Cli.CheckNeutralization.class, Cli.Copy.class, Cli.ImportOdooZip.class, Cli.ExportOdooZip.class, Cli.Rekey.class,
            CommandLine.HelpCommand.class);

    private final Path home;
    private final PrintStream out;
    private final PrintStream err;
    private final Function<String, String> env;
    private final Terminal terminal;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "configuration directory with application.properties and environments.yaml (default: $ODOO_OPS_CONFIG, else <home>/config)")
    Path config;

    private Cli(Path home, PrintStream out, PrintStream err, Function<String, String> env, Terminal terminal) {
        this.home = home;
        this.out = out;
        this.err = err;
        this.env = env;
        this.terminal = terminal;
    }

    /** Parses and runs one command line on streams that are not a terminal; returns the exit code. */
    public static int run(Path home, List<String> args, PrintStream out, PrintStream err, Function<String, String> env) {
        return run(home, args, out, err, env, Terminal.NONE);
    }

    /**
     * Parses and runs one command line; returns the exit code. Nothing starts before picocli has read the whole line:
     * {@code --help}, a rejected option or a missing one answer without loading the configuration or touching the
     * catalog. {@code terminal} says whether out and err are terminals (tables, progress lines).
     */
    public static int run(Path home, List<String> args, PrintStream out, PrintStream err, Function<String, String> env,
                          Terminal terminal) {
        CommandLine cl = commandLine(new Cli(home, out, err, env, terminal), args);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setParameterExceptionHandler(Cli::rejectedOption);
        cl.setExecutionExceptionHandler((e, c, parsed) -> failed(e, err));
        return cl.execute(args.toArray(String[]::new));
    }

    /**
     * The command line's model. picocli builds a command's model by reflection over its annotations, about a third of
     * what a view costs before it answers when done for all forty commands: a line naming one command (after
     * {@code --config DIR} at most) gets that command alone. Anything else (no command, an unknown one for the
     * suggestions, {@code help}, {@code completion}, a top-level {@code --help}) gets them all.
     */
    static CommandLine commandLine(Cli cli, List<String> args) {
        CommandLine cl = new CommandLine(cli);
        Class<?> only = namedCommand(args);
        boolean usageOnly = usageOnly(args);
        for (Class<?> command : COMMANDS) {
            if (usageOnly) cl.addSubcommand(usageLine(command));
            else if (only == null || only == command) cl.addSubcommand(command);
        }
        return cl;
    }

    /** The top-level usage ({@code --help}, {@code -h}, no command): it shows each command's name and description only. */
    private static boolean usageOnly(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--config")) i++;
            else if (!a.startsWith("--config=") && !a.equals("--help") && !a.equals("-h")) return false;
        }
        return true;
    }

    /** A command's line in the top-level usage, from its annotation alone (no model of its options: see above). */
    private static CommandLine usageLine(Class<?> command) {
        Command a = command.getAnnotation(Command.class);
        CommandLine.Model.CommandSpec spec = CommandLine.Model.CommandSpec.create().name(a.name()).aliases(a.aliases());
        spec.usageMessage().header(a.header()).description(a.description()).hidden(a.hidden());
        return new CommandLine(spec);
    }

    /** The one subcommand {@code args} names, or null when the whole model is needed. */
    static Class<?> namedCommand(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--config")) {
                i++;
                continue;
            }
            if (a.startsWith("--config=")) continue;
            if (a.startsWith("-")) return null;
            for (Class<?> command : COMMANDS) {
                String name = command.getAnnotation(Command.class).name();
                if (name.equals(a)) return name.equals("help") || name.equals("completion") ? null : command;
            }
            return null;
        }
        return null;
    }

    /** No command: the usage, on stderr, and exit 2. */
    @Override
    public Integer call() {
        spec.commandLine().usage(err);
        return Commands.REJECTED;
    }

    /** The streams and environment of this command line, for the commands kept in their own files (DriftCli). */
    PrintStream out() {
        return out;
    }

    Function<String, String> env() {
        return env;
    }

    Path home() {
        return home;
    }

    /** {@code --config}, else the environment variable {@code ODOO_OPS_CONFIG}, else {@code <home>/config}. */
    Path configDir() {
        if (config != null) return config.toAbsolutePath();
        String fromEnv = env.apply("ODOO_OPS_CONFIG");
        return fromEnv != null && !fromEnv.isBlank() ? Path.of(fromEnv).toAbsolutePath() : home.resolve("config");
    }

    OpsRuntime start(OpsRuntime.Scope scope) throws Exception {
        return OpsRuntime.start(home, configDir(), env, Clock.systemUTC(), scope);
    }

    Terminal terminal() {
        return terminal;
    }

    /** A command line picocli could not read: exit 2 with the option named, and picocli's suggestions for typos. */
    private static int rejectedOption(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        String field = e.getArgSpec() instanceof CommandLine.Model.OptionSpec o ? o.longestName().replaceFirst("^-+", "")
                : e.getArgSpec() != null ? e.getArgSpec().paramLabel() : "argument";
        String message = e.getMessage();
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().get(0);
            boolean option = arg.startsWith("-");
            field = arg.replaceFirst("^-+", "").replaceFirst("=.*", "");
            boolean top = e.getCommandLine().getParent() == null;
            field = option ? field : top ? "command" : "argument";
            message = option ? "unknown option " + arg.replaceFirst("=.*", "") + " for '" + e.getCommandLine().getCommandName() + "'"
                    : top ? "unknown command '" + arg + "'" : "unexpected argument '" + arg + "'";
            List<String> suggestions = u.getSuggestions();
            if (!suggestions.isEmpty()) message += "; did you mean " + String.join(" or ", suggestions) + "?";
        } else if (e instanceof CommandLine.OverwrittenOptionException o) {
            if (o.getOverwritten() instanceof CommandLine.Model.OptionSpec spec) field = spec.longestName().replaceFirst("^-+", "");
            message = "given twice";
        } else if (e instanceof CommandLine.MutuallyExclusiveArgsException) {
            field = "force";
            message = "--force and --validate-only cannot be combined";
        } else if (e instanceof CommandLine.MissingParameterException m) {
            CommandLine.Model.ArgSpec missing = m.getMissing().isEmpty() ? e.getArgSpec() : m.getMissing().get(0);
            if (missing instanceof CommandLine.Model.OptionSpec o) {
                field = o.longestName().replaceFirst("^-+", "");
                message = "--" + field + (m.getMessage().startsWith("Missing required parameter") ? " needs a value" : " is required");
            } else if (missing != null) {
                field = missing.paramLabel();
                message = field + " is required";
            }
        }
        err.println("odoo-ops: rejected: " + field + ": " + message);
        err.println("(" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help shows the usage)");
        return Commands.REJECTED;
    }

    private static int failed(Exception e, PrintStream err) {
        if (e instanceof RequestRejected) {
            err.println("odoo-ops: rejected: " + e.getMessage());
            return Commands.REJECTED;
        }
        if (e instanceof dev.odooops.ops.CatalogVersionRefused v) {
            err.println("odoo-ops: rejected: " + v.field() + ": " + v.getMessage());
            return Commands.REJECTED;
        }
        if (e instanceof ConfigException) {
            err.println("odoo-ops: invalid configuration: " + e.getMessage());
            return Commands.REJECTED;
        }
        err.println("odoo-ops: failed: " + (e.getMessage() == null ? e.getClass().getName() : e.getMessage()));
        return Commands.FAILED;
    }

    /** A whole number option, rejected naming the option. */
    static Integer wholeNumber(String field, String value) {
        if (value == null) return null;
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new RequestRejected(field, "must be a whole number, got '" + value + "'");
        }
    }

    /** A command that runs against a started runtime (the catalog migrated, the routes up) and stops it after. */
    abstract static class RuntimeCommand implements Callable<Integer> {
        /** The top command, or a group of commands under it ({@code retention}). */
        @ParentCommand
        Object parent;

        @Option(names = "--user", paramLabel = "U", description = "who asks, for the permission check (default: ops.default-user)")
        String user;

        Cli cli() {
            return parent instanceof Cli c ? c : ((Group) parent).cli;
        }

        /** The principal of the request: {@code --user}, else {@code ops.default-user}. */
        String user(OpsRuntime rt) {
            return user == null ? rt.settings().ops().defaultUser() : user;
        }

        @Override
        public Integer call() throws Exception {
            Cli cli = cli();
            try (OpsRuntime rt = cli.start(scope())) {
                if (cli.terminal.stderr()) rt.drawProgressOn(cli.err); // never on a pipe, a file or the journal
                return run(new Commands(rt.operations(), cli.out, table() ? Commands.Format.TABLE : Commands.Format.JSON), rt);
            }
        }

        /** The routes the command needs started: all of them, unless it is a read-only view. */
        OpsRuntime.Scope scope() {
            return OpsRuntime.Scope.ALL;
        }

        /** Whether a view prints a table: on a terminal, unless --json (only the views have --json). */
        boolean table() {
            return false;
        }

        abstract int run(Commands commands, OpsRuntime rt);
    }

    /**
     * The options of the read-only views (artifacts, runs, run): {@code --json}. They start only their own entry route
     * ({@link OpsRuntime.Scope}), so they answer at once; like every command they refuse a catalog of another version
     * and never migrate it.
     */
    static final class ViewOptions {
        @Option(names = "--json", description = "print JSON even on a terminal (JSON is what a pipe or a file gets anyway)")
        boolean json;

        boolean table(Cli cli) {
            return !json && cli.terminal().stdout();
        }
    }

    /** A command aimed at one environment: --env E|P/E [--project P] [--user U]. */
    abstract static class EnvCommand extends RuntimeCommand {
        @Option(names = "--env", paramLabel = "E|P/E", description = "the environment: E, or P/E (project/environment)")
        String env;

        @Option(names = "--project", paramLabel = "P", description = "the project, when E alone is in several projects")
        String project;
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "Back up a generated Odoo-shaped demo environment to an embedded S3, damage it, restore it and validate.")
    static final class Demo implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Override
        public Integer call() throws Exception {
            return new DemoCommand(cli.home, cli.out, cli.err).run(cli.configDir(), cli.env);
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Run as a service: the HTTP API (and the other channels), a bounded worker pool, queued runs; SIGTERM stops gracefully.")
    static final class Serve implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Option(names = "--demo", description = "serve the demo environment (built like `demo` does, with its embedded S3), "
                + "every channel on, and print a bearer token and curl lines to try")
        boolean demo;

        @Option(names = "--port", paramLabel = "PORT", description = "the HTTP port (0-65535), over http.port of application.properties")
        String port;

        @Override
        public Integer call() throws Exception {
            Integer p = wholeNumber("port", port);
            if (p != null && (p < 0 || p > 65535)) throw new RequestRejected("port", "must be 0 to 65535, got " + p);
            java.util.Map<String, String> overrides = p == null ? java.util.Map.of() : java.util.Map.of("http.port", p.toString());
            if (demo) return new DemoCommand(cli.home, cli.out, cli.err).serve(cli.configDir(), cli.env, overrides);
            return new ServeCommand(cli.home, cli.err).run(cli.configDir(), cli.env, overrides);
        }
    }

    @Command(name = "migrate", mixinStandardHelpOptions = true,
            description = "Migrate the ops catalog to this version's schema (no other command does; stop older serve "
                    + "instances first); prints {from, to, applied}.")
    static final class Migrate implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Override
        public Integer call() {
            dev.odooops.config.Settings settings = dev.odooops.config.Settings.load(cli.home, cli.configDir(), cli.env);
            try (dev.odooops.ops.OpsDatabase database = new dev.odooops.ops.OpsDatabase(settings)) {
                dev.odooops.ops.OpsDatabase.Migration m = database.migrate();
                java.util.Map<String, Object> json = new java.util.LinkedHashMap<>();
                json.put("from", m.from());
                json.put("to", m.to());
                json.put("applied", m.applied());
                cli.out.println(dev.odooops.domain.Json.compact(json));
                return Commands.OK;
            }
        }
    }

    @Command(name = "backup", mixinStandardHelpOptions = true,
            description = "Back up an environment: database, filestore and config snapshot; prints the run as JSON.")
    static final class Backup extends EnvCommand {
        @Option(names = "--type", paramLabel = "TYPE", defaultValue = "full", description = "full | db_only | filestore_only (default: ${DEFAULT-VALUE})")
        String type;

        @Option(names = "--label", paramLabel = "L", description = "a label kept with the artifact")
        String label;

        @Option(names = "--keep-daily", paramLabel = "N", description = "retention override: daily backups kept")
        String keepDaily;

        @Option(names = "--keep-weekly", paramLabel = "N", description = "retention override: weekly backups kept")
        String keepWeekly;

        @Option(names = "--keep-monthly", paramLabel = "N", description = "retention override: monthly backups kept")
        String keepMonthly;

        @Option(names = "--keep-yearly", paramLabel = "N", description = "retention override: yearly backups kept")
        String keepYearly;

        @Option(names = "--force", description = "take a backup even when the environment is unchanged since its last "
                + "verified artifact (otherwise the run ends skipped_unchanged, naming that artifact)")
        boolean force;

        /** backup calls backup-run, whose failures go to backup-failed (routes/backup.camel.yaml, error-handling). */
        @Override
        OpsRuntime.Scope scope() {
            return OpsRuntime.Scope.only(List.of("backup.camel.yaml"), "backup", "backup-run", "backup-failed");
        }

        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.backup(BackupRequest.of(project, env, BackupType.parse("type", type), label,
                    wholeNumber("keep-daily", keepDaily), wholeNumber("keep-weekly", keepWeekly),
                    wholeNumber("keep-monthly", keepMonthly), user(rt), "cli").forced(force)
                    .keepingYearly(wholeNumber("keep-yearly", keepYearly)));
        }
    }

    /** The options of a restore, shared by restore and preflight-restore. */
    abstract static class RestoreOptions extends EnvCommand {
        @Option(names = "--artifact", paramLabel = "A", required = true, description = "the artifact id to restore")
        String artifact;

        @Option(names = "--type", paramLabel = "TYPE", defaultValue = "full", description = "full | db_only | filestore_only (default: ${DEFAULT-VALUE})")
        String type;

        @Option(names = "--confirm", paramLabel = "P/E", description = "required for a production environment: its id")
        String confirm;

        @Option(names = "--no-verify", description = "skip the post-restore validations")
        boolean noVerify;

        @Option(names = "--no-rollback", description = "leave a failed restore as it is (forensics)")
        boolean noRollback;

        @Option(names = "--odoo-version", paramLabel = "SERIES", description = "the series the target server runs (17.0, "
                + "saas~17.1; Dolibarr 20.0), needed only when odoo-ops cannot learn it (no version_command, server down)")
        String odooVersion;

        @ArgGroup(exclusive = true)
        Mode mode;

        static final class Mode {
            @Option(names = "--force", description = "always restore, even when the environment holds what the last restore left")
            boolean force;

            @Option(names = "--validate-only", description = "change nothing, only run the validations")
            boolean validateOnly;
        }

        RestoreRequest request(OpsRuntime rt) {
            RestoreRequest.Mode m = mode == null ? RestoreRequest.Mode.AUTO
                    : mode.force ? RestoreRequest.Mode.FORCE : RestoreRequest.Mode.VALIDATE_ONLY;
            String problem = dev.odooops.domain.VersionGuard.statedProblem(odooVersion);
            if (problem != null) throw new RequestRejected("odoo-version", problem);
            return new RestoreRequest(project, env, artifact, BackupType.parse("type", type), !noVerify, !noRollback,
                    confirm, user(rt), "cli", m, odooVersion);
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Restore an artifact into an environment (safety backup first, automatic rollback); prints the run as JSON.")
    static final class Restore extends RestoreOptions {
        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.restore(request(rt));
        }
    }

    @Command(name = "preflight-restore", mixinStandardHelpOptions = true,
            description = "The nine restore checks as a JSON report, nothing touched (exit 0 when all pass, else 2).")
    static final class PreflightRestore extends RestoreOptions {
        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.preflightRestore(request(rt));
        }
    }

    @Command(name = "validate-env", mixinStandardHelpOptions = true,
            description = "The seven post-restore validations, now (exit 0 when none failed).")
    static final class ValidateEnv extends EnvCommand {
        @Option(names = "--artifact", paramLabel = "A", description = "compare modules with this artifact (default: the last one restored)")
        String artifact;

        @Option(names = "--since", paramLabel = "TIME|AGE", description = "judge Odoo log lines from then on: an ISO time with offset, or an age like 2h (default: the last restart known)")
        String since;

        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.validateEnv(new ValidateEnvRequest(project, env, artifact, since, user(rt)));
        }
    }

    @Command(name = "recover", mixinStandardHelpOptions = true,
            description = "After a crash: clean up now what runs whose process died left (put back a half-done restore, bring Odoo back).")
    static final class Recover extends EnvCommand {
        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.recover(new RecoverRequest(project, env, user(rt), "cli"));
        }
    }

    /** accept RUN / discard RUN: the decision on a failed restore whose restored copy was kept (nothing was live before). */
    abstract static class DecideCommand extends RuntimeCommand {
        @Parameters(paramLabel = "RUN", description = "the restore run whose restored copy was kept")
        String run;

        abstract dev.odooops.model.RestoreDecisionRequest.Decision decision();

        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.decideRestore(dev.odooops.model.RestoreDecisionRequest.of("run", run, decision(),
                    user(rt), "cli"));
        }
    }

    @Command(name = "accept", mixinStandardHelpOptions = true,
            description = "Keep the restored copy of a failed restore that had nothing live before it: start, lift maintenance, record it.")
    static final class Accept extends DecideCommand {
        @Override
        dev.odooops.model.RestoreDecisionRequest.Decision decision() {
            return dev.odooops.model.RestoreDecisionRequest.Decision.ACCEPT;
        }
    }

    @Command(name = "discard", mixinStandardHelpOptions = true,
            description = "Remove the restored copy of a failed restore that had nothing live before it (what was kept aside comes back).")
    static final class Discard extends DecideCommand {
        @Override
        dev.odooops.model.RestoreDecisionRequest.Decision decision() {
            return dev.odooops.model.RestoreDecisionRequest.Decision.DISCARD;
        }
    }

    @Command(name = "artifacts", mixinStandardHelpOptions = true,
            description = "The environment's live artifacts, newest first, a page at a time (next_cursor: the next page); "
                    + "a table on a terminal, else JSON.")
    static final class Artifacts extends EnvCommand {
        @Option(names = "--all", description = "pruned artifacts too")
        boolean all;

        @Option(names = "--limit", paramLabel = "N", description = "at most N artifacts, 1 to 1000 (default: 100)")
        String limit;

        @Option(names = "--cursor", paramLabel = "CURSOR", description = "the page after this one: the next_cursor of the previous page")
        String cursor;

        @CommandLine.Mixin
        ViewOptions view;

        @Override
        OpsRuntime.Scope scope() {
            return OpsRuntime.Scope.only(List.of("operations.camel.yaml"), "artifact-list");
        }

        @Override
        boolean table() {
            return view.table(cli());
        }

        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.artifacts(ListArtifactsRequest.of(project, env, all, wholeNumber("limit", limit), cursor, user(rt)));
        }
    }

    @Command(name = "runs", mixinStandardHelpOptions = true,
            description = "The environment's recent runs, newest first, a page at a time (next_cursor: the next page); "
                    + "a table on a terminal, else JSON.")
    static final class Runs extends EnvCommand {
        @Option(names = "--limit", paramLabel = "N", description = "at most N runs, 1 to 1000 (default: 50)")
        String limit;

        @Option(names = "--cursor", paramLabel = "CURSOR", description = "the page after this one: the next_cursor of the previous page")
        String cursor;

        @CommandLine.Mixin
        ViewOptions view;

        @Override
        OpsRuntime.Scope scope() {
            return OpsRuntime.Scope.only(List.of("operations.camel.yaml"), "run-list");
        }

        @Override
        boolean table() {
            return view.table(cli());
        }

        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.runs(ListRunsRequest.of(project, env, wholeNumber("limit", limit), cursor, user(rt)));
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "One run: status, steps completed, failure and evidence files (exit 0 when it succeeded); "
                    + "one field a line on a terminal, else JSON.")
    static final class Run extends RuntimeCommand {
        @Parameters(paramLabel = "ID", description = "the run id")
        String id;

        @CommandLine.Mixin
        ViewOptions view;

        @Override
        OpsRuntime.Scope scope() {
            return OpsRuntime.Scope.only(List.of("operations.camel.yaml"), "run-get");
        }

        @Override
        boolean table() {
            return view.table(cli());
        }

        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.run(id, user(rt));
        }
    }

    @Command(name = "verify-artifact", mixinStandardHelpOptions = true,
            description = "Re-read an artifact from the store: every checksum and pg_restore --list (exit 0 when all pass).")
    static final class VerifyArtifact extends RuntimeCommand {
        @Parameters(paramLabel = "ID", description = "the artifact id")
        String id;

        @Option(names = "--read-data", description = "packed artifacts: read the packs and check every file's SHA-1 "
                + "against the index (otherwise packs are checked for presence and size)")
        boolean readData;

        @Option(names = "--sample", paramLabel = "PCT", description = "with --read-data: read this percentage of the packs, "
                + "chosen at random (default: 100)")
        String sample;

        @Override
        int run(Commands commands, OpsRuntime rt) {
            Integer pct = wholeNumber("sample", sample);
            return commands.verifyArtifact(new dev.odooops.model.ArtifactRequest(id, readData, pct == null ? 100 : pct, user(rt)));
        }
    }

    @Command(name = "pin", mixinStandardHelpOptions = true, description = "Pin an artifact: retention never prunes it.")
    static final class Pin extends RuntimeCommand {
        @Parameters(paramLabel = "ID", description = "the artifact id")
        String id;

        @Option(names = "--reason", paramLabel = "TEXT", description = "why it is held (a legal hold: an audit, a dispute); shown by artifacts")
        String reason;

        @Option(names = "--until", paramLabel = "DATE", description = "end of the hold: a date (to the end of that day, UTC) "
                + "or an instant; afterwards retention treats the artifact as unpinned (default: until unpin)")
        String until;

        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.pin(new PinRequest(id, true, reason, PinRequest.until("until", until), user(rt)));
        }
    }

    @Command(name = "unpin", mixinStandardHelpOptions = true, description = "Unpin an artifact: back under the retention policy.")
    static final class Unpin extends RuntimeCommand {
        @Parameters(paramLabel = "ID", description = "the artifact id")
        String id;

        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.pin(new PinRequest(id, false, user(rt)));
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "A project's store against the catalog: packs live artifacts need that are missing or damaged "
                    + "(exit 1), packs nobody refers to.")
    static final class Check extends RuntimeCommand {
        @Option(names = "--project", paramLabel = "P", required = true, description = "the project")
        String project;

        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.check(new dev.odooops.model.CheckRequest(project, user(rt)));
        }
    }

    @Command(name = "rekey", mixinStandardHelpOptions = true,
            description = "Write a project's live artifacts and packs that are encrypted to older recipients (or stored in plain "
                    + "text) again for the recipients configured now, so that a retired key can be destroyed; a run per "
                    + "environment (exit 1 when something is left: run it again). Needs an identity holding the old key.")
    static final class Rekey extends RuntimeCommand {
        @Option(names = "--project", paramLabel = "P", required = true, description = "the project")
        String project;

        @Option(names = "--dry-run", description = "list the packs and artifacts that would be written again; change nothing")
        boolean dryRun;

        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.rekey(new dev.odooops.model.RekeyRequest(project, dryRun, user(rt)));
        }
    }

    @Command(name = "check-neutralization", mixinStandardHelpOptions = true,
            description = "Is the environment neutralised (crons, mail servers, odoo.conf smtp_server, production secrets by "
                    + "hash, uuid, web.base.url, is_neutralized, queued mails)? Exit 0 when it is, 1 with one remediation line per problem.")
    static final class CheckNeutralization extends EnvCommand {
        @Option(names = "--json", description = "print the report as JSON")
        boolean json;

        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.checkNeutralization(new dev.odooops.model.CheckNeutralizationRequest(project, env, user(rt)), json);
        }
    }

    @Command(name = "copy", mixinStandardHelpOptions = true,
            description = "A neutralised copy of an environment into a non-production one, through the restore (safety backup, "
                    + "rollback), neutralised and checked before Odoo starts on it; prints the run as JSON (exit 1: failed, rolled back).")
    static final class Copy extends RuntimeCommand {
        @Option(names = "--from", paramLabel = "E|P/E", required = true, description = "the source environment")
        String from;

        @Option(names = "--to", paramLabel = "E|P/E", required = true, description = "the target environment (never production)")
        String to;

        @Option(names = "--project", paramLabel = "P", description = "the target's project, when E alone is in several projects")
        String project;

        @Option(names = "--artifact", paramLabel = "A", description = "this artifact of the source (default: its newest full backup)")
        String artifact;

        @Option(names = "--snapshot", paramLabel = "S", description = "this sanitized_snapshot artifact of the source")
        String snapshot;

        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.copy(new dev.odooops.model.CopyRequest(project, to, from, artifact, snapshot, user(rt), "cli"));
        }
    }

    @Command(name = "store", mixinStandardHelpOptions = true, subcommands = {Cli.StoreCopy.class},
            description = "The artifact stores: `store copy --to STORE [--env E]`.")
    static final class Store extends Group {
    }

    @Command(name = "copy", mixinStandardHelpOptions = true,
            description = "Copy the live artifacts (with their packs) of other stores to STORE, read them back, and re-point "
                    + "the catalog there; the source stores are left as they were (exit 1 when one failed: run it again).")
    static final class StoreCopy extends RuntimeCommand {
        @Option(names = "--to", paramLabel = "STORE", required = true,
                description = "a configured store's name: store.name (default current) or a store.previous entry's")
        String to;

        @Option(names = "--env", paramLabel = "E|P/E", description = "only this environment's artifacts (default: every environment's)")
        String env;

        @Option(names = "--project", paramLabel = "P", description = "the project, when E alone is in several projects")
        String project;

        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.storeCopy(new dev.odooops.model.StoreCopyRequest(to, project, env, user(rt)));
        }
    }

    @Command(name = "snapshot", mixinStandardHelpOptions = true,
            description = "A sanitised snapshot: the environment's newest (or the named) full backup restored into a scratch "
                    + "database and directory, anonymised there, stored as an artifact of kind sanitized_snapshot; the scratch "
                    + "copies dropped (exit 1 when the run failed).")
    static final class Snapshot extends RuntimeCommand {
        @Option(names = "--env", paramLabel = "E|P/E", required = true, description = "the environment (production is only read)")
        String env;

        @Option(names = "--project", paramLabel = "P", description = "the project, when E alone is in several projects")
        String project;

        @Option(names = "--sanitize", description = "required: the snapshot is anonymised (there is no other kind)")
        boolean sanitize;

        @Option(names = "--artifact", paramLabel = "ID", description = "the backup to start from (default: the newest live full backup)")
        String artifact;

        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.snapshot(new dev.odooops.model.SnapshotRequest(project, env, sanitize, artifact, user(rt), "cli"));
        }
    }

    @Command(name = "drill", mixinStandardHelpOptions = true,
            description = "A restore drill: the environment's newest (or the named) full backup restored into scratch copies "
                    + "(on the drill server when drills.database is set), validated without touching the environment, its RTO "
                    + "recorded, the copies dropped; prints the run as JSON (exit 1 when the drill failed).")
    static final class Drill extends RuntimeCommand {
        @Option(names = "--env", paramLabel = "E|P/E", required = true, description = "the environment (only its store is read)")
        String env;

        @Option(names = "--project", paramLabel = "P", description = "the project, when E alone is in several projects")
        String project;

        @Option(names = "--artifact", paramLabel = "ID", description = "the backup to drill (default: the newest live full backup)")
        String artifact;

        @Option(names = "--json", description = "JSON output (the default: the report is always JSON)")
        boolean json;

        @Override
        OpsRuntime.Scope scope() {
            return OpsRuntime.Scope.only(List.of("drill.camel.yaml"), "drill", "drill-run", "drill-failed");
        }

        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.drill(new dev.odooops.model.DrillRequest(project, env, artifact, user(rt), "cli"));
        }
    }

    @Command(name = "pr-env", mixinStandardHelpOptions = true, subcommands = {Cli.PrEnvCreate.class, Cli.PrEnvDelete.class,
            Cli.PrEnvList.class}, description = "Pull-request environments: `pr-env create|delete --project P --pr N`, `pr-env list`.")
    static final class PrEnv extends Group {
    }

    /** The options of pr-env create and delete: --project P --pr N. */
    abstract static class PrEnvCommand extends RuntimeCommand {
        @Option(names = "--project", paramLabel = "P", required = true, description = "the project (it has pr_environments)")
        String project;

        @Option(names = "--pr", paramLabel = "N", required = true, description = "the pull request's number")
        String pr;

        int number() {
            Integer n = wholeNumber("pr", pr);
            if (n == null || n < 1) throw new RequestRejected("pr", "expected a pull request number from 1, got '" + pr + "'");
            return n;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Make pull-request environment P/pr-N (database <project>_pr_<N>, its filestore, .env.pr-<N>) from the "
                    + "newest sanitised snapshot of production, or empty; prints the run as JSON (exit 1 when it failed: "
                    + "what it made is removed).")
    static final class PrEnvCreate extends PrEnvCommand {
        @Option(names = "--from", paramLabel = "SOURCE", defaultValue = "snapshot", description = "snapshot | staging | empty (default: ${DEFAULT-VALUE})")
        String from;

        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.prEnv(rt.operations().prEnvCreate(new dev.odooops.model.PrEnvCreateRequest(project, number(), from,
                    user(rt), "cli")));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Remove pull-request environment P/pr-N: database, filestore, .env file, catalog rows (exit 0 when "
                    + "there is nothing to remove).")
    static final class PrEnvDelete extends PrEnvCommand {
        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.prEnv(rt.operations().prEnvDelete(new dev.odooops.model.PrEnvDeleteRequest(project, number(),
                    dev.odooops.model.PrEnvDeleteRequest.OPERATION, user(rt), "cli")));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The pull-request environments with their age (as JSON).")
    static final class PrEnvList extends RuntimeCommand {
        @Option(names = "--project", paramLabel = "P", description = "only this project's")
        String project;

        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.prEnv(rt.operations().prEnvList(new dev.odooops.model.PrEnvListRequest(project, user(rt))));
        }
    }

    @Command(name = "import-odoo-zip", mixinStandardHelpOptions = true,
            description = "Import an Odoo backup zip (database manager, Odoo.sh: dump.sql, filestore/, manifest.json) as a "
                    + "verified artifact of the environment (kind imported); exit 1 when the zip is refused.")
    static final class ImportOdooZip extends EnvCommand {
        @Option(names = "--file", paramLabel = "ZIP", required = true, description = "the zip (a relative path is taken from the current directory)")
        String file;

        @Option(names = "--odoo-version", paramLabel = "SERIES", description = "the series the environment's server runs "
                + "(17.0), when it cannot be learned from odoo.version_command or odoo.health_url")
        String odooVersion;

        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.importOdooZip(new dev.odooops.model.ImportZipRequest(project, env,
                    java.nio.file.Path.of(file).toAbsolutePath().normalize().toString(), odooVersion, user(rt), "cli"));
        }
    }

    @Command(name = "export-odoo-zip", mixinStandardHelpOptions = true,
            description = "Write an artifact as an Odoo backup zip that Odoo's database manager restores (dump.sql, "
                    + "filestore/, manifest.json); never overwrites FILE.")
    static final class ExportOdooZip extends RuntimeCommand {
        @Parameters(paramLabel = "ARTIFACT", description = "the artifact id")
        String id;

        @Option(names = "--out", paramLabel = "FILE", required = true, description = "the zip to write (must not exist)")
        String out;

        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.exportOdooZip(new dev.odooops.model.ExportZipRequest(null, null, id,
                    java.nio.file.Path.of(out).toAbsolutePath().normalize().toString(), user(rt), "cli"));
        }
    }

    @Command(name = "retention", mixinStandardHelpOptions = true, subcommands = {Cli.RetentionPlan.class},
            description = "Retention of an environment's artifacts: `retention plan --env E`.")
    static final class Retention extends Group {
    }

    /** A group of commands ({@code store}, {@code retention}): run alone, it names its subcommands. */
    abstract static class Group implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), spec.name() + ": which? "
                    + String.join(", ", spec.subcommands().keySet()));
        }
    }

    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = "What retention would prune now in each series of the environment, and why; changes nothing.")
    static final class RetentionPlan extends EnvCommand {
        @Option(names = "--keep-daily", paramLabel = "N", description = "as a backup with this override would plan")
        String keepDaily;

        @Option(names = "--keep-weekly", paramLabel = "N", description = "as a backup with this override would plan")
        String keepWeekly;

        @Option(names = "--keep-monthly", paramLabel = "N", description = "as a backup with this override would plan")
        String keepMonthly;

        @Option(names = "--keep-yearly", paramLabel = "N", description = "as a backup with this override would plan")
        String keepYearly;

        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.retentionPlan(new dev.odooops.model.RetentionPlanRequest(project, env,
                    wholeNumber("keep-daily", keepDaily), wholeNumber("keep-weekly", keepWeekly),
                    wholeNumber("keep-monthly", keepMonthly), wholeNumber("keep-yearly", keepYearly), user(rt)));
        }
    }

    @Command(name = "schedules", mixinStandardHelpOptions = true,
            description = "The backup schedules of the environments file, with their state (NORMAL, PAUSED) and next fire time.")
    static final class ListSchedules extends RuntimeCommand {
        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.schedules(user(rt));
        }
    }

    @Command(name = "pause-schedule", mixinStandardHelpOptions = true,
            description = "Pause a schedule on every serve instance, until resumed (no restart needed).")
    static final class PauseSchedule extends RuntimeCommand {
        @Parameters(paramLabel = "KEY", description = "<project>.<env>.<name>, as `schedules` lists it")
        String key;

        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.pauseSchedule(key, true, user(rt));
        }
    }

    @Command(name = "resume-schedule", mixinStandardHelpOptions = true, description = "Resume a paused schedule.")
    static final class ResumeSchedule extends RuntimeCommand {
        @Parameters(paramLabel = "KEY", description = "<project>.<env>.<name>, as `schedules` lists it")
        String key;

        @Override
        int run(Commands commands, OpsRuntime rt) {
            return commands.pauseSchedule(key, false, user(rt));
        }
    }

    @Command(name = "completion", mixinStandardHelpOptions = true,
            description = "Print a bash/zsh completion script: source <(odoo-ops completion)")
    static final class Completion implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Override
        public Integer call() {
            cli.out.print(AutoComplete.bash("odoo-ops", cli.spec.commandLine()));
            return Commands.OK;
        }
    }
}
