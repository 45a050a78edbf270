package dev.odooops.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this process's stdout and stderr are terminals (isatty), as the command line decides between a table and
 * JSON (stdout) and whether to draw progress lines (stderr). Read from {@code /proc/self/fd/1} and {@code 2} (a
 * terminal is a {@code /dev/pts/N} or {@code /dev/ttyN}); where /proc cannot say, stdout falls back to
 * {@link System#console()} and stderr to "not a terminal". A command line run inside another program (the tests, a
 * caller that hands its own streams) uses {@link #NONE}: JSON, no progress.
 *
 * @param stdout a table on stdout, unless --json
 * @param stderr progress lines on stderr
 */
public record Terminal(boolean stdout, boolean stderr) {
    public static final Terminal NONE = new Terminal(false, false);

    /** This process's own stdout and stderr. */
    public static Terminal detect() {
        Boolean out = isTerminal(1);
        Boolean err = isTerminal(2);
        return new Terminal(out != null ? out : System.console() != null, err != null && err);
    }

    /** Whether file descriptor {@code fd} is a terminal, or null when /proc does not tell. */
    static Boolean isTerminal(int fd) {
        Path link = Path.of("/proc/self/fd/" + fd);
        try {
            return isTerminalDevice(Files.readSymbolicLink(link).toString());
        } catch (Exception e) {
            return null;
        }
    }

    static boolean isTerminalDevice(String target) {
        return target.startsWith("/dev/pts/") || target.matches("/dev/tty[0-9S]*[0-9]+") || target.equals("/dev/console");
    }
}
