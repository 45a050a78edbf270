package dev.odooops.odoo;

import dev.odooops.postgres.EnvironmentDatabase;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.Settings;
import dev.odooops.domain.AppProfile;
import dev.odooops.domain.BackupGaps;
import dev.odooops.domain.Checksums;
import dev.odooops.domain.TreeDigest;
import dev.odooops.domain.VersionGuard;
import dev.odooops.postgres.DolibarrState;
import dev.odooops.postgres.TableCounts;
import dev.odooops.domain.SecretRedactor;
import dev.odooops.exec.ToolRunner;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The seven post-restore validations of an environment:
 * <ol>
 *   <li>registry: every module named in ir_model_data is installed (names starting with "__", Odoo's
 *       export/import markers, excepted);</li>
 *   <li>migrations: no module is left 'to install', 'to upgrade' or 'to remove';</li>
 *   <li>modules: the series of the installed base module (17.0 of 17.0.1.3) is the server's (skipped when the
 *       server's version is unknown), and installed modules and versions equal the artifact manifest (skipped without
 *       one);</li>
 *   <li>data_samples: five random rows of res_partner, res_users and account_move (when it exists) read back whole;</li>
 *   <li>filestore: every ir_attachment.store_fname exists and its SHA-1 matches the checksum column; above
 *       restore.filestore-check-limit attachments, a random sample of that many is checked; a file the artifact
 *       already lacked (missing or corrupt at backup time, {@link BackupGaps}) is reported, not failed;</li>
 *   <li>odoo_command: the configured odoo.validate_command exits 0 (skipped, with the reason, when none);</li>
 *   <li>odoo_log: no ERROR or CRITICAL line in odoo.log_file since the restart (skipped when none).</li>
 * </ol>
 * A Dolibarr environment ({@link AppProfile#DOLIBARR}) has its own eight instead of Odoo's:
 * <ol>
 *   <li>modules: the modules enabled in llx_const equal the artifact manifest's (skipped without one);</li>
 *   <li>version: the version llx_const records equals the manifest's {@code app_version} (skipped without one), and
 *       its series is the installed code's {@code DOL_VERSION}'s (skipped when unknown);</li>
 *   <li>row_counts: every table's row count equals the one the backup counted in the dump's snapshot, the
 *       volatile tables and those Dolibarr writes as soon as it serves a page excepted
 *       ({@link AppProfile#writtenWhenServing}: llx_const, llx_user, llx_events, llx_session, llx_cronjob; skipped
 *       without an artifact or for a filestore_only restore);</li>
 *   <li>data_samples: five random rows of llx_societe, llx_user and llx_facture (when it exists) read back whole;</li>
 *   <li>documents: the documents directory's tree digest (<code>*&#47;temp/*</code> left out) equals the artifact's
 *       (skipped without an artifact or for a db_only restore);</li>
 *   <li>references: every document llx_ecm_files indexes exists (one already missing at backup time is reported,
 *       not failed);</li>
 *   <li>dolibarr_command and dolibarr_log: as odoo_command and odoo_log, from the dolibarr block.</li>
 * </ol>
 */
public class EnvironmentValidator {
    private final ToolRunner tools;
    private final int filestoreLimit;

    public EnvironmentValidator(ToolRunner tools, Settings.Restore settings) {
        this.tools = tools;
        this.filestoreLimit = settings.filestoreCheckLimit();
    }

    public record Check(String name, String status, String detail) {
        public boolean failed() {
            return "failed".equals(status);
        }
    }

    /**
     * What the restored environment should hold, from the artifact: modules (module -> version), the
     * application's version, the dump's row counts and the files' tree digest with its version; any may be null
     * (the checks that need it are skipped, saying why).
     */
    public record Expected(Map<String, String> modules, String appVersion, Map<String, Long> rowCounts,
                           String treeDigest, Integer treeDigestVersion, VersionGuard.Target server) {
        public Expected(Map<String, String> modules, String appVersion, Map<String, Long> rowCounts, String treeDigest,
                        Integer treeDigestVersion) {
            this(modules, appVersion, rowCounts, treeDigest, treeDigestVersion, null);
        }

        public static Expected modules(Map<String, String> modules) {
            return new Expected(modules, null, null, null, null);
        }

        /** The same, knowing the version the server runs (null: unknown, not compared). */
        public Expected onServer(VersionGuard.Target target) {
            return new Expected(modules, appVersion, rowCounts, treeDigest, treeDigestVersion, target);
        }
    }

    /** @param expectedModules module -> version from the artifact manifest, or null to skip check 3 */
    public List<Check> validate(EnvironmentConfig env, Map<String, String> expectedModules, long logOffset,
                                SecretRedactor redactor) {
        return validate(env, Expected.modules(expectedModules), logOffset, null, redactor);
    }

    public List<Check> validate(EnvironmentConfig env, Map<String, String> expectedModules, long logOffset,
                                java.time.Instant logSince, SecretRedactor redactor) {
        return validate(env, Expected.modules(expectedModules), logOffset, logSince, redactor);
    }

    /**
     * @param logOffset the log's size at the restart (the restore knows it), or -1
     * @param logSince  without an offset: only log lines from this time on count (validate-env); null: whole log
     */
    public List<Check> validate(EnvironmentConfig env, Expected expected, long logOffset,
                                java.time.Instant logSince, SecretRedactor redactor) {
        return validate(env, expected, BackupGaps.NONE, logOffset, logSince, redactor);
    }

    /**
     * @param atBackup the referenced files the artifact already lacked (its filestore.meta.json): the filestore and
     *                 references checks report them instead of failing on them
     */
    public List<Check> validate(EnvironmentConfig env, Expected expected, BackupGaps atBackup, long logOffset,
                                java.time.Instant logSince, SecretRedactor redactor) {
        List<Check> checks = new ArrayList<>();
        AppProfile app = env.app();
        try (Connection c = EnvironmentDatabase.connect(env.database())) {
            if (app == AppProfile.ODOO) {
                checks.add(guard("registry", () -> registry(c)));
                checks.add(guard("migrations", () -> migrations(c)));
                checks.add(guard("modules", () -> modules(c, expected.modules(), expected.server())));
                checks.add(guard("data_samples", () -> samples(c, app)));
                checks.add(guard("filestore", () -> filestore(c, env.filestore(), atBackup)));
            } else {
                checks.add(guard("modules", () -> compareModules(DolibarrState.enabledModules(c), expected.modules(),
                        "modules enabled, as in the manifest")));
                checks.add(guard("version", () -> version(DolibarrState.version(c), expected.appVersion(), expected.server())));
                checks.add(guard("row_counts", () -> rowCounts(c, expected.rowCounts(),
                        union(env.volatileTables(), app.writtenWhenServing()))));
                checks.add(guard("data_samples", () -> samples(c, app)));
                checks.add(guard("documents", () -> documents(env, expected)));
                checks.add(guard("references", () -> references(c, env, atBackup)));
            }
        } catch (SQLException e) {
            checks.add(new Check("database", "failed", "cannot connect: " + redactor.scrub(e.getMessage())));
        }
        String control = app.controlKey();
        checks.add(guard(control + "_command", () -> command(env, control)));
        checks.add(guard(control + "_log", () -> logOffset < 0 && logSince != null
                ? logSince(env.control().logFile(), logSince, app) : log(env.control().logFile(), logOffset, app)));
        return checks.stream().map(c -> new Check(c.name(), c.status(), redactor.scrub(c.detail()))).toList();
    }

    private static java.util.Set<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        java.util.Set<String> all = new java.util.TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    /** Dolibarr: llx_const's version against the manifest's, and its series against the installed code's. */
    private static Check version(String now, String expected, VersionGuard.Target server) {
        Check code = seriesOnServer("version", "llx_const records " + now, VersionGuard.series(now), server);
        Check manifest = expected == null ? new Check("version", "skipped", "no app_version in an artifact manifest to compare with")
                : expected.equals(now) ? new Check("version", "passed", "llx_const records " + now + ", as in the manifest")
                : new Check("version", "failed", "llx_const records " + now + ", the manifest " + expected);
        return both(code, manifest);
    }

    /**
     * The database's series ({@code what}: where it was read) against the server's: failed when they differ,
     * skipped when the server's is unknown.
     */
    private static Check seriesOnServer(String name, String what, String series, VersionGuard.Target server) {
        if (server == null) return new Check(name, "skipped", "the server's version is unknown: " + what + " not compared with it");
        if (series == null) return new Check(name, "failed", what + ": no version the server's (" + server.describe() + ") can be compared with");
        return series.equals(server.series()) ? new Check(name, "passed", what + ", series " + series + " as the server's")
                : new Check(name, "failed", what + ", series " + series + ", but the server runs " + server.describe()
                + ": that server cannot serve this database");
    }

    /** Two checks of one name as one: failed if either failed, passed if either passed, else skipped. */
    private static Check both(Check a, Check b) {
        String status = a.failed() || b.failed() ? "failed"
                : "passed".equals(a.status()) || "passed".equals(b.status()) ? "passed" : "skipped";
        return new Check(a.name(), status, a.detail() + "; " + b.detail());
    }

    private static Check rowCounts(Connection c, Map<String, Long> expected, java.util.Set<String> volatileTables)
            throws SQLException {
        if (expected == null) return new Check("row_counts", "skipped", "no row counts of a restored dump to compare with");
        Map<String, Long> now = TableCounts.of(c);
        Map<String, String> diff = new TreeMap<>();
        int compared = 0;
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            String table = e.getKey().substring(e.getKey().indexOf('.') + 1);
            if (volatileTables.contains(table)) continue;
            compared++;
            Long got = now.get(e.getKey());
            if (!e.getValue().equals(got)) diff.put(e.getKey(), "dump " + e.getValue() + ", now " + (got == null ? "missing" : got));
        }
        return diff.isEmpty() ? new Check("row_counts", "passed", compared + " tables with the dump's row counts (volatile tables not compared)")
                : new Check("row_counts", "failed", diff.size() + " table(s) differ from the dump: " + diff);
    }

    private static Check documents(EnvironmentConfig env, Expected expected) {
        if (expected.treeDigest() == null) return new Check("documents", "skipped", "no tree digest of restored documents to compare with");
        int version = expected.treeDigestVersion() == null ? TreeDigest.V1 : expected.treeDigestVersion();
        TreeDigest.Result now = TreeDigest.of(env.filestore(), version, env.app());
        return now.digest().equals(expected.treeDigest())
                ? new Check("documents", "passed", now.fileCount() + " files, tree digest (version " + version + ") as in the artifact")
                : new Check("documents", "failed", "tree digest (version " + version + ") of " + env.filestore() + " is "
                + now.digest() + " over " + now.fileCount() + " files, the artifact's " + expected.treeDigest());
    }

    private static Check references(Connection c, EnvironmentConfig env, BackupGaps atBackup) throws SQLException {
        var refs = dev.odooops.postgres.AttachmentReferences.read(c, env.app());
        if (refs.unavailable() != null) return new Check("references", "skipped", refs.unavailable());
        List<String> missing = new ArrayList<>();
        for (String path : new java.util.TreeSet<>(refs.expectedSha1().keySet())) {
            Path f = env.filestore().resolve(path).normalize();
            if (!f.startsWith(env.filestore()) || !Files.isRegularFile(f)) missing.add(path);
        }
        BackupGaps.Judged judged = atBackup.judge(missing, List.of());
        String total = refs.expectedSha1().size() + " documents llx_ecm_files indexes";
        if (!judged.failures().isEmpty()) {
            return new Check("references", "failed", judged.failures().size() + " of " + total + " are missing, first "
                    + first(judged.failures()) + recordedNote(judged));
        }
        return new Check("references", "passed", (missing.isEmpty() ? "all " + total + " are present"
                : (refs.expectedSha1().size() - missing.size()) + " of " + total + " are present") + recordedNote(judged));
    }

    /** The problems a check reports but does not fail on (the artifact already had them), for its detail. */
    private static String recordedNote(BackupGaps.Judged judged) {
        return judged.recorded().isEmpty() ? "" : "; reported, not failed: " + judged.recorded().size()
                + " as the artifact holds them (recorded by its backup), first " + first(judged.recorded());
    }

    private static List<String> first(List<String> all) {
        return all.subList(0, Math.min(20, all.size()));
    }

    private interface Body {
        Check run() throws Exception;
    }

    private static Check guard(String name, Body body) {
        try {
            return body.run();
        } catch (Exception e) {
            return new Check(name, "failed", e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static Check registry(Connection c) throws SQLException {
        List<String> orphans = strings(c, "select distinct d.module from ir_model_data d where d.module not like '\\_\\_%' "
                + "and not exists (select 1 from ir_module_module m where m.name = d.module and m.state in ('installed', 'to upgrade')) "
                + "order by 1");
        return orphans.isEmpty() ? new Check("registry", "passed", "every ir_model_data module is installed")
                : new Check("registry", "failed", "ir_model_data names modules that are not installed: " + orphans);
    }

    private static Check migrations(Connection c) throws SQLException {
        List<String> pending = strings(c, "select name || ' (' || state || ')' from ir_module_module "
                + "where state in ('to install', 'to upgrade', 'to remove') order by 1");
        return pending.isEmpty() ? new Check("migrations", "passed", "no module pending install, upgrade or removal")
                : new Check("migrations", "failed", "modules left pending: " + pending);
    }

    /** Odoo: base's series against the server's, and the installed modules against the manifest's. */
    private static Check modules(Connection c, Map<String, String> expected, VersionGuard.Target server) throws SQLException {
        Map<String, String> installed = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "select name, coalesce(latest_version, '') from ir_module_module where state = 'installed'");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) installed.put(rs.getString(1), rs.getString(2));
        }
        String base = installed.get("base");
        Check series = seriesOnServer("modules", base == null ? "base is not installed" : "base is " + base,
                VersionGuard.series(base), server);
        return both(series, compareModules(installed, expected, "modules, versions as in the manifest"));
    }

    /** The modules the database has now against the manifest's; {@code what} follows their count when they match. */
    private static Check compareModules(Map<String, String> installed, Map<String, String> expected, String what) {
        if (expected == null) return new Check("modules", "skipped", "no artifact manifest to compare with");
        Map<String, String> want = new TreeMap<>();
        want.putAll(expected);
        if (installed.equals(want)) return new Check("modules", "passed", installed.size() + " " + what);
        Map<String, String> diff = new TreeMap<>();
        want.forEach((m, v) -> { if (!v.equals(installed.get(m))) diff.put(m, "manifest " + v + ", installed " + installed.get(m)); });
        installed.forEach((m, v) -> { if (!want.containsKey(m)) diff.put(m, "installed " + v + ", not in the manifest"); });
        return new Check("modules", "failed", "modules differ from the manifest: " + diff);
    }

    private static Check samples(Connection c, AppProfile app) throws SQLException {
        List<String> read = new ArrayList<>();
        List<String> tables = app.sampleTables();
        for (String table : tables) {
            boolean exists;
            try (PreparedStatement ps = c.prepareStatement("select to_regclass(?) is not null")) {
                ps.setString(1, "public." + table);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    exists = rs.getBoolean(1);
                }
            }
            if (!exists) {
                if (!table.equals(tables.get(2))) return new Check("data_samples", "failed", "table " + table + " is missing");
                continue;
            }
            // the table name is one of the profile's three constants, never input
            int rows = 0;
            try (PreparedStatement ps = c.prepareStatement("select * from " + table + " order by random() limit 5");
                 ResultSet rs = ps.executeQuery()) {
                int cols = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    for (int i = 1; i <= cols; i++) rs.getObject(i);
                    rows++;
                }
            }
            read.add(table + ": " + rows);
        }
        return new Check("data_samples", "passed", "read back " + read);
    }

    private Check filestore(Connection c, Path root, BackupGaps atBackup) throws SQLException {
        long total;
        try (PreparedStatement ps = c.prepareStatement("select count(*) from ir_attachment where store_fname is not null");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            total = rs.getLong(1);
        }
        boolean sampled = total > filestoreLimit;
        List<String> missing = new ArrayList<>();
        List<String> corrupt = new ArrayList<>();
        int unexpected = 0; // problems the artifact did not record: at 20 the check stops
        int checked = 0;
        try (PreparedStatement ps = c.prepareStatement("select store_fname, checksum from ir_attachment where store_fname is not null "
                + (sampled ? "order by random() " : "order by id ") + "limit ?")) {
            ps.setInt(1, filestoreLimit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    checked++;
                    String fname = rs.getString(1);
                    Path f = root.resolve(fname).normalize();
                    if (!f.startsWith(root) || !Files.isRegularFile(f)) {
                        missing.add(fname);
                        if (!atBackup.missing().contains(fname)) unexpected++;
                    } else if (rs.getString(2) != null && !Checksums.sha1(f).equals(rs.getString(2))) {
                        corrupt.add(fname);
                        if (!atBackup.corrupt().contains(fname)) unexpected++;
                    }
                    if (unexpected >= 20) break;
                }
            }
        }
        BackupGaps.Judged judged = atBackup.judge(missing, corrupt);
        List<String> bad = judged.failures();
        String scope = (sampled ? "a random sample of " + Math.min(total, filestoreLimit) + " of " + total : "all " + total)
                + " attachments" + (bad.size() >= 20 ? " (stopped after " + checked + " checked, at 20 problems)" : "");
        return bad.isEmpty() ? new Check("filestore", "passed", scope + " present with the right SHA-1" + recordedNote(judged))
                : new Check("filestore", "failed", "in " + scope + ": " + bad + recordedNote(judged));
    }

    private Check command(EnvironmentConfig env, String control) {
        List<String> argv = env.control().validateCommand();
        String name = control + "_command";
        if (argv == null || argv.isEmpty()) return new Check(name, "skipped", "no " + control + ".validate_command configured");
        tools.runCommand(argv, Duration.ofMinutes(30));
        return new Check(name, "passed", argv.get(0) + " exited 0");
    }

    private static Check log(Path logFile, long offset, AppProfile app) throws IOException {
        String control = app.controlKey();
        String name = control + "_log";
        if (logFile == null) return new Check(name, "skipped", "no " + control + ".log_file configured");
        String since = offset >= 0 ? " since the restart" : " (whole file: no restart time known)";
        if (!Files.exists(logFile)) return new Check(name, "passed", logFile + " has no lines" + since);
        List<String> bad = new ArrayList<>();
        try (RandomAccessFile f = new RandomAccessFile(logFile.toFile(), "r")) {
            long from = offset >= 0 && offset <= f.length() ? offset : 0; // a rotated log restarts at 0
            f.seek(from);
            byte[] rest = new byte[(int) Math.min(f.length() - from, 64L << 20)];
            f.readFully(rest);
            for (String line : new String(rest, StandardCharsets.UTF_8).split("\n")) {
                if (dev.odooops.domain.OdooLog.problem(line, app)) bad.add(line.length() > 300 ? line.substring(0, 300) : line);
                if (bad.size() >= 10) break;
            }
        }
        return bad.isEmpty() ? new Check(name, "passed", "no " + problemWords(app) + " line" + since)
                : new Check(name, "failed", bad.size() + " " + problemWords(app) + " line(s)" + since + ", first: " + bad.get(0));
    }

    private static Check logSince(Path logFile, java.time.Instant since, AppProfile app) throws IOException {
        String control = app.controlKey();
        String name = control + "_log";
        if (logFile == null) return new Check(name, "skipped", "no " + control + ".log_file configured");
        String window = " since " + since + " (server local time " + java.time.ZoneId.systemDefault() + ")";
        if (!Files.exists(logFile)) return new Check(name, "passed", logFile + " has no lines" + window);
        List<String> bad = dev.odooops.domain.OdooLog.problemsSince(tail(logFile), since, java.time.ZoneId.systemDefault(), 10, app);
        return bad.isEmpty() ? new Check(name, "passed", "no " + problemWords(app) + " line" + window)
                : new Check(name, "failed", bad.size() + " " + problemWords(app) + " line(s)" + window + ", first: " + bad.get(0));
    }

    /** The log levels that count as problems, in the application's own words. */
    private static String problemWords(AppProfile app) {
        return app == AppProfile.ODOO ? "ERROR/CRITICAL" : "ERR/CRIT/ALERT/EMERG";
    }

    /** The last 64 MiB of a log, as lines. */
    public static List<String> tail(Path logFile) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(logFile.toFile(), "r")) {
            long from = Math.max(0, f.length() - (64L << 20));
            f.seek(from);
            byte[] rest = new byte[(int) (f.length() - from)];
            f.readFully(rest);
            return List.of(new String(rest, StandardCharsets.UTF_8).split("\n"));
        }
    }

    private static List<String> strings(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    public static Map<String, Object> report(List<Check> checks) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", checks.stream().noneMatch(Check::failed));
        m.put("checks", checks);
        return m;
    }
}
