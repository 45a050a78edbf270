package dev.odooops.odoo;

import dev.odooops.config.EnvironmentConfig;

import java.util.List;
import java.util.Map;

/**
 * Whether an environment's database and config are neutralised (issue 14, section 3). STUB: the neutralisation work
 * (helper "neutral") replaces the body and the constructor; keep {@link #check} and {@link Result}.
 */
public class NeutralizationCheck {
    /** {@code problems}: one remediation line each, never a secret's value; {@code detail}: the JSON report. */
    public record Result(boolean ok, List<String> problems, Map<String, Object> detail) {
    }

    /**
     * Checks {@code target} against {@code production} (the project's production environment whose secrets and uuid
     * must not be found in the target; null when the project has none).
     */
    public Result check(EnvironmentConfig target, EnvironmentConfig production) {
        throw new UnsupportedOperationException("the neutralisation check is not built yet");
    }
}
