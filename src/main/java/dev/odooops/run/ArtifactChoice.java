package dev.odooops.run;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.domain.RequestRejected;
import dev.odooops.model.Artifact;
import dev.odooops.model.ArtifactKind;
import dev.odooops.model.BackupType;
import dev.odooops.ops.OpsCatalog;

import java.util.List;

/**
 * Which full backup of an environment an operation that reads one works from (a sanitised snapshot, a drill, a
 * pull-request environment): its newest live full backup, or the one the request names, checked. Refusals name the
 * request's field and say what the operation needs; no run exists yet when they are thrown.
 */
public final class ArtifactChoice {
    private ArtifactChoice() {
    }

    /**
     * The environment's newest live full backup (kind backup); refused on {@code field} when there is none:
     * "{@code <env> has no live full backup <purpose> (<hint>)"}.
     */
    public static Artifact newestFullBackup(OpsCatalog catalog, EnvironmentConfig env, String field, String purpose, String hint) {
        List<Artifact> live = catalog.artifacts().liveArtifacts(env.project()).stream()
                .filter(a -> a.environmentId().equals(env.id()) && ArtifactKind.BACKUP.wire().equals(a.kind())
                        && BackupType.FULL.wire().equals(a.backupType())).toList();
        if (live.isEmpty()) {
            throw new RequestRejected(field, env.id() + " has no live full backup " + purpose + " (" + hint + ")",
                    RequestRejected.Reason.NOT_FOUND);
        }
        return live.get(live.size() - 1);
    }

    /**
     * The artifact {@code id}, refused on {@code artifact} unless it is the environment's, not pruned, a backup of the
     * environment (kind backup or pre_restore) and full ({@code needsFull}: what the refusal says, e.g. "a drill
     * restores a full backup").
     */
    public static Artifact namedFullBackup(OpsCatalog catalog, EnvironmentConfig env, String id, String needsFull) {
        Artifact a = catalog.artifacts().artifact(id).orElseThrow(() ->
                new RequestRejected("artifact", "no artifact '" + id + "' in the ops catalog", RequestRejected.Reason.NOT_FOUND));
        if (!a.environmentId().equals(env.id())) {
            throw new RequestRejected("artifact", "artifact '" + id + "' belongs to " + a.environmentId() + ", not to " + env.id());
        }
        if (a.prunedAt() != null) throw new RequestRejected("artifact", "artifact '" + id + "' was pruned at " + a.prunedAt());
        if (!ArtifactKind.BACKUP.wire().equals(a.kind()) && !ArtifactKind.PRE_RESTORE.wire().equals(a.kind())) {
            throw new RequestRejected("artifact", "artifact '" + id + "' is a " + a.kind() + ", not a backup of the environment");
        }
        if (!BackupType.FULL.wire().equals(a.backupType())) {
            throw new RequestRejected("artifact", "artifact '" + id + "' is " + a.backupType() + ": " + needsFull);
        }
        return a;
    }
}
