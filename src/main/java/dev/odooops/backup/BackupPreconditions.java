package dev.odooops.backup;

import dev.odooops.model.QueuedRun;
import dev.odooops.run.Vars;
import org.apache.camel.Variable;
import dev.odooops.postgres.EnvironmentDatabase;
import dev.odooops.exec.WorkFiles;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.OpsConfig;
import dev.odooops.config.Settings;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.model.BackupJob;
import dev.odooops.model.BackupRequest;
import dev.odooops.domain.RequestRejected;
import dev.odooops.ops.OpsCatalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Checked before a run exists; each failure rejects the request (exit 2) with a message naming the field:
 * project and environment exist and match (the user's permission: the route's authorize-backup, before), the database, filestore and
 * odoo.conf are reachable, a Dolibarr conf.php names the environment's database and documents directory
 * ({@link dev.odooops.domain.ConfBinding}), and the work directory has room for the estimated bundle.
 * (The one-active-run rule is enforced by the database when the run is created.)
 */
public class BackupPreconditions {
    private final OpsConfig config;
    private final Settings.Ops ops;
    private final Settings.Backup backup;
    private final OpsCatalog catalog;
    private final Clock clock;

    public BackupPreconditions(OpsConfig config, Settings.Ops ops, Settings.Backup backup, OpsCatalog catalog, Clock clock) {
        this.config = config;
        this.ops = ops;
        this.backup = backup;
        this.catalog = catalog;
        this.clock = clock;
    }

    /**
     * The job of the request, or a rejection. {@code source} (variable {@code backupSource}): the environment as a
     * staging operation's child backup must read it (its scratch database and filestore: a sanitised snapshot's
     * anonymised copy, an imported zip loaded; the environment's id and server, no Odoo to quiesce), or null for every
     * other backup. A sanitized_snapshot backup always reads its scratch copy.
     */
    public BackupJob check(BackupRequest request, @Variable(Vars.QUEUED_RUN) QueuedRun queued,
                           @Variable(Vars.BACKUP_SOURCE) EnvironmentConfig source) {
        if (!config.hasProject(request.project())) {
            throw new RequestRejected("project", "unknown project '" + request.project() + "' (not in " + config.file() + ")",
                    RequestRejected.Reason.NOT_FOUND);
        }
        EnvironmentConfig configured = config.environment(request.project(), request.environment()).orElseThrow(() ->
                new RequestRejected("env", "project '" + request.project() + "' has no environment '" + request.environment() + "'",
                        RequestRejected.Reason.NOT_FOUND));
        if (request.kind() == dev.odooops.model.ArtifactKind.SANITIZED_SNAPSHOT && source == null) {
            throw new IllegalArgumentException("a sanitized_snapshot backup reads its scratch copy");
        }
        if (source != null && (!source.id().equals(configured.id()) || request.kind() == dev.odooops.model.ArtifactKind.BACKUP)) {
            throw new IllegalArgumentException("a backup of another source is a staging operation's child backup of the same environment");
        }
        EnvironmentConfig env = source != null ? source : configured;
        long estimate = 0;
        if (request.type().includesDatabase()) estimate += databaseSize(env);
        if (request.type().includesFilestore()) estimate += filestoreSize(env.filestore());
        if (!Files.isReadable(env.appConf())) {
            throw new RequestRejected(env.app().confKey(), env.appConf() + " of " + env.id() + " is not readable");
        }
        // a restore's safety backup records whatever is there; a backup is refused
        List<String> differs = request.kind() != dev.odooops.model.ArtifactKind.BACKUP ? List.of()
                : dev.odooops.domain.ConfBinding.differences(env.app(), dev.odooops.domain.ConfBinding.read(env.app(),
                env.appConf(), env.customLayout()), env.database().name(), env.filestore());
        if (!differs.isEmpty()) {
            throw new RequestRejected(env.app().confKey(), env.appConf() + " describes another installation than "
                    + env.id() + ": " + String.join("; ", differs));
        }
        checkFreeSpace(estimate);
        List<String> secrets = new ArrayList<>(dev.odooops.config.EnvironmentSecrets.of(env));
        if (queued == null) return new BackupJob(request, env, clock.instant(), new SecretRedactor(secrets));
        BackupJob job = new BackupJob(queued.runId(), request, env, clock.instant(), new SecretRedactor(secrets));
        job.lease(queued.lease());
        return job;
    }

    private long databaseSize(EnvironmentConfig env) {
        try (Connection c = EnvironmentDatabase.connect(env.database());
             PreparedStatement ps = c.prepareStatement("select pg_database_size(current_database())");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new RequestRejected("database", "cannot connect to " + env.database().name() + " on "
                    + env.database().host() + ":" + env.database().port() + " as " + env.database().user() + ": " + e.getMessage());
        }
    }

    private static long filestoreSize(Path dir) {
        if (!Files.isDirectory(dir) || !Files.isReadable(dir)) {
            throw new RequestRejected("filestore", dir + " is not a readable directory");
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new RequestRejected("filestore", dir + " cannot be read: " + e.getMessage());
        }
    }

    private void checkFreeSpace(long estimate) {
        Path work = ops.workDir();
        try {
            WorkFiles.createPrivate(work);
            long free = Files.getFileStore(work).getUsableSpace();
            long needed = (long) (estimate * backup.freeSpaceFactor());
            if (free < needed) {
                throw new RequestRejected("work-dir", work + " has " + free / (1 << 20) + " MiB free, the backup needs about "
                        + needed / (1 << 20) + " MiB (estimate x backup.free-space-factor)");
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new RequestRejected("work-dir", work + " cannot be used: " + e.getMessage());
        }
    }
}
