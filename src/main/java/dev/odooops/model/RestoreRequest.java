package dev.odooops.model;

import dev.odooops.domain.RequestRejected;

/**
 * A request to restore an artifact into an environment ({@code project} may be null: see {@link EnvironmentRequest}). {@code verify=false} skips post-restore validation,
 * {@code rollback=false} leaves a failed restore as it is (for forensics); {@code confirm} must equal the
 * environment id for a production environment. {@code mode}: {@link Mode#AUTO} restores unless the environment
 * provably still holds what the last restore of this artifact left (then it only validates),
 * {@link Mode#FORCE} always restores, {@link Mode#VALIDATE_ONLY} never changes anything and only validates.
 * {@code odooVersion}: the series the operator states the target server runs ({@code 17.0}, {@code saas~17.1}), or
 * null; preflight needs it only when the server's version cannot be learned (see domain.VersionGuard).
 */
public record RestoreRequest(String project, String environment, String artifactId, BackupType type, boolean verify,
                             boolean rollback, String confirm, String user, String trigger, Mode mode, String odooVersion,
                             String copyFrom)
        implements EnvironmentRequest, AuthenticatedRequest {

    /**
     * A restore as every trigger asks for it: of an artifact of this environment. ({@code copyFrom}: the neutralised
     * copy's restore of another environment's artifact, {@code P/E} of that environment; only the copy operation,
     * staging.CopyPlanner, sets it. The restore then runs as operation {@code copy}, neutralises the new database
     * before it is swapped in, and the permission is {@code copy} on both projects.)
     */
    public RestoreRequest(String project, String environment, String artifactId, BackupType type, boolean verify,
                          boolean rollback, String confirm, String user, String trigger, Mode mode, String odooVersion) {
        this(project, environment, artifactId, type, verify, rollback, confirm, user, trigger, mode, odooVersion, null);
    }

    /** Whether this restore is a neutralised copy of another environment's artifact. */
    public boolean isCopy() {
        return copyFrom != null;
    }

    public enum Mode {
        AUTO, FORCE, VALIDATE_ONLY;

        public String wire() {
            return name().toLowerCase();
        }
    }

    public RestoreRequest {
        if (project != null && project.isBlank()) throw new RequestRejected("project", "is empty");
        Fields.environment(environment);
        for (String[] f : new String[][]{{"artifact", artifactId}, {"user", user}}) {
            if (f[1] == null || f[1].isBlank()) throw new RequestRejected(f[0], "is required");
        }
        if (type == null) throw new RequestRejected("type", "must be one of " + BackupType.allowed());
        if (trigger == null) trigger = "cli";
        if (mode == null) mode = Mode.AUTO;
        if (mode == Mode.VALIDATE_ONLY && !verify) {
            throw new RequestRejected("no-verify", "cannot be combined with --validate-only (it would do nothing)");
        }
        String problem = dev.odooops.domain.VersionGuard.statedProblem(odooVersion);
        if (problem != null) throw new RequestRejected(dev.odooops.domain.VersionGuard.FIELD, problem);
    }

    @Override
    public RestoreRequest resolved(String project, String environment) {
        return new RestoreRequest(project, environment, artifactId, type, verify, rollback, confirm, user, trigger, mode,
                odooVersion, copyFrom);
    }

    public RestoreRequest(String project, String environment, String artifactId, BackupType type, boolean verify,
                          boolean rollback, String confirm, String user, String trigger, Mode mode) {
        this(project, environment, artifactId, type, verify, rollback, confirm, user, trigger, mode, null);
    }

    /** The same request with the operator's statement of the target server's version (null: none). */
    public RestoreRequest statingVersion(String version) {
        return new RestoreRequest(project, environment, artifactId, type, verify, rollback, confirm, user, trigger, mode,
                version, copyFrom);
    }

    public RestoreRequest(String project, String environment, String artifactId, BackupType type, boolean verify,
                          boolean rollback, String confirm, String user, String trigger) {
        this(project, environment, artifactId, type, verify, rollback, confirm, user, trigger, Mode.AUTO);
    }
}
