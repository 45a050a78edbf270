package dev.odooops.domain;

import java.time.Duration;

/**
 * The retention of one environment.
 * <ul>
 *   <li>Regular backups (kind {@code backup}): grandfather-father-son counts, how many daily, weekly,
 *   monthly and yearly backups to keep (e.g. 30/0/12/10 for records kept ten years).</li>
 *   <li>Pre-restore safety backups (kind {@code pre_restore}): the last {@code preRestoreLast} and all younger
 *   than {@code preRestoreKeepWithin}; daily/weekly/monthly do not apply to them.</li>
 *   <li>{@code keepWithin}: no artifact of either series younger than this is pruned (a second backup of the
 *   same day, the state before the first of two restores).</li>
 * </ul>
 */
public record RetentionPolicy(int daily, int weekly, int monthly, Duration keepWithin, int preRestoreLast,
                              Duration preRestoreKeepWithin, int yearly) {
    public static final Duration DEFAULT_KEEP_WITHIN = Duration.ofHours(24);
    public static final int DEFAULT_PRE_RESTORE_LAST = 3;
    public static final Duration DEFAULT_PRE_RESTORE_KEEP_WITHIN = Duration.ofDays(7);
    public static final RetentionPolicy DEFAULT = new RetentionPolicy(7, 4, 3);

    /** What the planner applies to one series: GFS counts, the last N, and the age under which all are kept. */
    public record Series(int daily, int weekly, int monthly, int yearly, int last, Duration keepWithin) {
    }

    public RetentionPolicy {
        if (daily < 0 || weekly < 0 || monthly < 0 || yearly < 0 || preRestoreLast < 0) {
            throw new IllegalArgumentException("retention counts must be >= 0");
        }
        if (keepWithin == null || keepWithin.isNegative() || preRestoreKeepWithin == null || preRestoreKeepWithin.isNegative()) {
            throw new IllegalArgumentException("retention windows must be >= 0");
        }
    }

    /** GFS counts with the default keep_within and pre-restore policy, no yearly backups. */
    public RetentionPolicy(int daily, int weekly, int monthly) {
        this(daily, weekly, monthly, DEFAULT_KEEP_WITHIN, DEFAULT_PRE_RESTORE_LAST, DEFAULT_PRE_RESTORE_KEEP_WITHIN);
    }

    /** No yearly backups. */
    public RetentionPolicy(int daily, int weekly, int monthly, Duration keepWithin, int preRestoreLast,
                           Duration preRestoreKeepWithin) {
        this(daily, weekly, monthly, keepWithin, preRestoreLast, preRestoreKeepWithin, 0);
    }

    /** This policy with the non-null GFS overrides applied. */
    public RetentionPolicy with(Integer daily, Integer weekly, Integer monthly) {
        return with(daily, weekly, monthly, null);
    }

    /** This policy with the non-null overrides of the daily, weekly, monthly and yearly counts applied. */
    public RetentionPolicy with(Integer daily, Integer weekly, Integer monthly, Integer yearly) {
        return new RetentionPolicy(daily != null ? daily : this.daily, weekly != null ? weekly : this.weekly,
                monthly != null ? monthly : this.monthly, keepWithin, preRestoreLast, preRestoreKeepWithin,
                yearly != null ? yearly : this.yearly);
    }

    /** How many sanitised snapshots (kind {@code sanitized_snapshot}, a series of their own) are kept: the last 3. */
    public static final int SANITIZED_SNAPSHOT_LAST = 3;

    /**
     * The rules of the series of this artifact kind: {@code backup}, {@code pre_restore}, or {@code sanitized_snapshot}
     * (the last {@value #SANITIZED_SNAPSHOT_LAST}, and all younger than keepWithin; never a production backup's GFS).
     */
    public Series series(String kind) {
        if ("sanitized_snapshot".equals(kind)) return new Series(0, 0, 0, 0, SANITIZED_SNAPSHOT_LAST, keepWithin);
        if ("pre_restore".equals(kind)) {
            Duration within = preRestoreKeepWithin.compareTo(keepWithin) >= 0 ? preRestoreKeepWithin : keepWithin;
            return new Series(0, 0, 0, 0, preRestoreLast, within);
        }
        return new Series(daily, weekly, monthly, yearly, 0, keepWithin);
    }
}
