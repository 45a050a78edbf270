package dev.odooops.config;

import dev.odooops.domain.PrivateFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * The typed, validated view of {@code config/application.properties} (every key is documented in
 * docs/configuration.md), one record per area: a bean is given only the records of the areas it works in.
 * System properties of the same name override the file. Relative paths are resolved against the odoo-ops
 * home (the repository or installation directory).
 */
public record Settings(Properties raw, Path home, Path configDir, OpsDb opsDb, Ops ops, Backup backup, Restore restore,
                       Store store, Tools tools, PrivateFiles files) {

    /** {@code ops.db.*}: the ops catalog's database. */
    public record OpsDb(String url, String user, Secret password, boolean createIfMissing) {
    }

    /** {@code ops.*}: where runs write, who runs them by default, their heartbeat, the configuration files. */
    public record Ops(Path evidenceRoot, Path workDir, String defaultUser, int heartbeatSeconds, int staleAfterSeconds,
                      Path environmentsFile, Path secretsFile) {
    }

    /** {@code backup.*}. */
    public record Backup(int pgDumpTimeoutSeconds, int archiveTimeoutSeconds, int zstdLevel, int quiesceTimeoutSeconds,
                         double freeSpaceFactor, boolean skipUnchanged, boolean packedFilestore, int packSizeMb,
                         int repackDeadPercent, int dumpCompression, int packWriters, boolean packsInProcess) {
        /** {@code backup.dump-compression}'s default: pg_dump's gzip level 1 (README: performance). */
        public static final int DEFAULT_DUMP_COMPRESSION = 1;
        /**
         * {@code backup.zstd-level}'s default: 1. At SCALE=100, with packs written in process, a first full backup took
         * 12.03-12.21 s at 1 against 12.75-13.55 s at 2 (interleaved), its packs 1.8 % larger (docs/configuration.md).
         */
        public static final int DEFAULT_ZSTD_LEVEL = 1;

        public Backup(int pgDumpTimeoutSeconds, int archiveTimeoutSeconds, int zstdLevel, int quiesceTimeoutSeconds,
                      double freeSpaceFactor, boolean skipUnchanged, boolean packedFilestore, int packSizeMb,
                      int repackDeadPercent, int dumpCompression, int packWriters) {
            this(pgDumpTimeoutSeconds, archiveTimeoutSeconds, zstdLevel, quiesceTimeoutSeconds, freeSpaceFactor, skipUnchanged,
                    packedFilestore, packSizeMb, repackDeadPercent, dumpCompression, packWriters, true);
        }

        public Backup(int pgDumpTimeoutSeconds, int archiveTimeoutSeconds, int zstdLevel, int quiesceTimeoutSeconds,
                      double freeSpaceFactor, boolean skipUnchanged, boolean packedFilestore, int packSizeMb,
                      int repackDeadPercent, int dumpCompression) {
            this(pgDumpTimeoutSeconds, archiveTimeoutSeconds, zstdLevel, quiesceTimeoutSeconds, freeSpaceFactor, skipUnchanged,
                    packedFilestore, packSizeMb, repackDeadPercent, dumpCompression, defaultPackWriters());
        }

        public Backup(int pgDumpTimeoutSeconds, int archiveTimeoutSeconds, int zstdLevel, int quiesceTimeoutSeconds,
                      double freeSpaceFactor, boolean skipUnchanged, boolean packedFilestore, int packSizeMb,
                      int repackDeadPercent) {
            this(pgDumpTimeoutSeconds, archiveTimeoutSeconds, zstdLevel, quiesceTimeoutSeconds, freeSpaceFactor, skipUnchanged,
                    packedFilestore, packSizeMb, repackDeadPercent, DEFAULT_DUMP_COMPRESSION);
        }

        public Backup(int pgDumpTimeoutSeconds, int archiveTimeoutSeconds, int zstdLevel, int quiesceTimeoutSeconds,
                      double freeSpaceFactor, boolean skipUnchanged, boolean packedFilestore, int packSizeMb) {
            this(pgDumpTimeoutSeconds, archiveTimeoutSeconds, zstdLevel, quiesceTimeoutSeconds, freeSpaceFactor, skipUnchanged,
                    packedFilestore, packSizeMb, 50);
        }

        public long packSizeBytes() {
            return packSizeMb * 1024L * 1024L;
        }

        /**
         * {@code backup.pack-writers}'s default: the number of cores, at most 4. On 2 cores it is as fast as one pack at a
         * time (within the noise of an interleaved comparison); on more, several packs keep more zstd threads busy than
         * one 64 MB pack does (docs/configuration.md).
         */
        public static int defaultPackWriters() {
            return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        }

        /** zstd's worker threads for each pack: the cores shared by the packs written at once, at least 1. */
        public int zstdThreadsPerPack() {
            return Math.max(1, Runtime.getRuntime().availableProcessors() / packWriters);
        }
    }

    /**
     * {@code restore.*}. {@code safetyBackupReuse}: a restore of an environment unchanged since a verified artifact
     * records that artifact as its safety backup, once the fingerprint still matches {@code safetySettleSeconds}
     * after the first read (PostgreSQL's statistics trail the writes, see CheckUnchanged).
     */
    public record Restore(int pgRestoreTimeoutSeconds, int pgRestoreJobs, int connectionsCloseSeconds,
                          int filestoreCheckLimit, boolean safetyBackupReuse, int safetySettleSeconds, int packFetchParallelism,
                          int indexBuildWorkers) {
        /** {@code indexBuildWorkers} that leaves the server's own {@code max_parallel_maintenance_workers} alone. */
        public static final int SERVER_INDEX_BUILD_WORKERS = -1;

        /**
         * {@code restore.index-build-workers}' default: PostgreSQL's parallel workers per index build of
         * {@code pg_restore} ({@code max_parallel_maintenance_workers}, 2 by default in PostgreSQL): none on 2 or 3 cores, 1
         * on 4 or 5, then 2. A restore's {@code pg_restore} runs beside the safety backup and the filestore's assembly,
         * and its {@code --jobs} already builds several indexes at once: on 2 cores the workers only added contention (a
         * disaster recovery about 2 s faster without them, bench/proof-bench.sh).
         */
        public static int defaultIndexBuildWorkers() {
            return Math.max(0, Math.min(2, (Runtime.getRuntime().availableProcessors() - 2) / 2));
        }

        /** The environment {@code pg_restore} gets besides {@code base}: {@code PGOPTIONS} with the index build workers. */
        public Map<String, String> pgRestoreEnvironment(Map<String, String> base) {
            if (indexBuildWorkers == SERVER_INDEX_BUILD_WORKERS) return base;
            Map<String, String> env = new java.util.LinkedHashMap<>(base);
            env.put("PGOPTIONS", "-c max_parallel_maintenance_workers=" + indexBuildWorkers);
            return env;
        }

        /** {@code restore.pack-fetch-parallelism} unset: the packs at a time by the store and the load ({@link #packFetchThreads}). */
        public static final int PACK_FETCH_UNSET = 0;

        /** {@code restore.pack-fetch-parallelism}'s default: {@link #PACK_FETCH_UNSET}. */
        public static int defaultPackFetchParallelism() {
            return PACK_FETCH_UNSET;
        }

        /**
         * The packs fetched and extracted at a time: {@code setting} when set; otherwise the cores, at least 2 (one pack
         * fetched while another is extracted) and at most 4, except for a restore from a local store
         * ({@code besideSafetyBackup} and not {@code remoteStore}): there the fetch is a hard link, extracting and
         * hashing is CPU work, and the restore's pg_restore and safety backup run beside it, so one fewer than the
         * cores (at least 1, at most 4) leaves them a core. On 2 cores, interleaved, a disaster recovery at SCALE=100
         * took 23.5-24.2 s with 1 against 24.2-26.1 s with 2 (and 4 at a time was about 2 s slower than 2); a drill,
         * with no safety backup beside, was about 5 s slower with 1 (bench/proof-bench.sh).
         */
        public static int packFetchThreads(int setting, boolean remoteStore, boolean besideSafetyBackup) {
            if (setting != PACK_FETCH_UNSET) return setting;
            int cores = Runtime.getRuntime().availableProcessors();
            return remoteStore || !besideSafetyBackup ? Math.max(2, Math.min(4, cores)) : Math.max(1, Math.min(4, cores - 1));
        }

        public Restore(int pgRestoreTimeoutSeconds, int pgRestoreJobs, int connectionsCloseSeconds, int filestoreCheckLimit) {
            this(pgRestoreTimeoutSeconds, pgRestoreJobs, connectionsCloseSeconds, filestoreCheckLimit, true, 61);
        }

        public Restore(int pgRestoreTimeoutSeconds, int pgRestoreJobs, int connectionsCloseSeconds,
                       int filestoreCheckLimit, boolean safetyBackupReuse, int safetySettleSeconds) {
            this(pgRestoreTimeoutSeconds, pgRestoreJobs, connectionsCloseSeconds, filestoreCheckLimit, safetyBackupReuse,
                    safetySettleSeconds, defaultPackFetchParallelism(), defaultIndexBuildWorkers());
        }
    }

    /** {@code store.*} beyond the store's own definition in the environments file. */
    public record Store(int uploadPartSizeMb, boolean verifyAfterUpload) {
        public long uploadPartSizeBytes() {
            return uploadPartSizeMb * 1024L * 1024L;
        }
    }

    /** {@code ops.tool-env}, {@code ops.command-env}, {@code ops.tool-nice}: what child processes get. */
    public record Tools(List<String> toolEnv, List<String> commandEnv, int nice) {
    }

    public static Settings load(Path home, Path configDir, Function<String, String> env) {
        return load(home, configDir, env, java.util.Map.of());
    }

    /** As {@link #load(Path, Path, Function)}, then {@code overrides} (a command's own options, e.g. serve --port) on top. */
    public static Settings load(Path home, Path configDir, Function<String, String> env, java.util.Map<String, String> overrides) {
        Path file = configDir.resolve("application.properties");
        Properties p = new Properties();
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file + ": not found (pass --config DIR with application.properties)");
        }
        try (java.io.Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot be read: " + e.getMessage());
        }
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("ops.") || k.startsWith("backup.") || k.startsWith("restore.") || k.startsWith("store.") || k.startsWith("service.") || k.startsWith("http.") || k.startsWith("inbox.") || k.startsWith("jms.")
                        || k.startsWith("camel.") || k.startsWith("demo.") || k.startsWith("evidence."))
                .forEach(k -> p.setProperty(k, System.getProperty(k)));
        p.putAll(overrides);
        Keys reader = new Keys(file.toString(), p);
        String dbPasswordEnv = reader.string("ops.db.password-env", "ODOO_OPS_DB_PASSWORD");
        String dbPassword = env.apply(dbPasswordEnv);
        Path base = home.toAbsolutePath();
        return new Settings(p, base, configDir,
                new OpsDb(reader.string("ops.db.url", "jdbc:postgresql://127.0.0.1:5432/odoo_ops"),
                        reader.string("ops.db.user", "postgres"),
                        dbPassword == null ? null : new Secret(dbPassword),
                        reader.bool("ops.db.create-if-missing", true)),
                new Ops(base.resolve(reader.directory("ops.evidence-root", "docs/evidence")),
                        base.resolve(reader.directory("ops.work-dir", "/var/tmp/odoo-ops/work")),
                        reader.string("ops.default-user", "operator"),
                        reader.integer("ops.heartbeat-seconds", 10, 1, 3600),
                        reader.integer("ops.stale-after-seconds", 120, 3, 86400),
                        configDir.resolve(reader.string("ops.environments-file", "environments.yaml")),
                        configDir.resolve(reader.string("ops.secrets-file", "secrets.properties"))),
                new Backup(reader.integer("backup.pg-dump-timeout-seconds", 21600, 10, 604800),
                        reader.integer("backup.archive-timeout-seconds", 21600, 10, 604800),
                        reader.integer("backup.zstd-level", Backup.DEFAULT_ZSTD_LEVEL, 1, 19),
                        reader.integer("backup.quiesce-timeout-seconds", 30, 1, 3600),
                        reader.decimal("backup.free-space-factor", 1.2, 0.0, 10.0),
                        reader.bool("backup.skip-unchanged", true),
                        reader.oneOf("backup.filestore-format", "packed", "archive", "packed").equals("packed"),
                        reader.integer("backup.pack-size-mb", 64, 1, 4096),
                        reader.integer("backup.repack-dead-percent", 50, 0, 100),
                        reader.integer("backup.dump-compression", Backup.DEFAULT_DUMP_COMPRESSION, 0, 9),
                        reader.integer("backup.pack-writers", Backup.defaultPackWriters(), 1, 64),
                        reader.oneOf("backup.pack-writer", "library", "library", "tar").equals("library")),
                new Restore(reader.integer("restore.pg-restore-timeout-seconds", 21600, 10, 604800),
                        reader.integer("restore.pg-restore-jobs", 2, 1, 64),
                        reader.integer("restore.connections-close-seconds", 30, 0, 3600),
                        reader.integer("restore.filestore-check-limit", 100000, 1, Integer.MAX_VALUE),
                        reader.bool("restore.safety-backup-reuse", true),
                        reader.integer("restore.safety-settle-seconds", 61, 0, 600),
                        reader.integer("restore.pack-fetch-parallelism", Restore.defaultPackFetchParallelism(), 1, 64),
                        reader.integer("restore.index-build-workers", Restore.defaultIndexBuildWorkers(), -1, 64)),
                new Store(reader.integer("store.upload-part-size-mb", 64, 5, 5120),
                        reader.bool("store.verify-after-upload", true)),
                new Tools(reader.names("ops.tool-env"), reader.names("ops.command-env"),
                        reader.integer("ops.tool-nice", 10, 0, 19)),
                reader.group("ops.file-group"));
    }

    public String property(String key, String fallback) {
        return raw.getProperty(key, fallback);
    }

    private record Keys(String file, Properties p) {
        String string(String key, String fallback) {
            String v = p.getProperty(key);
            return v == null || v.isBlank() ? fallback : v.trim();
        }

        /** A directory odoo-ops writes into (and removes run sub-directories of): normalised, never '/'. */
        String directory(String key, String fallback) {
            String v = string(key, fallback);
            if (v.equals("/") || PathRules.normalised(v) != null) {
                throw new ConfigException(file, key, "a normalised directory other than '/' (no '..', '.' or '//' segment)", v);
            }
            return v;
        }

        /** A comma-separated list of environment variable names (empty when unset). */
        List<String> names(String key) {
            String v = string(key, null);
            if (v == null) return List.of();
            List<String> out = new ArrayList<>();
            for (String name : v.split(",")) {
                String n = name.trim();
                if (n.isEmpty()) continue;
                if (!n.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new ConfigException(file, key, "comma-separated environment variable names", n);
                }
                out.add(n);
            }
            return List.copyOf(out);
        }

        /** A group that may read evidence and locally stored artifacts; checked now (it exists, we can use it). */
        PrivateFiles group(String key) {
            String v = string(key, null);
            if (v == null) return PrivateFiles.OWNER_ONLY;
            try {
                return PrivateFiles.withGroup(v, Path.of(System.getProperty("java.io.tmpdir")));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(file, key, "a group this user may give files to (" + e.getMessage() + ")", v);
            }
        }

        String oneOf(String key, String fallback, String... allowed) {
            String v = string(key, fallback);
            if (!java.util.List.of(allowed).contains(v)) throw new ConfigException(file, key, String.join("|", allowed), v);
            return v;
        }

        boolean bool(String key, boolean fallback) {
            String v = string(key, null);
            if (v == null) return fallback;
            if (v.equals("true") || v.equals("false")) return Boolean.parseBoolean(v);
            throw new ConfigException(file, key, "true|false", v);
        }

        int integer(String key, int fallback, int min, int max) {
            String v = string(key, null);
            if (v == null) return fallback;
            try {
                int i = Integer.parseInt(v);
                if (i >= min && i <= max) return i;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new ConfigException(file, key, "a whole number from " + min + " to " + max, v);
        }

        double decimal(String key, double fallback, double min, double max) {
            String v = string(key, null);
            if (v == null) return fallback;
            try {
                double d = Double.parseDouble(v);
                if (d >= min && d <= max) return d;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new ConfigException(file, key, "a number from " + min + " to " + max, v);
        }
    }
}
