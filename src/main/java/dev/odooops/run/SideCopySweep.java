package dev.odooops.run;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.SecretRedactor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What every new run does first about the side copies earlier restores left (restore's {@code RestoreRecovery}
 * implements it): put back an environment a dead restore left half done, remove the garbage of finished ones. The
 * run package owns the contract, the restore package the knowledge of side copies.
 */
public interface SideCopySweep {
    /** What a sweep did: actions, copies kept for the operator, copies it could not remove, and whether it put an environment back. */
    record Outcome(List<Object> actions, List<String> kept, List<String> leftovers, boolean putBack) {
        public boolean isEmpty() {
            return actions.isEmpty() && kept.isEmpty() && leftovers.isEmpty();
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("actions", actions.stream().map(String::valueOf).toList());
            if (!kept.isEmpty()) m.put("kept_for_operator", kept);
            if (!leftovers.isEmpty()) m.put("leftovers", leftovers);
            m.put("environment_put_back", putBack);
            return m;
        }
    }

    /** Sweeps the environment's side copies before {@code currentRun} starts; safe to run again after a crash. */
    Outcome sweep(EnvironmentConfig env, UUID currentRun, SecretRedactor redactor);
}
