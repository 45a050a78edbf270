package dev.odooops.config;

import java.net.URI;
import java.util.List;

/**
 * How odoo-ops talks to a running Odoo: each action is either a command (argument list, no shell) or an
 * HTTP call. Unset actions are skipped and recorded as such.
 */
public record OdooControl(Action quiesce, Action resume, Action stop, Action start, URI healthUrl, int timeoutSeconds) {

    public record Action(List<String> command, URI httpUrl, String httpMethod) {
        public boolean isCommand() {
            return command != null && !command.isEmpty();
        }

        public String describe() {
            return isCommand() ? "command " + command.get(0) : httpMethod + " " + httpUrl;
        }
    }
}
