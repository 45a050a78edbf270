package dev.odooops.config;

import java.net.URI;
import java.util.List;

/**
 * How odoo-ops talks to a running Odoo: each action is either a command (argument list, no shell) or an
 * HTTP call. Unset actions are skipped and recorded as such. quiesce/resume are Odoo's maintenance mode.
 * {@code logFile} is scanned for ERROR/CRITICAL lines after a restart; {@code validateCommand} (e.g.
 * {@code odoo-bin -d DB --stop-after-init}) must exit 0 after a restore.
 */
public record OdooControl(Action quiesce, Action resume, Action stop, Action start, URI healthUrl, int timeoutSeconds,
                          java.nio.file.Path logFile, java.util.List<String> validateCommand) {

    public static final OdooControl NONE = new OdooControl(null, null, null, null, null, 120, null, java.util.List.of());

    public record Action(List<String> command, URI httpUrl, String httpMethod) {
        public boolean isCommand() {
            return command != null && !command.isEmpty();
        }

        public String describe() {
            return isCommand() ? "command " + command.get(0) : httpMethod + " " + httpUrl;
        }
    }
}
