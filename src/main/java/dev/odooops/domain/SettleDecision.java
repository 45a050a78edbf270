package dev.odooops.domain;

import java.time.Duration;

/**
 * Whether a restore's safety backup waits for PostgreSQL's statistics to settle before it may reuse an unchanged
 * artifact ({@code restore.safety-settle-seconds}), or takes its copy at once. Settling is worth it only when it is
 * shorter than the copy it may save: so it is done when the environment's last copy (a safety or regular backup)
 * took longer than the settle window (or the window is 0 s, which costs nothing), and never when no copy was timed yet
 * or the last one was faster. The
 * attempt to reuse may then never make a restore slower than taking the copy (up to the window, when the settled
 * fingerprint differs after all).
 *
 * @param settle whether to wait the window and compare again
 * @param why    the reason, for unchanged_check.json and pre_restore_backup.json
 */
public record SettleDecision(boolean settle, String why) {
    /** @param lastCopy how long the environment's last copy took, or null when none is recorded */
    public static SettleDecision of(Duration lastCopy, Duration window) {
        if (window.isZero()) {
            return new SettleDecision(true, "a settle window of 0 s costs nothing: the fingerprint is read again at once");
        }
        if (lastCopy == null) {
            return new SettleDecision(false, "no earlier copy of this environment is timed: taking the copy at once "
                    + "rather than waiting " + window.toSeconds() + " s for the statistics to settle");
        }
        if (lastCopy.compareTo(window) > 0) {
            return new SettleDecision(true, "the last copy took " + lastCopy.toSeconds() + " s, longer than the "
                    + window.toSeconds() + " s settle window: waiting for the statistics to settle is cheaper");
        }
        return new SettleDecision(false, "the last copy took " + lastCopy.toSeconds() + " s, no longer than the "
                + window.toSeconds() + " s settle window: taking the copy at once is faster than settling");
    }
}
