package dev.odooops.exec;

import org.apache.camel.component.exec.ExecCommand;
import org.apache.camel.component.exec.ExecDefaultExecutor;
import org.apache.camel.component.exec.impl.DefaultExecCommandExecutor;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * camel-exec's executor for {@link ToolRunner}: the child {@link ToolRunner} starts is the leader of a process
 * group of its own ({@code setsid}), and its time-out ends that whole group, not only the leader.
 * <ul>
 * <li>At the time-out the group gets SIGTERM, and {@link #KILL_AFTER_MILLIS} later SIGKILL: a grandchild that
 *     holds the child's stdout (an action {@code sh -c 'sleep 30 & sleep 60'}) no longer keeps the call waiting
 *     for the pipe to close. camel-exec's own watchdog signals the leader alone, so it is not used.</li>
 * <li>No {@code ShutdownHookProcessDestroyer}: camel-exec's default kills every running child as soon as the
 *     JVM begins to shut down, which failed a backup 0.5 s after {@code serve} got SIGTERM. The children end with
 *     their work, within serve's shutdown grace; if the JVM dies or exits first, the parent-death signal
 *     ({@code setpriv --pdeathsig KILL}) ends them.</li>
 * </ul>
 * The group id is the leader's pid: {@code setsid} execs (it forks only when it already leads a group, which a
 * child of the JVM never does). The kernel keeps that id unused while any process of the group lives, so the
 * signal cannot reach another group.
 */
final class ProcessGroupExecutor extends DefaultExecCommandExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessGroupExecutor.class);
    static final long KILL_AFTER_MILLIS = 2000;
    static final String KILL = "/bin/kill";
    private final boolean ownGroups;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "odoo-ops-tool-timeouts");
        t.setDaemon(true);
        return t;
    });

    /** @param ownGroups whether each child leads a group of its own (setsid found); if not, the time-out signals the child alone */
    ProcessGroupExecutor(boolean ownGroups) {
        this.ownGroups = ownGroups;
    }

    @Override
    protected DefaultExecutor prepareDefaultExecutor(ExecCommand command) {
        GroupExecutor executor = new GroupExecutor(command.getTimeout(), ownGroups);
        executor.setExitValues(null);
        if (!command.getExitValues().isEmpty()) {
            executor.setExitValues(command.getExitValues().stream().mapToInt(Integer::intValue).toArray());
        }
        if (command.getWorkingDir() != null) executor.setWorkingDirectory(new File(command.getWorkingDir()).getAbsoluteFile());
        return executor;
    }

    /** One execution: arms the group's time-out when the child is launched, disarms it when the call returns. */
    private static final class GroupExecutor extends ExecDefaultExecutor {
        private final long timeoutMillis;
        private final boolean ownGroup;
        private volatile ScheduledFuture<?> term;
        private volatile ScheduledFuture<?> kill;

        GroupExecutor(long timeoutMillis, boolean ownGroup) {
            this.timeoutMillis = timeoutMillis;
            this.ownGroup = ownGroup;
        }

        /** commons-exec 1.5 launches through this overload (camel-exec's own override of the File one is not called). */
        @Override
        protected Process launch(CommandLine command, Map<String, String> env, java.nio.file.Path dir) throws IOException {
            Process process = super.launch(command, env, dir);
            if (timeoutMillis > 0 && timeoutMillis < Long.MAX_VALUE) {
                String target = ownGroup ? "-" + process.pid() : String.valueOf(process.pid());
                term = TIMER.schedule(() -> signal("TERM", target), timeoutMillis, TimeUnit.MILLISECONDS);
                kill = TIMER.schedule(() -> signal("KILL", target), timeoutMillis + KILL_AFTER_MILLIS, TimeUnit.MILLISECONDS);
            }
            return process;
        }

        @Override
        public int execute(CommandLine command) throws IOException {
            try {
                return super.execute(command);
            } finally {
                // the call returned: its pipes are closed, so nothing of the group holds them; the group is left alone
                if (term != null) term.cancel(false);
                if (kill != null) kill.cancel(false);
            }
        }
    }

    /**
     * {@code kill -s SIGNAL -- TARGET}: {@code -GROUP} reaches every process of the group; a target already gone
     * answers "no such process", which is ignored.
     */
    static void signal(String signal, String target) {
        try {
            Process p = new ProcessBuilder(KILL, "-s", signal, "--", target).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                LOG.info("time-out: SIG{} sent to {}", signal, target.startsWith("-") ? "process group " + target.substring(1)
                        : "process " + target);
            }
        } catch (IOException e) {
            LOG.warn("time-out: could not signal {}: {}", target, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
