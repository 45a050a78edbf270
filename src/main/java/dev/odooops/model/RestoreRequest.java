package dev.odooops.model;

/**
 * A request to restore an artifact into an environment. {@code verify=false} skips post-restore validation,
 * {@code rollback=false} leaves a failed restore as it is (for forensics); {@code confirm} must equal the
 * environment id for a production environment.
 */
public record RestoreRequest(String project, String environment, String artifactId, BackupType type, boolean verify,
                             boolean rollback, String confirm, String user, String trigger) {

    public RestoreRequest {
        for (String[] f : new String[][]{{"project", project}, {"env", environment}, {"artifact", artifactId}, {"user", user}}) {
            if (f[1] == null || f[1].isBlank()) throw new RequestRejected(f[0], "is required");
        }
        if (type == null) throw new RequestRejected("type", "must be one of " + BackupType.allowed());
        if (trigger == null) trigger = "cli";
    }
}
