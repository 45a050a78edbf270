package dev.odooops.exec;

import dev.odooops.domain.SecretRedactor;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.exec.ExecBinding;
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
 * list goes in the {@code CamelExecCommandArgs} header, never through a shell; environment variables are set
 * with {@code /usr/bin/env NAME=value tool ...} (exec has no environment option) and are never logged.
 * This is the one place where exit codes, time-outs and stderr become {@link ToolFailedException}s.
 * While a tool runs, the growth of what it produces (a file, a directory, a database) is logged as progress.
 */
public class ToolRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ToolRunner.class);
    static final String ENDPOINT = "exec:/usr/bin/env?useStderrOnEmptyStdout=false";
    private static final int STDERR_TAIL = 4000;
    private static final int EXIT_KILLED = 143;

    private final ProducerTemplate template;
    private final SecretRedactor redactor;
    private final Duration progressEvery;

    public ToolRunner(ProducerTemplate template, SecretRedactor redactor, Duration progressEvery) {
        this.template = template;
        this.redactor = redactor;
        this.progressEvery = progressEvery;
    }

    /** What a long-running tool has produced so far, for progress lines: a name and a size in bytes. */
    public record Progress(String what, java.util.function.LongSupplier bytes) {
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

    public ToolResult run(List<String> argv, Map<String, String> env, Duration timeout, Progress progressOf) {
        String tool = Path.of(argv.get(0)).getFileName().toString();
        List<String> args = new ArrayList<>();
        env.forEach((k, v) -> args.add(k + "=" + v));
        args.addAll(argv);
        long start = System.nanoTime();
        ScheduledExecutorService progress = progressOf == null ? null : startProgress(tool, progressOf, start);
        Exchange result;
        try {
            result = template.request(ENDPOINT, ex -> {
                ex.getMessage().setHeader(ExecBinding.EXEC_COMMAND_ARGS, args);
                ex.getMessage().setHeader(ExecBinding.EXEC_COMMAND_TIMEOUT, timeout.toMillis());
            });
        } finally {
            if (progress != null) progress.shutdownNow();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (result.getException() != null) {
            throw new ToolFailedException(tool, -1, tool + " could not run: " + redactor.scrub(result.getException().getMessage()));
        }
        ExecResult exec = result.getMessage().getBody(ExecResult.class);
        String stdout = read(exec.getStdout(), Integer.MAX_VALUE);
        String stderr = redactor.scrub(read(exec.getStderr(), STDERR_TAIL));
        int code = exec.getExitValue();
        if (code == EXIT_KILLED && millis >= timeout.toMillis()) {
            throw new ToolFailedException(tool, code, tool + " timed out after " + timeout.toSeconds() + " s and was stopped");
        }
        if (code != 0) {
            throw new ToolFailedException(tool, code, tool + " exited with " + code + (stderr.isBlank() ? "" : ": " + stderr.strip()));
        }
        LOG.debug("{} finished in {} ms", tool, millis);
        return new ToolResult(code, stdout, stderr, millis);
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
        return s;
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
