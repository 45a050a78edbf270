package dev.odooops.domain;

/**
 * A drill judged its artifact and the artifact fell short: a validation check failed, or the drill command (Odoo
 * started on the copy) did not succeed. Always a {@link DrillVerdict#FAILED failed} drill, whatever words the checks'
 * details or Odoo's output hold (an Odoo traceback may well say "Connection refused" about a mail server).
 */
public class ArtifactJudged extends IllegalStateException {
    public ArtifactJudged(String message) {
        super(message);
    }
}
