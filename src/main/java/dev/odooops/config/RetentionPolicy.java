package dev.odooops.config;

/** Grandfather-father-son counts: how many daily, weekly and monthly backups to keep. */
public record RetentionPolicy(int daily, int weekly, int monthly) {
    public static final RetentionPolicy DEFAULT = new RetentionPolicy(7, 4, 3);

    public RetentionPolicy {
        if (daily < 0 || weekly < 0 || monthly < 0) {
            throw new IllegalArgumentException("retention counts must be >= 0");
        }
    }

    /** This policy with the non-null overrides applied. */
    public RetentionPolicy with(Integer daily, Integer weekly, Integer monthly) {
        return new RetentionPolicy(daily != null ? daily : this.daily, weekly != null ? weekly : this.weekly,
                monthly != null ? monthly : this.monthly);
    }
}
