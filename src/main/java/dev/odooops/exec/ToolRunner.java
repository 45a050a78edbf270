package dev.odooops.exec;

import dev.odooops.domain.SecretRedactor;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.exec.ExecBinding;
import org.apache.camel.component.exec.ExecEndpoint;
import org.apache.camel.component.exec.ExecResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs external tools (pg_dump, pg_restore, tar, git, operator commands) through camel-exec: the argument
 * list goes in the {@code CamelExecCommandArgs} header, never through a shell. This is the one place where
 * exit codes, time-outs and stderr become {@link ToolFailedException}s. While a tool runs, the growth of what
 * it produces (a file, a directory, a database) is logged as progress.
 * <p>
 * Every child runs as {@code /usr/bin/env -i NAME=value... /usr/bin/setsid /usr/bin/setpriv --pdeathsig KILL -- tool args}
 * (exec has no environment option; all four exec into one another, so they are one process):
 * <ul>
 * <li>{@code env -i}: the child inherits nothing from odoo-ops but the allow-list of {@link ChildEnvironment}
 *     and the variables its call passes, so the secrets in odoo-ops's environment (S3 keys, database passwords
 *     of {@code ${env:...}} references) never reach pg_dump's or an operator command's environment. Values are
 *     never logged.</li>
 * <li>{@code setsid}: the child leads a session and process group of its own, so a signal meant for odoo-ops's
 *     group (a terminal's Ctrl-C, {@code kill -TERM -PGID}, serve's stop) does not reach it: a running pg_dump ends
 *     its work while {@code serve} drains ({@code service.shutdown-grace-seconds}). A child the group's signal reaches in
 *     the few milliseconds before setsid runs had not begun: it is started again ({@link #stopSignalled}). At its time-out the whole group
 *     is ended ({@link ProcessGroupExecutor}), grandchildren included. setsid does not change the parent, so the
 *     parent-death signal below still fires when the JVM dies.</li>
 * <li>{@code setpriv --pdeathsig KILL}: the kernel kills the child when its parent dies, so a killed JVM leaves
 *     no pg_restore or tar writing into side copies until the next run. PR_SET_PDEATHSIG fires when the
 *     <em>thread</em> that forked the child ends, not the process; that is safe here because camel-exec's
 *     producer is synchronous: commons-exec forks the child from the calling thread, and that thread blocks in
 *     {@link #run} until the child has ended (or was stopped at its time-out). A tool's own children (tar's
 *     zstd, pg_restore's workers) end with it, on the broken pipe or closed connection; an operator command that
 *     starts a long child of its own should {@code exec} it.</li>
 * <li>{@code nice -n ops.tool-nice} (odoo-ops's own tools only): a backup's pg_dump, tar and zstd give way
 *     to Odoo and to the service's answers on the same machine; Odoo's own commands are never niced.</li>
 * </ul>
 */
public class ToolRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ToolRunner.class);
    static final String ENDPOINT = "exec:/usr/bin/env?useStderrOnEmptyStdout=false";
    private static final int STDERR_TAIL = 4000;
    private static final int EXIT_KILLED = 143;
    static final String SETPRIV = "/usr/bin/setpriv";
    static final String SETSID = "/usr/bin/setsid";
    static final String NICE = "/usr/bin/nice";

    private final ProducerTemplate template;
    private final SecretRedactor redactor;
    private final Duration progressEvery;
    private final ChildEnvironment childEnvironment;
    private final boolean parentDeathSignal;
    private final boolean ownGroup;
    private final int toolNice;

    /** Children get only the base variables of {@link ChildEnvironment} from odoo-ops's environment. */
    public ToolRunner(ProducerTemplate template, SecretRedactor redactor, Duration progressEvery) {
        this(template, redactor, progressEvery, ChildEnvironment.of(System::getenv));
    }

    public ToolRunner(ProducerTemplate template, SecretRedactor redactor, Duration progressEvery, ChildEnvironment childEnvironment) {
        this(template, redactor, progressEvery, childEnvironment, 0);
    }

    /**
     * @param toolNice the niceness odoo-ops's own tools run at ({@code ops.tool-nice}, 0 to 19; 0: as odoo-ops);
     *                 operator commands (Odoo's start, stop, validate) always run at odoo-ops's own priority
     */
    public ToolRunner(ProducerTemplate template, SecretRedactor redactor, Duration progressEvery, ChildEnvironment childEnvironment,
                      int toolNice) {
        if (toolNice < 0 || toolNice > 19) throw new IllegalArgumentException("tool niceness must be 0 to 19, got " + toolNice);
        this.toolNice = toolNice;
        this.template = template;
        this.redactor = redactor;
        this.progressEvery = progressEvery;
        this.childEnvironment = childEnvironment;
        this.parentDeathSignal = Files.isExecutable(Path.of(SETPRIV));
        if (!parentDeathSignal) {
            LOG.warn("{} not found (util-linux): child processes will outlive a killed odoo-ops", SETPRIV);
        }
        this.ownGroup = Files.isExecutable(Path.of(SETSID));
        if (!ownGroup) {
            LOG.warn("{} not found (util-linux): a signal to odoo-ops's process group stops its child processes too", SETSID);
        }
        template.getCamelContext().getEndpoint(ENDPOINT, ExecEndpoint.class).setCommandExecutor(new ProcessGroupExecutor(ownGroup));
    }

    /**
     * What a long-running tool has produced so far, for progress lines: a name, a size in bytes and, when known, the
     * size when done ({@code total}; 0 when unknown: the terminal line then has no percentage and no ETA).
     */
    public record Progress(String what, java.util.function.LongSupplier bytes, long total) {
        public Progress(String what, java.util.function.LongSupplier bytes) {
            this(what, bytes, 0);
        }

        /** The same progress with its total known. */
        public Progress of(long totalBytes) {
            return new Progress(what, bytes, totalBytes);
        }

        /**
         * The bytes of the members tar has archived so far, read from the long listing it writes as it goes
         * ({@code --verbose --index-file=}, see {@link dev.odooops.domain.TarListing}), against {@code total}: the
         * input's progress, where the compressed archive's size says little.
         */
        public static Progress tarListing(String what, Path listing, long total) {
            long[] state = new long[2]; // bytes of the listing read, member bytes counted
            return new Progress(what, () -> {
                synchronized (state) {
                    try (var ch = java.nio.channels.FileChannel.open(listing)) {
                        long size = ch.size();
                        if (size <= state[0]) return state[1];
                        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) Math.min(size - state[0], 8 << 20));
                        ch.read(buf, state[0]);
                        String chunk = new String(buf.array(), 0, buf.position(), java.nio.charset.StandardCharsets.UTF_8);
                        int end = chunk.lastIndexOf('\n');
                        if (end < 0) return state[1];
                        for (var m : dev.odooops.domain.TarListing.parse(chunk.substring(0, end + 1))) state[1] += m.size();
                        state[0] += chunk.substring(0, end + 1).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                    } catch (IOException | RuntimeException e) {
                        // not there yet, or a line tar is still writing: the last count stands
                    }
                    return state[1];
                }
            }, total);
        }
        /** The size of a file the tool writes. */
        public static Progress file(Path file) {
            return new Progress(file.getFileName().toString(), () -> {
                try {
                    return Files.exists(file) ? Files.size(file) : 0;
                } catch (IOException e) {
                    return 0;
                }
            });
        }

        /** The total size of the files under a directory the tool fills. */
        public static Progress directory(Path dir) {
            return new Progress(dir.getFileName().toString(), () -> {
                try (var walk = Files.walk(dir)) {
                    return walk.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
                } catch (IOException | java.io.UncheckedIOException e) {
                    return 0;
                }
            });
        }
    }

    /** A short tool: no progress lines. */
    public ToolResult run(List<String> argv, Map<String, String> env, Duration timeout) {
        return run(argv, env, timeout, null);
    }

    /** A tool of odoo-ops's own (pg_dump, pg_restore, tar, git) with the variables {@code env} adds. */
    public ToolResult run(List<String> argv, Map<String, String> env, Duration timeout, Progress progressOf) {
        return execute(toolNice == 0 ? argv : niced(argv), childEnvironment.tools(), env, timeout, progressOf);
    }

    /**
     * A tool of odoo-ops's own at odoo-ops's priority, not {@code ops.tool-nice}: a restore's {@code pg_restore}, whose
     * client only feeds the server's backend (which does the work at the server's priority) while the restore's other
     * work runs in odoo-ops itself. Niced, the client starved that backend whenever the machine was busy, and the
     * load (the restore's longest part) waited: a disaster recovery at SCALE=100 on 2 cores took 22.2-22.8 s without
     * niceness against 23.2-23.8 s with 10.
     */
    public ToolResult runAtOwnPriority(List<String> argv, Map<String, String> env, Duration timeout, Progress progressOf) {
        return execute(argv, childEnvironment.tools(), env, timeout, progressOf);
    }

    /** An operator's command (an odoo.* action, validate_command): the base variables and those of ops.command-env. */
    public ToolResult runCommand(List<String> argv, Duration timeout) {
        return execute(argv, childEnvironment.commands(), Map.of(), timeout, null);
    }

    /** As {@link #runCommand(List, Duration)} with the variables {@code env} adds (a drill command's PGPASSWORD). */
    public ToolResult runCommand(List<String> argv, Map<String, String> env, Duration timeout) {
        return execute(argv, childEnvironment.commands(), env, timeout, null);
    }

    /**
     * An operator's command that serves until stopped (a drill's scratch Odoo with a health URL): started as
     * {@link #runCommand} starts one (the same environment, its own process group, killed with the JVM), output to
     * {@code log}; {@link Server#stop} ends its whole group.
     */
    public Server startCommand(List<String> argv, Map<String, String> env, Path log) throws IOException {
        List<String> args = new ArrayList<>();
        args.add("/usr/bin/env");
        args.addAll(commandLine(argv, childEnvironment.commands(), env));
        ProcessBuilder pb = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().clear();
        return new Server(pb.start(), ownGroup);
    }

    /** A command {@link #startCommand} started. */
    public static final class Server {
        private final Process process;
        private final boolean ownGroup;

        Server(Process process, boolean ownGroup) {
            this.process = process;
            this.ownGroup = ownGroup;
        }

        public boolean alive() {
            return process.isAlive();
        }

        /** Its exit code, once it has ended. */
        public int exitValue() {
            return process.exitValue();
        }

        /** SIGTERM to its process group, SIGKILL after {@code grace}; returns once the leader has ended. */
        public void stop(Duration grace) throws InterruptedException {
            if (!process.isAlive()) return;
            signal("-TERM");
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                signal("-KILL");
                process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
            }
            if (ownGroup) signal("-KILL"); // what is left of the group (a grandchild holding the port)
        }

        private void signal(String sig) {
            try {
                String target = ownGroup ? "-" + process.pid() : String.valueOf(process.pid());
                new ProcessBuilder(ProcessGroupExecutor.KILL, sig, "--", target).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                process.destroyForcibly();
            }
        }
    }

    /** {@code nice -n N tool args}: nice execs the tool, so it stays one process (and setpriv's child). */
    private List<String> niced(List<String> argv) {
        List<String> out = new ArrayList<>(List.of(NICE, "-n", String.valueOf(toolNice)));
        out.addAll(argv);
        return out;
    }

    /** The argument list handed to {@code /usr/bin/env}: the child's whole environment, then the tool. */
    List<String> commandLine(List<String> argv, Map<String, String> inherited, Map<String, String> env) {
        Map<String, String> vars = new java.util.LinkedHashMap<>(inherited);
        vars.putAll(env);
        List<String> args = new ArrayList<>();
        args.add("-i");
        vars.forEach((k, v) -> args.add(k + "=" + v));
        if (ownGroup) args.add(SETSID);
        if (parentDeathSignal) args.addAll(List.of(SETPRIV, "--pdeathsig", "KILL", "--"));
        args.addAll(argv);
        return args;
    }

    private ToolResult execute(List<String> argv, Map<String, String> inherited, Map<String, String> env, Duration timeout,
                               Progress progressOf) {
        String tool = Path.of(argv.get(0).equals(NICE) ? argv.get(3) : argv.get(0)).getFileName().toString();
        List<String> args = commandLine(argv, inherited, env);
        long start = System.nanoTime();
        ScheduledExecutorService progress = progressOf == null ? null : startProgress(tool, progressOf, start);
        Launch run;
        try {
            for (int attempt = 1; ; attempt++) {
                run = launch(args, timeout);
                if (attempt > RELAUNCHES || run.millis() >= timeout.toMillis() || !(run.failure() != null || run.code() == EXIT_KILLED
                        || run.code() == EXIT_INTERRUPTED) || !killedBeforeItsSession()) break;
                LOG.warn("{} was {} by the stop signal to odoo-ops's process group before it had a session of its own; "
                        + "it had not begun: started again", tool, run.failure() != null ? "prevented from starting" : "ended");
            }
        } finally {
            if (progress != null) endProgress(progress);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (run.failure() != null) {
            throw new ToolFailedException(tool, -1, tool + " could not run: " + run.failure());
        }
        String stdout = run.stdout();
        String stderr = run.stderr();
        int code = run.code();
        // a tool still running at its time-out is killed; whatever it then exits with (a command that traps
        // SIGTERM may exit 0), it did not finish its work: that is a failure (the time-out is each launch's)
        if (run.millis() >= timeout.toMillis()) {
            throw new ToolFailedException(tool, code, tool + " timed out after " + timeout.toSeconds() + " s and was stopped");
        }
        if (code != 0) {
            throw new ToolFailedException(tool, code, tool + " exited with " + code + (stderr.isBlank() ? "" : ": " + stderr.strip()));
        }
        LOG.debug("{} finished in {} ms", tool, millis);
        return new ToolResult(code, stdout, stderr, millis);
    }

    /** One launch of the child: its exit code and output, or why it could not run (redacted). */
    private record Launch(int code, String stdout, String stderr, String failure, long millis) {
    }

    private Launch launch(List<String> args, Duration timeout) {
        long start = System.nanoTime();
        Exchange result = template.request(ENDPOINT, ex -> {
            ex.getMessage().setHeader(ExecBinding.EXEC_COMMAND_ARGS, args);
            ex.getMessage().setHeader(ExecBinding.EXEC_COMMAND_TIMEOUT, timeout.toMillis());
        });
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (result.getException() != null) {
            // camel-exec's message names the command only ("Unable to execute command ExecCommand [...]", with the
            // child's environment: never logged); its causes (the launch's IOException) say why
            Exception e = result.getException();
            StringBuilder why = new StringBuilder();
            for (Throwable c = e.getCause(); c != null && why.length() < 2000; c = c.getCause()) {
                why.append(why.isEmpty() ? "" : "; caused by ").append(c.getClass().getSimpleName()).append(": ").append(c.getMessage());
            }
            return new Launch(-1, "", "", redactor.scrub(why.isEmpty() ? String.valueOf(e.getMessage()) : why.toString()), millis);
        }
        ExecResult exec = result.getMessage().getBody(ExecResult.class);
        return new Launch(exec.getExitValue(), read(exec.getStdout(), Integer.MAX_VALUE),
                redactor.scrub(read(exec.getStderr(), STDERR_TAIL)), null, millis);
    }

    /**
     * Called when serve's stop begins (SIGTERM or SIGINT, which a terminal and {@code kill -TERM -PGID} send to the
     * whole process group). A child leaves that group only when setsid runs: for the few milliseconds between the
     * JVM's fork and setsid (longer on a loaded machine) it is still in it, and the group's signal ends it (143,
     * 130) or its launch (the JVM's spawn helper) before the tool began. Such a child is started again (see
     * {@link #killedBeforeItsSession}); a tool that began is in its own session, so the group's signal never
     * reaches it.
     */
    public void stopSignalled() {
        stopSignalled = true;
    }

    private volatile boolean stopSignalled;
    /** How often one call starts a child the stop signal ended before its session: more means something else kills it. */
    static final int RELAUNCHES = 2;
    private static final int EXIT_INTERRUPTED = 130;

    /**
     * Whether a child that ended by SIGTERM or SIGINT, or could not be launched, was ended by serve's stop signal:
     * only with children in sessions of their own (setsid), and only once the stop began. The JVM runs the stop on
     * a thread of its own, which may learn of the signal after this one saw the child end: it is given a moment.
     */
    private boolean killedBeforeItsSession() {
        if (!ownGroup) return false;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (!stopSignalled && System.nanoTime() < until) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return stopSignalled;
    }

    /** Where progress lines are drawn (a terminal's stderr), or null: set by the command line, never by serve. */
    private volatile java.io.PrintStream terminal;

    /**
     * Draws a progress line of every long tool on {@code terminal}, redrawn in place each second ({@code \r}) and
     * cleared when the tool ends; only the command line calls this, and only when stderr is a terminal. The log
     * keeps its own line every {@code progressEvery}, on a terminal or not.
     */
    public void drawProgressOn(java.io.PrintStream terminal) {
        this.terminal = terminal;
    }

    /**
     * Whether progress lines are drawn on a terminal: a step whose measure costs a query (pg_dump's COPY progress)
     * takes it only then, and falls back to a file's size otherwise.
     */
    public boolean drawsProgress() {
        return terminal != null;
    }

    private ScheduledExecutorService startProgress(String tool, Progress output, long start) {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "progress-" + tool);
            t.setDaemon(true);
            return t;
        });
        long every = progressEvery.toMillis();
        s.scheduleAtFixedRate(() -> {
            long size = output.bytes().getAsLong();
            double secs = (System.nanoTime() - start) / 1e9;
            LOG.info("{}: {} written to {} after {} s ({}/s)", tool, human(size), output.what(),
                    Math.round(secs), human((long) (size / Math.max(secs, 0.001))));
        }, every, every, TimeUnit.MILLISECONDS);
        java.io.PrintStream tty = terminal;
        if (tty != null) {
            s.scheduleAtFixedRate(() -> tty.print("\r" + dev.odooops.domain.ProgressLine.format(output.what(), output.bytes().getAsLong(),
                    output.total(), (System.nanoTime() - start) / 1e9) + "\033[K"), 1000, 1000, TimeUnit.MILLISECONDS);
        }
        return s;
    }

    /** The end of a tool's progress: its line cleared from the terminal. */
    private void endProgress(ScheduledExecutorService progress) {
        progress.shutdownNow();
        java.io.PrintStream tty = terminal;
        if (tty != null) {
            try {
                progress.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            tty.print("\r\033[K");
            tty.flush();
        }
    }

    public static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f %s", v, units[u]);
    }

    private static String read(InputStream in, int tail) {
        if (in == null) return "";
        try (in) {
            String s = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return s.length() > tail ? "..." + s.substring(s.length() - tail) : s;
        } catch (IOException e) {
            return "";
        }
    }
}
