package dev.odooops.config;

import java.net.URI;
import java.util.List;

/**
 * How odoo-ops talks to a running Odoo: each action is either a command (argument list, no shell) or an
 * HTTP call. Unset actions are skipped and recorded as such. quiesce/resume are Odoo's maintenance mode.
 * {@code logFile} is scanned for ERROR/CRITICAL lines after a restart; {@code validateCommand} (e.g.
 * {@code odoo-bin -d DB --stop-after-init}) must exit 0 after a restore. {@code versionCommand} (e.g.
 * {@code odoo-bin --version}, empty when unset) prints the version of the installed server (odoo.ServerVersions).
 */
public record OdooControl(Action quiesce, Action resume, Action stop, Action start, URI healthUrl, int timeoutSeconds,
                          java.nio.file.Path logFile, java.util.List<String> validateCommand, List<String> versionCommand) {

    public static final OdooControl NONE = new OdooControl(null, null, null, null, null, 120, null, java.util.List.of());

    public OdooControl {
        versionCommand = versionCommand == null ? List.of() : List.copyOf(versionCommand);
    }

    public OdooControl(Action quiesce, Action resume, Action stop, Action start, URI healthUrl, int timeoutSeconds,
                       java.nio.file.Path logFile, java.util.List<String> validateCommand) {
        this(quiesce, resume, stop, start, healthUrl, timeoutSeconds, logFile, validateCommand, List.of());
    }

    /**
     * One action. {@code timeoutSeconds} bounds it (0: the default of its kind, see {@link #defaultTimeout});
     * a command still running then is killed and the action has failed, whatever its exit code. A start
     * command must therefore return once the service is started (systemctl start, docker compose up -d),
     * never run Odoo in the foreground.
     */
    public record Action(List<String> command, URI httpUrl, String httpMethod, int timeoutSeconds) {
        public Action(List<String> command, URI httpUrl, String httpMethod) {
            this(command, httpUrl, httpMethod, 0);
        }

        /** quiesce/resume (maintenance page): 30 s; stop and start (a service manager): 120 s. */
        public static int defaultTimeout(String kind) {
            return switch (kind) {
                case "stop", "start" -> 120;
                default -> 30;
            };
        }

        public java.time.Duration timeout(String kind) {
            return java.time.Duration.ofSeconds(timeoutSeconds > 0 ? timeoutSeconds : defaultTimeout(kind));
        }

        public boolean isCommand() {
            return command != null && !command.isEmpty();
        }

        public String describe() {
            return isCommand() ? "command " + command.get(0) : httpMethod + " " + httpUrl;
        }
    }
}
