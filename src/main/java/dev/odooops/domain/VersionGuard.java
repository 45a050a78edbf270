package dev.odooops.domain;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A restore never changes the application's version: the series of the artifact (what its database was written by)
 * must be the series of the server that will serve it. An upgrade is another operation.
 * <ul>
 *   <li>A series is the first two parts of a version: Odoo {@code 17.0}, {@code saas~17.1}; Dolibarr {@code 20.0}
 *       (of {@code 20.0.2}). {@link #series} finds it in any text that carries one: {@code odoo-bin --version}'s
 *       {@code Odoo Server 17.0}, a server_version {@code 17.0+e}, base's module version {@code 17.0.1.3}.</li>
 *   <li>The artifact's series: the manifest's {@code odoo_version} (Odoo) or {@code app_version} (Dolibarr); an
 *       older Odoo manifest without it gives base's recorded module version.</li>
 *   <li>The target's series is learned from the server ({@link Target}); when it cannot be learned the operator
 *       must state it ({@code --odoo-version}, {@code odoo_version}); a statement that contradicts what was learned
 *       is refused too.</li>
 * </ul>
 */
public final class VersionGuard {
    /** The field a stated version is given in (HTTP, JMS, inbox; the CLI's {@code --odoo-version}). */
    public static final String FIELD = "odoo_version";
    private static final Pattern SERIES = Pattern.compile("(?<![\\w~.])((?:saas~)?\\d{1,3}\\.\\d{1,2})(?![\\d])");
    private static final Pattern STATED = Pattern.compile("\\d{1,3}\\.0|saas~\\d{1,3}\\.\\d{1,2}");

    private VersionGuard() {
    }

    /** The version the target server runs, with where it was learned ({@code version_command ...}, {@code stated}, ...). */
    public record Target(String version, String series, String source) {
        public String describe() {
            return series + (version.equals(series) ? "" : " (" + version + ")") + " from " + source;
        }
    }

    /** The outcome: {@code ok} with the target, or a refusal (of field {@link #FIELD}); {@code detail} says why either way. */
    public record Verdict(boolean ok, String detail, Target target) {
        static Verdict ok(String detail, Target target) {
            return new Verdict(true, detail, target);
        }

        static Verdict refused(String detail) {
            return new Verdict(false, detail, null);
        }
    }

    /** The first series in {@code text}, or null. */
    public static String series(String text) {
        if (text == null) return null;
        Matcher m = SERIES.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    /** Null when {@code stated} is a well-formed series ({@code NN.0} or {@code saas~NN.N}), else what is expected. */
    public static String statedProblem(String stated) {
        if (stated == null || STATED.matcher(stated).matches()) return null;
        return "expected a major version such as 17.0 or saas~17.1, got '" + stated + "'";
    }

    /** A version the operator stated, as a target. */
    public static Target stated(String stated) {
        return new Target(stated, stated, "stated by the operator (" + FIELD + ")");
    }

    /**
     * The series the artifact was written by: {@code version} (the manifest's odoo_version or app_version), else
     * base's module version among {@code modules} (Odoo manifests that lack the version); null when neither says.
     */
    public static String artifactSeries(String version, Map<String, String> modules, AppProfile app) {
        String s = series(version);
        if (s == null && app == AppProfile.ODOO && modules != null) s = series(modules.get("base"));
        return s;
    }

    /**
     * @param artifactId     for the messages
     * @param artifactSeries null when the artifact records no version
     * @param learned        the server's version as learned, or null
     * @param unknownReason  why it could not be learned (when {@code learned} is null)
     * @param stated         the operator's statement, or null
     */
    public static Verdict judge(AppProfile app, String artifactId, String artifactSeries, Target learned,
                                String unknownReason, String stated) {
        String name = app == AppProfile.ODOO ? "Odoo" : "Dolibarr";
        if (artifactSeries == null) {
            return Verdict.refused("artifact '" + artifactId + "' records no " + name + " version (manifest "
                    + (app == AppProfile.ODOO ? "odoo_version, nor a version of the base module" : "app_version")
                    + "): it cannot be shown to match the target server's, so it is not restored");
        }
        Target target = learned;
        if (learned != null && stated != null && !stated.equals(learned.series())) {
            return Verdict.refused("stated " + stated + ", but the target server runs " + name + " "
                    + learned.describe());
        }
        if (target == null) {
            if (stated == null) {
                return Verdict.refused("the target server's " + name + " version cannot be learned (" + unknownReason
                        + "); state it with --odoo-version (" + FIELD + "), e.g. " + artifactSeries
                        + " if the server runs that series");
            }
            target = stated(stated);
        }
        if (!artifactSeries.equals(target.series())) {
            return Verdict.refused("artifact '" + artifactId + "' was taken from " + name + " " + artifactSeries
                    + " and the target server runs " + name + " " + target.describe()
                    + ": a restore never changes the version (upgrade the database as its own operation, or restore into a "
                    + name + " " + artifactSeries + " server)");
        }
        return Verdict.ok(name + " " + artifactSeries + " in the artifact and on the target server (" + target.describe() + ")",
                target);
    }
}
