package dev.odooops.odoo;

import dev.odooops.postgres.EnvironmentDatabase;

import dev.odooops.config.EnvironmentConfig;
import dev.odooops.config.Settings;
import dev.odooops.domain.Checksums;
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
 *   <li>modules: installed modules and versions equal the artifact manifest (skipped without one);</li>
 *   <li>data_samples: five random rows of res_partner, res_users and account_move (when it exists) read back whole;</li>
 *   <li>filestore: every ir_attachment.store_fname exists and its SHA-1 matches the checksum column; above
 *       restore.filestore-check-limit attachments, a random sample of that many is checked;</li>
 *   <li>odoo_command: the configured odoo.validate_command exits 0 (skipped, with the reason, when none);</li>
 *   <li>odoo_log: no ERROR or CRITICAL line in odoo.log_file since the restart (skipped when none).</li>
 * </ol>
 */
public class EnvironmentValidator {
    private static final Pattern BAD_LOG_LINE = Pattern.compile("\\b(ERROR|CRITICAL)\\b");
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

    /** @param expectedModules module -> version from the artifact manifest, or null to skip check 3 */
    public List<Check> validate(EnvironmentConfig env, Map<String, String> expectedModules, long logOffset,
                                SecretRedactor redactor) {
        return validate(env, expectedModules, logOffset, null, redactor);
    }

    /**
     * @param logOffset the log's size at the restart (the restore knows it), or -1
     * @param logSince  without an offset: only log lines from this time on count (validate-env); null: whole log
     */
    public List<Check> validate(EnvironmentConfig env, Map<String, String> expectedModules, long logOffset,
                                java.time.Instant logSince, SecretRedactor redactor) {
        List<Check> checks = new ArrayList<>();
        try (Connection c = EnvironmentDatabase.connect(env.database())) {
            checks.add(guard("registry", () -> registry(c)));
            checks.add(guard("migrations", () -> migrations(c)));
            checks.add(guard("modules", () -> modules(c, expectedModules)));
            checks.add(guard("data_samples", () -> samples(c)));
            checks.add(guard("filestore", () -> filestore(c, env.filestore())));
        } catch (SQLException e) {
            checks.add(new Check("database", "failed", "cannot connect: " + redactor.scrub(e.getMessage())));
        }
        checks.add(guard("odoo_command", () -> command(env)));
        checks.add(guard("odoo_log", () -> logOffset < 0 && logSince != null ? logSince(env.control().logFile(), logSince)
                : log(env.control().logFile(), logOffset)));
        return checks.stream().map(c -> new Check(c.name(), c.status(), redactor.scrub(c.detail()))).toList();
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

    private static Check modules(Connection c, Map<String, String> expected) throws SQLException {
        if (expected == null) return new Check("modules", "skipped", "no artifact manifest to compare with");
        Map<String, String> installed = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "select name, coalesce(latest_version, '') from ir_module_module where state = 'installed'");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) installed.put(rs.getString(1), rs.getString(2));
        }
        Map<String, String> want = new TreeMap<>();
        want.putAll(expected);
        if (installed.equals(want)) return new Check("modules", "passed", installed.size() + " modules, versions as in the manifest");
        Map<String, String> diff = new TreeMap<>();
        want.forEach((m, v) -> { if (!v.equals(installed.get(m))) diff.put(m, "manifest " + v + ", installed " + installed.get(m)); });
        installed.forEach((m, v) -> { if (!want.containsKey(m)) diff.put(m, "installed " + v + ", not in the manifest"); });
        return new Check("modules", "failed", "modules differ from the manifest: " + diff);
    }

    private static Check samples(Connection c) throws SQLException {
        List<String> read = new ArrayList<>();
        for (String table : List.of("res_partner", "res_users", "account_move")) {
            boolean exists;
            try (PreparedStatement ps = c.prepareStatement("select to_regclass(?) is not null")) {
                ps.setString(1, "public." + table);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    exists = rs.getBoolean(1);
                }
            }
            if (!exists) {
                if (!table.equals("account_move")) return new Check("data_samples", "failed", "table " + table + " is missing");
                continue;
            }
            // the table name is one of three constants above, never input
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

    private Check filestore(Connection c, Path root) throws SQLException {
        long total;
        try (PreparedStatement ps = c.prepareStatement("select count(*) from ir_attachment where store_fname is not null");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            total = rs.getLong(1);
        }
        boolean sampled = total > filestoreLimit;
        List<String> bad = new ArrayList<>();
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
                        bad.add(fname + " missing");
                    } else if (rs.getString(2) != null && !Checksums.sha1(f).equals(rs.getString(2))) {
                        bad.add(fname + " sha1 differs");
                    }
                    if (bad.size() >= 20) break;
                }
            }
        }
        String scope = (sampled ? "a random sample of " + Math.min(total, filestoreLimit) + " of " + total : "all " + total)
                + " attachments" + (bad.size() >= 20 ? " (stopped after " + checked + " checked, at 20 problems)" : "");
        return bad.isEmpty() ? new Check("filestore", "passed", scope + " present with the right SHA-1")
                : new Check("filestore", "failed", "in " + scope + ": " + bad);
    }

    private Check command(EnvironmentConfig env) {
        List<String> argv = env.control().validateCommand();
        if (argv == null || argv.isEmpty()) return new Check("odoo_command", "skipped", "no odoo.validate_command configured");
        tools.runCommand(argv, Duration.ofMinutes(30));
        return new Check("odoo_command", "passed", argv.get(0) + " exited 0");
    }

    private static Check log(Path logFile, long offset) throws IOException {
        if (logFile == null) return new Check("odoo_log", "skipped", "no odoo.log_file configured");
        String since = offset >= 0 ? " since the restart" : " (whole file: no restart time known)";
        if (!Files.exists(logFile)) return new Check("odoo_log", "passed", logFile + " has no lines" + since);
        List<String> bad = new ArrayList<>();
        try (RandomAccessFile f = new RandomAccessFile(logFile.toFile(), "r")) {
            long from = offset >= 0 && offset <= f.length() ? offset : 0; // a rotated log restarts at 0
            f.seek(from);
            byte[] rest = new byte[(int) Math.min(f.length() - from, 64L << 20)];
            f.readFully(rest);
            for (String line : new String(rest, StandardCharsets.UTF_8).split("\n")) {
                if (BAD_LOG_LINE.matcher(line).find()) bad.add(line.length() > 300 ? line.substring(0, 300) : line);
                if (bad.size() >= 10) break;
            }
        }
        return bad.isEmpty() ? new Check("odoo_log", "passed", "no ERROR/CRITICAL line" + since)
                : new Check("odoo_log", "failed", bad.size() + " ERROR/CRITICAL line(s)" + since + ", first: " + bad.get(0));
    }

    private static Check logSince(Path logFile, java.time.Instant since) throws IOException {
        if (logFile == null) return new Check("odoo_log", "skipped", "no odoo.log_file configured");
        String window = " since " + since + " (server local time " + java.time.ZoneId.systemDefault() + ")";
        if (!Files.exists(logFile)) return new Check("odoo_log", "passed", logFile + " has no lines" + window);
        List<String> bad = dev.odooops.domain.OdooLog.problemsSince(tail(logFile), since, java.time.ZoneId.systemDefault(), 10);
        return bad.isEmpty() ? new Check("odoo_log", "passed", "no ERROR/CRITICAL line" + window)
                : new Check("odoo_log", "failed", bad.size() + " ERROR/CRITICAL line(s)" + window + ", first: " + bad.get(0));
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
