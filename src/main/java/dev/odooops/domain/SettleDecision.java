package dev.odooops.domain;

import java.time.Duration;

/**
 * Whether a restore's safety backup may take a first fingerprint match as final, wait for PostgreSQL's statistics to
 * settle before it may reuse an unchanged artifact ({@code restore.safety-settle-seconds}), or takes its copy at once.
 * <ul>
 *   <li>{@link Case#APP_STOPPED}: no other session is connected to the environment's database (Odoo is stopped):
 *   every backend that wrote has ended, and a backend flushes its statistics as it ends, so nothing is left to trail
 *   the counters and nothing writes: the first match is final, no wait.</li>
 *   <li>{@link Case#ZERO_WINDOW}: a settle window of 0 s costs nothing: the fingerprint is read again at once.</li>
 *   <li>{@link Case#SLOW_LAST_COPY}: the environment's last copy (a safety or regular backup) took longer than the
 *   window: waiting is cheaper than the copy it may save.</li>
 *   <li>{@link Case#FAST_LAST_COPY}, {@link Case#UNTIMED}: the last copy was no slower than the window, or none was
 *   timed: the copy is taken at once.</li>
 * </ul>
 * The attempt to reuse may then never make a restore slower than taking the copy (up to the window, when the settled
 * fingerprint differs after all).
 *
 * @param which  which case applied (its wire word goes into the evidence and the bench)
 * @param settle whether the first match may stand: at once ({@link #waitFirst()} false) or after the window and a
 *               second match
 * @param why    the reason, for unchanged_check.json and pre_restore_backup.json
 */
public record SettleDecision(Case which, boolean settle, String why) {
    /** The cases, with the word the evidence names them by. */
    public enum Case {
        APP_STOPPED("app_stopped"), ZERO_WINDOW("zero_window"), SLOW_LAST_COPY("slow_last_copy"),
        FAST_LAST_COPY("fast_last_copy"), UNTIMED("untimed");

        private final String wire;

        Case(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    /** Whether the window is waited and the fingerprint read again before the match stands. */
    public boolean waitFirst() {
        return settle && which != Case.APP_STOPPED;
    }

    /** The decision when the application may be running (something is connected to its database). */
    public static SettleDecision of(Duration lastCopy, Duration window) {
        return of(lastCopy, window, -1, null);
    }

    /**
     * @param lastCopy      how long the environment's last copy took, or null when none is recorded
     * @param otherSessions how many other sessions are connected to the environment's database (-1: not known)
     * @param database      its name, for the reason
     */
    public static SettleDecision of(Duration lastCopy, Duration window, int otherSessions, String database) {
        if (window.isZero()) {
            return new SettleDecision(Case.ZERO_WINDOW, true,
                    "a settle window of 0 s costs nothing: the fingerprint is read again at once");
        }
        if (otherSessions == 0) {
            return new SettleDecision(Case.APP_STOPPED, true, "nothing is connected to database '" + database
                    + "' (the application is stopped): every write is counted already and nothing writes, "
                    + "so the first match is final, no settle wait");
        }
        if (lastCopy == null) {
            return new SettleDecision(Case.UNTIMED, false, "no earlier copy of this environment is timed: taking the "
                    + "copy at once rather than waiting " + window.toSeconds() + " s for the statistics to settle");
        }
        if (lastCopy.compareTo(window) > 0) {
            return new SettleDecision(Case.SLOW_LAST_COPY, true, "the last copy took " + lastCopy.toSeconds()
                    + " s, longer than the " + window.toSeconds() + " s settle window: waiting for the statistics to "
                    + "settle is cheaper");
        }
        return new SettleDecision(Case.FAST_LAST_COPY, false, "the last copy took " + lastCopy.toSeconds()
                + " s, no longer than the " + window.toSeconds() + " s settle window: taking the copy at once is "
                + "faster than settling");
    }
}
