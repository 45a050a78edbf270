package dev.odooops.postgres;

import dev.odooops.domain.AnonymizationRules;
import dev.odooops.domain.AnonymizationRules.ColumnRule;
import dev.odooops.domain.AnonymizationRules.Kind;
import dev.odooops.domain.AnonymizationRules.Rule;
import dev.odooops.domain.AnonymizationRules.ScaledTable;
import dev.odooops.domain.RequestRejected;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToIntFunction;
import java.util.regex.Pattern;

/**
 * Anonymises a scratch copy of an Odoo database and its filestore in place, set-wise in SQL (issue 14, section 1):
 * one UPDATE per rule and table, fakes computed in the database by session-local functions
 * ({@code anonymization/functions.sql}), amounts scaled by one factor per snapshot with every journal entry kept
 * balanced, attachments of configured models replaced by a placeholder file. Each step commits on its own (a row
 * updated twice in one transaction has all its foreign keys re-checked); a failure leaves the scratch copy partly
 * anonymised, to be dropped. The original files left unreferenced are removed from the (scratch) filestore once the
 * attachments step has committed.
 */
public final class Anonymizer {
    private static final Pattern STORE_FNAME = Pattern.compile("[0-9a-f]{2}/[0-9a-f]{40}");
    /** A 1x1 transparent PNG: the placeholder of image attachments (partner and employee pictures). */
    private static final byte[] PLACEHOLDER_PNG = HexFormat.of().parseHex(
            "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    + "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082");
    private static final List<String> FUNCTIONS = functions();

    /**
     * What one anonymisation did, as the snapshot's evidence records it ({@code anonymization.json}): rules run with
     * rows touched and time taken, tables/columns absent and skipped, the amount factor's effect, attachments replaced,
     * notes (e.g. accounting hash chains that cannot survive scaled amounts). Never an original value.
     */
    public record Outcome(Map<String, Object> evidence) {
    }

    /** Opens a new connection to the scratch database (for {@link #anonymize(Connections, int, Path, AnonymizationRules, String)}). */
    @FunctionalInterface
    public interface Connections {
        Connection open() throws SQLException;
    }

    /**
     * Anonymises the database {@code connection} is connected to (a scratch copy, never production) and the files of
     * its filestore directory {@code filestore} (Odoo layout {@code <2 hex>/<sha1>}; replaced attachments get a
     * placeholder file under its own SHA-1 name, rows updated), with {@code rules} and the per-snapshot {@code salt}.
     * One step after the other on this connection, which is left open, in its commit mode, with nothing of the run.
     */
    public Outcome anonymize(Connection connection, Path filestore, AnonymizationRules rules, String salt) {
        return execute(() -> connection, 1, false, filestore, rules, salt);
    }

    /**
     * As {@link #anonymize(Connection, Path, AnonymizationRules, String)}, on up to {@code jobs} connections at once
     * (like {@code pg_restore -j}): the rules of different tables run side by side, the amounts (which read and write
     * the accounting tables and the rules naming them) in one chain, the attachments last. Each connection is opened
     * from {@code connections} and closed at the end.
     */
    public Outcome anonymize(Connections connections, int jobs, Path filestore, AnonymizationRules rules, String salt) {
        if (jobs < 1) {
            throw new RequestRejected("jobs", "must be at least 1");
        }
        return execute(connections, jobs, true, filestore, rules, salt);
    }

    /** One unit of work: the rules of one table (in their order), or the amounts chain with the rules it must follow. */
    private record Task(List<Rule> rules, boolean amounts) {
    }

    /** Tables the amounts chain writes: a rule naming one runs in the chain, before it (never beside it). */
    private static Set<String> amountTables(AnonymizationRules rules) {
        Set<String> tables = new HashSet<>(List.of("account_move", "account_move_line",
                "account_partial_reconcile", "account_bank_statement", "account_bank_statement_line"));
        for (ScaledTable t : rules.scaledTables()) {
            tables.add(t.table());
            if (t.totals() != null) {
                tables.add(t.totals().table());
            }
        }
        return tables;
    }

    private static List<Task> plan(AnonymizationRules rules) {
        Set<String> amountTables = rules.amountsEnabled() ? amountTables(rules) : Set.of();
        List<Rule> chain = new ArrayList<>();
        Map<String, List<Rule>> byTable = new LinkedHashMap<>();
        for (Rule r : rules.rules()) {
            if (amountTables.contains(r.table())) {
                chain.add(r);
            } else {
                byTable.computeIfAbsent(r.table(), t -> new ArrayList<>()).add(r);
            }
        }
        List<Task> tasks = new ArrayList<>();
        tasks.add(new Task(chain, true));   // the longest chain first
        byTable.values().forEach(list -> tasks.add(new Task(list, false)));
        return tasks;
    }

    private Outcome execute(Connections source, int jobs, boolean close, Path filestore, AnonymizationRules rules,
                            String salt) {
        if (salt == null || salt.isBlank()) {
            throw new RequestRejected("salt", "a snapshot's salt must not be empty");
        }
        long started = System.nanoTime();
        BigDecimal factor = factor(salt);
        Queue<Task> queue = new ConcurrentLinkedQueue<>(plan(rules));
        List<Run> runs = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Runnable worker = () -> work(source, close, rules, salt, runs, failure, run -> {
            Task task;
            while (failure.get() == null && (task = queue.poll()) != null) {
                for (Rule rule : task.rules()) {
                    run.rule(rule);
                    run.c.commit();
                }
                if (task.amounts()) {
                    if (rules.amountsEnabled()) {
                        run.amounts(factor);
                    } else {
                        run.amountsEvidence.put("scaled", false);
                    }
                }
            }
        });
        int threads = Math.min(jobs, queue.size());
        if (threads <= 1) {
            worker.run();
        } else {
            List<Thread> threadsStarted = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Thread t = new Thread(worker, "anonymize-" + (i + 1));
                t.start();
                threadsStarted.add(t);
            }
            for (Thread t : threadsStarted) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure.compareAndSet(null, new IllegalStateException("anonymisation interrupted"));
                }
            }
        }
        List<String> orphans = new ArrayList<>();
        java.util.Set<String> referenced = new java.util.HashSet<>();
        if (failure.get() == null) {
            work(source, close, rules, salt, runs, failure, run -> {
                orphans.addAll(run.attachments(filestore));
                if (run.attachmentsEvidence.containsKey("rows")) referenced.addAll(referencedFiles(run.c));
            });
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        int removed = 0;
        for (String name : orphans) {
            try {
                if (Files.deleteIfExists(filestore.resolve(name))) {
                    removed++;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("anonymisation: cannot remove a replaced file of the scratch filestore", e);
            }
        }
        Map<String, Object> evidence = merge(rules, runs, removed, started);
        if (evidence.get("attachments") instanceof Map<?, ?> attachments && attachments.containsKey("rows")) {
            // files no attachment refers to (waiting for Odoo's garbage collector, checklist/ markers, strays): the
            // copy carries none of them, since nothing says whose data they hold
            @SuppressWarnings("unchecked")
            Map<String, Object> a = (Map<String, Object>) attachments;
            a.put("unreferenced_files_removed", removeUnreferenced(filestore, referenced));
        }
        return new Outcome(evidence);
    }

    /** The files the attachments name once anonymised. */
    private static java.util.Set<String> referencedFiles(Connection c) throws SQLException {
        java.util.Set<String> names = new java.util.HashSet<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT DISTINCT store_fname FROM ir_attachment WHERE store_fname IS NOT NULL")) {
            while (rs.next()) names.add(rs.getString(1));
        }
        return names;
    }

    /** Removes every file of the (scratch) filestore that no attachment names; returns how many. */
    private static int removeUnreferenced(Path filestore, java.util.Set<String> referenced) {
        int removed = 0;
        try (java.util.stream.Stream<Path> files = Files.walk(filestore)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String name = filestore.relativize(f).toString().replace(java.io.File.separatorChar, '/');
                if (!referenced.contains(name) && Files.deleteIfExists(f)) removed++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("anonymisation: cannot remove the unreferenced files of the scratch filestore", e);
        }
        return removed;
    }

    private interface Step {
        void run(Run run) throws SQLException;
    }

    /** One connection's share: its session prepared, the steps, then the session cleaned (and closed when opened here). */
    private static void work(Connections source, boolean close, AnonymizationRules rules, String salt, List<Run> runs,
                             AtomicReference<RuntimeException> failure, Step steps) {
        Connection c = null;
        Run run = null;
        Boolean autoCommit = null;
        try {
            c = source.open();
            run = new Run(c, rules);
            runs.add(run);
            autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            run.prepare(salt);
            steps.run(run);
            c.commit();
        } catch (SQLException | RuntimeException e) {
            if (c != null) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is gone; the scratch copy is dropped by the caller
                }
            }
            RuntimeException f = e instanceof RequestRejected r ? r
                    : new IllegalStateException("anonymisation failed at " + (run == null ? "connection" : run.step)
                    + ": " + firstLine(e) + " (the scratch copy is partly anonymised: drop it)", e);
            failure.compareAndSet(null, f);
        } finally {
            if (run != null) {
                run.cleanUp();
            }
            if (c != null) {
                try {
                    if (autoCommit != null) {
                        c.setAutoCommit(autoCommit);
                    }
                    if (close) {
                        c.close();
                    }
                } catch (SQLException ignored) {
                    // closed connection: nothing to restore
                }
            }
        }
    }

    /**
     * The error's first line: PostgreSQL's "Detail: Failing row contains (...)" and "Where:" lines may quote a row's
     * original values, which must reach neither a log nor the evidence.
     */
    static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** The evidence of all connections' runs, rules in the rules' order. */
    private static Map<String, Object> merge(AnonymizationRules rules, List<Run> runs, int removed, long started) {
        Map<String, Integer> order = new HashMap<>();
        List<Rule> all = rules.rules();
        for (int i = 0; i < all.size(); i++) {
            order.put(all.get(i).name(), i);
        }
        ToIntFunction<Map<String, Object>> rank = m -> {
            Object rule = m.containsKey("rule") ? m.get("rule") : m.get("name");
            return rule instanceof String n && order.containsKey(n) && !m.containsKey("amounts") ? order.get(n) : all.size();
        };
        List<Map<String, Object>> rulesEvidence = new ArrayList<>();
        List<Map<String, Object>> skipped = new ArrayList<>();
        Map<String, Object> amounts = new LinkedHashMap<>();
        Map<String, Object> attachments = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        for (Run r : runs) {
            rulesEvidence.addAll(r.rulesEvidence);
            skipped.addAll(r.skipped);
            amounts.putAll(r.amountsEvidence);
            attachments.putAll(r.attachmentsEvidence);
            notes.addAll(r.notes);
        }
        rulesEvidence.sort(Comparator.comparingInt(rank));
        skipped.sort(Comparator.comparingInt(rank));
        if (attachments.containsKey("rows")) {
            attachments.put("original_files_removed", removed);
        }
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("rules", rulesEvidence);
        evidence.put("skipped", skipped);
        evidence.put("amounts", amounts);
        evidence.put("attachments", attachments);
        evidence.put("allowed_logins", rules.allowedLogins());
        evidence.put("notes", notes);
        evidence.put("connections", runs.size() - 1);
        evidence.put("ms", (System.nanoTime() - started) / 1_000_000);
        return evidence;
    }

    /** The amount factor of a snapshot, 0.500..2.000 (never 1), from its salt; it is never printed. */
    static BigDecimal factor(String salt) {
        byte[] h = sha1(("amount-factor|" + salt).getBytes(StandardCharsets.UTF_8));
        int n = ((h[0] & 0xff) << 8 | (h[1] & 0xff)) % 1501;
        if (n == 500) {
            n = 750;
        }
        return BigDecimal.valueOf(500 + n, 3);
    }

    private static byte[] sha1(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> functions() {
        try (InputStream in = Anonymizer.class.getResourceAsStream("/anonymization/functions.sql")) {
            if (in == null) {
                throw new IllegalStateException("anonymization/functions.sql is missing from the build");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<String> out = new ArrayList<>();
            for (String part : text.split("(?m)^;;\\s*$")) {
                StringBuilder sql = new StringBuilder();
                for (String line : part.split("\n")) {
                    if (!line.startsWith("--")) {
                        sql.append(line).append('\n');
                    }
                }
                if (!sql.toString().isBlank()) {
                    out.add(sql.toString().trim());
                }
            }
            return List.copyOf(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String q(String identifier) {
        return '"' + identifier + '"';
    }

    /** A column: its type (pg_type.typname: varchar, text, jsonb, numeric, float8 ...) and whether it takes NULL. */
    private record Column(String type, boolean nullable) {
        boolean text() {
            return type.equals("varchar") || type.equals("text") || type.equals("bpchar");
        }

        boolean jsonb() {
            return type.equals("jsonb");
        }

        boolean number() {
            return type.equals("numeric") || type.equals("float8") || type.equals("float4");
        }
    }

    /** The state of one anonymisation: the connection, the schema seen so far, the evidence gathered. */
    private static final class Run {
        final Connection c;
        final AnonymizationRules rules;
        final Map<String, Map<String, Column>> schema = new HashMap<>();
        final List<Map<String, Object>> rulesEvidence = new ArrayList<>();
        final List<Map<String, Object>> skipped = new ArrayList<>();
        final Map<String, Object> amountsEvidence = new LinkedHashMap<>();
        final Map<String, Object> attachmentsEvidence = new LinkedHashMap<>();
        final List<String> notes = new ArrayList<>();
        String step = "preparation";

        Run(Connection c, AnonymizationRules rules) {
            this.c = c;
            this.rules = rules;
        }

        /** Reads the columns of every table the rules and the built-in steps name, in one query. */
        void preload() throws SQLException {
            Set<String> tables = new LinkedHashSet<>(List.of("res_currency", "res_company", "res_users",
                    "account_move", "account_move_line", "account_partial_reconcile", "account_bank_statement",
                    "account_bank_statement_line", "account_journal", "pos_order", "ir_attachment"));
            rules.rules().forEach(r -> tables.add(r.table()));
            for (ScaledTable t : rules.scaledTables()) {
                tables.add(t.table());
                if (t.totals() != null) {
                    tables.add(t.totals().table());
                }
            }
            tables.forEach(t -> schema.put(t, new LinkedHashMap<>()));
            try (PreparedStatement ps = c.prepareStatement("SELECT r.relname, a.attname, t.typname, NOT a.attnotnull "
                    + "FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid "
                    + "WHERE r.relname = ANY(?) AND r.relnamespace = current_schema()::regnamespace AND r.relkind IN ('r', 'p') "
                    + "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY r.relname, a.attnum")) {
                ps.setArray(1, c.createArrayOf("text", tables.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        schema.get(rs.getString(1)).put(rs.getString(2), new Column(rs.getString(3), rs.getBoolean(4)));
                    }
                }
            }
        }

        Map<String, Column> columns(String table) throws SQLException {
            Map<String, Column> cols = schema.get(table);
            if (cols == null) {
                cols = new LinkedHashMap<>();
                // pg_catalog, not information_schema: a few ms less per table, over some 40 tables
                try (PreparedStatement ps = c.prepareStatement("SELECT a.attname, t.typname, NOT a.attnotnull "
                        + "FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid "
                        + "WHERE r.relname = ? AND r.relnamespace = current_schema()::regnamespace AND r.relkind IN ('r', 'p') "
                        + "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
                    ps.setString(1, table);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            cols.put(rs.getString(1), new Column(rs.getString(2), rs.getBoolean(3)));
                        }
                    }
                }
                schema.put(table, cols);
            }
            return cols;
        }

        boolean has(String table, String... cols) throws SQLException {
            Map<String, Column> m = columns(table);
            if (m.isEmpty()) {
                return false;
            }
            for (String col : cols) {
                if (!m.containsKey(col)) {
                    return false;
                }
            }
            return true;
        }

        void skip(String what, String name, String table, String column, String reason) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put(what, name);
            s.put("table", table);
            if (column != null) {
                s.put("column", column);
            }
            s.put("reason", reason);
            skipped.add(s);
        }

        void execute(String sql) throws SQLException {
            try (Statement st = c.createStatement()) {
                st.execute(sql);
            }
        }

        long count(String sql) throws SQLException {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }

        void prepare(String salt) throws SQLException {
            // session-wide (each step commits on its own); cleanUp() resets it
            try (PreparedStatement ps = c.prepareStatement("SELECT set_config('odoo_ops.anon_salt', ?, false)")) {
                ps.setString(1, salt);
                ps.execute();
            }
            // a scratch copy: its commits need not wait for the WAL flush (the snapshot's dump reads it afterwards)
            execute("SET synchronous_commit = off");
            for (String f : FUNCTIONS) {
                execute(f);
            }
            preload();
            // decimals per currency (Odoo stores res_currency.decimal_places, computed from rounding), as an
            // inlinable CASE over the currencies whose decimals are not 2: no per-row lookup
            String decimals = has("res_currency", "id", "decimal_places")
                    ? "SELECT id, decimal_places FROM res_currency WHERE decimal_places IS NOT NULL AND decimal_places <> 2"
                    : has("res_currency", "id", "rounding")
                    ? "SELECT id, greatest(0, ceil(-log(rounding::numeric)))::int AS d FROM res_currency WHERE rounding > 0 "
                    + "AND rounding <> 0.01" : null;
            StringBuilder cases = new StringBuilder();
            if (decimals != null) {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(decimals)) {
                    while (rs.next()) {
                        cases.append(" WHEN ").append(rs.getLong(1)).append(" THEN ").append(rs.getInt(2));
                    }
                }
            }
            execute("CREATE OR REPLACE FUNCTION pg_temp.anon_dec(cur bigint) RETURNS int LANGUAGE sql IMMUTABLE AS $$SELECT "
                    + (cases.isEmpty() ? "2" : "CASE cur" + cases + " ELSE 2 END") + "$$");
            c.commit();
        }

        /** Leaves the session as it was: no salt, no fake functions, no work tables (the caller may reuse it). */
        void cleanUp() {
            for (String sql : List.of("ROLLBACK", "RESET odoo_ops.anon_salt", "RESET synchronous_commit",
                    "DROP TABLE IF EXISTS pg_temp.anon_unbalanced", "DROP TABLE IF EXISTS pg_temp.anon_old_files",
                    "DO $$DECLARE f regprocedure; BEGIN FOR f IN SELECT p.oid::regprocedure FROM pg_proc p "
                            + "WHERE p.pronamespace = pg_my_temp_schema() AND p.proname LIKE 'anon\\_%' LOOP "
                            + "EXECUTE 'DROP FUNCTION ' || f; END LOOP; END $$", "COMMIT")) {
                try {
                    execute(sql);
                } catch (SQLException ignored) {
                    // a broken connection: the session ends with it, and so does everything above
                }
            }
        }

        String keepFilter(Rule rule, List<Object> params) throws SQLException {
            if (rule.keepAllowedUsers() == null || rules.allowedLogins().isEmpty()) {
                return null;
            }
            if (!has("res_users", "id", "login")) {
                return null;
            }
            params.add(c.createArrayOf("text", rules.allowedLogins().toArray()));
            String k = q(rule.keepAllowedUsers());
            return "(" + k + " IS NULL OR " + k + " NOT IN (SELECT id FROM res_users WHERE login = ANY(?)))";
        }

        void rule(Rule rule) throws SQLException {
            step = "rule " + rule.name();
            long t0 = System.nanoTime();
            Map<String, Column> cols = columns(rule.table());
            if (cols.isEmpty()) {
                skip("rule", rule.name(), rule.table(), null, "table absent");
                return;
            }
            if (rule.keepAllowedUsers() != null && !cols.containsKey(rule.keepAllowedUsers())) {
                skip("rule", rule.name(), rule.table(), rule.keepAllowedUsers(), "column absent (allow-list filter)");
                return;
            }
            List<Object> params = new ArrayList<>();
            String sql;
            List<String> done = new ArrayList<>();
            if (rule.delete()) {
                String keep = keepFilter(rule, params);
                sql = "DELETE FROM " + q(rule.table()) + (keep == null ? "" : " WHERE " + keep);
            } else {
                StringJoiner set = new StringJoiner(", ");
                StringJoiner any = new StringJoiner(" OR ");
                for (ColumnRule cr : rule.columns()) {
                    Column col = cols.get(cr.column());
                    if (col == null) {
                        skip("rule", rule.name(), rule.table(), cr.column(), "column absent");
                        continue;
                    }
                    String expr = expression(cr, col, params);
                    if (expr == null) {
                        skip("rule", rule.name(), rule.table(), cr.column(),
                                "a " + col.type() + " column cannot take kind " + cr.kind().yamlName());
                        continue;
                    }
                    set.add(q(cr.column()) + " = " + expr);
                    any.add(q(cr.column()) + " IS NOT NULL");
                    done.add(cr.column());
                }
                if (done.isEmpty()) {
                    skip("rule", rule.name(), rule.table(), null, "none of its columns exists");
                    return;
                }
                String keep = keepFilter(rule, params);
                sql = "UPDATE " + q(rule.table()) + " SET " + set + " WHERE (" + any + ")" + (keep == null ? "" : " AND " + keep);
            }
            int rows;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < params.size(); i++) {
                    ps.setObject(i + 1, params.get(i));
                }
                rows = ps.executeUpdate();
            }
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", rule.name());
            e.put("table", rule.table());
            if (rule.delete()) {
                e.put("action", "delete");
            } else {
                e.put("columns", done);
            }
            e.put("rows", rows);
            e.put("ms", (System.nanoTime() - t0) / 1_000_000);
            rulesEvidence.add(e);
        }

        /** The SQL replacing one column (its old value is {@code "col"}), or null when its type cannot take the kind. */
        String expression(ColumnRule cr, Column col, List<Object> params) {
            String ref = q(cr.column());
            Kind kind = cr.kind();
            if (kind == Kind.NULL) {
                if (col.nullable()) {
                    return "NULL";
                }
                return col.text() ? "CASE WHEN " + ref + " IS NULL THEN NULL ELSE '' END" : null;
            }
            if (kind == Kind.TEXT || kind == Kind.HTML) {
                String value = cr.value() != null ? cr.value() : AnonymizationRules.NEUTRAL_TEXT;
                if (kind == Kind.HTML) {
                    value = "<p>" + value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</p>";
                }
                if (col.text()) {
                    params.add(value);
                    return "CASE WHEN " + ref + " IS NULL THEN NULL ELSE ?::text END";
                }
                if (col.jsonb()) {
                    params.add(value);
                    return "CASE WHEN " + ref + " IS NULL THEN NULL ELSE jsonb_build_object('en_US', ?::text) END";
                }
                return null;
            }
            String fn = "pg_temp.anon_" + kind.yamlName();
            if (col.text()) {
                return "CASE WHEN " + ref + " IS NULL OR " + ref + " = '' THEN " + ref + " ELSE " + fn + "(" + ref + ") END";
            }
            if (col.jsonb()) {
                // a translated field: every language's value gives way to the fake of the first one
                return "CASE WHEN " + ref + " IS NULL THEN NULL ELSE jsonb_build_object('en_US', " + fn
                        + "((SELECT value FROM jsonb_each_text(" + ref + ") LIMIT 1))) END";
            }
            return null;
        }

        // ------------------------------------------------------------------------------------------ amounts

        void amounts(BigDecimal factor) throws SQLException {
            step = "amounts";
            String f = factor.toPlainString();
            amountsEvidence.put("scaled", true);
            amountsEvidence.put("factor", "one per snapshot, derived from its salt, not recorded");
            List<Map<String, Object>> tables = new ArrayList<>();
            amountsEvidence.put("tables", tables);
            accounting(f, tables);
            for (ScaledTable t : rules.scaledTables()) {
                scaled(t, f, tables);
            }
            statements(f, tables);
            hashChains();
        }

        Map<String, Object> tableEvidence(String name, String table, List<String> cols, long rows, long t0) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", name);
            e.put("table", table);
            e.put("columns", cols);
            e.put("rows", rows);
            e.put("ms", (System.nanoTime() - t0) / 1_000_000);
            return e;
        }

        void accounting(String f, List<Map<String, Object>> tables) throws SQLException {
            step = "amounts of account_move_line";
            long t0 = System.nanoTime();
            if (!has("account_move_line", "id", "move_id", "balance")) {
                if (!columns("account_move_line").isEmpty()) {
                    skip("amounts", "journal-items", "account_move_line", "balance", "column absent");
                } else {
                    skip("amounts", "journal-items", "account_move_line", null, "table absent");
                }
                return;
            }
            Map<String, Column> l = columns("account_move_line");
            String cc = l.containsKey("company_currency_id") ? "pg_temp.anon_dec(company_currency_id)"
                    : l.containsKey("company_id") && has("res_company", "id", "currency_id")
                    ? "pg_temp.anon_dec((SELECT currency_id FROM res_company WHERE res_company.id = company_id))" : "2";
            String dc = l.containsKey("currency_id") ? "pg_temp.anon_dec(currency_id)" : cc;
            execute("DROP TABLE IF EXISTS pg_temp.anon_unbalanced");
            execute("CREATE TEMP TABLE anon_unbalanced AS SELECT move_id FROM account_move_line "
                    + "GROUP BY move_id HAVING sum(balance) <> 0");
            long unbalancedBefore = count("SELECT count(*) FROM anon_unbalanced");
            String nb = "round(balance::numeric * " + f + ", " + cc + ")";
            String nac = l.containsKey("amount_currency")
                    ? "CASE WHEN amount_currency = balance THEN " + nb + " ELSE round(amount_currency::numeric * " + f + ", " + dc + ") END"
                    : null;
            StringJoiner set = new StringJoiner(", ");
            List<String> done = new ArrayList<>();
            set.add("balance = " + nb);
            done.add("balance");
            if (l.containsKey("debit")) {
                set.add("debit = greatest(" + nb + ", 0)");
                done.add("debit");
            }
            if (l.containsKey("credit")) {
                set.add("credit = greatest(-" + nb + ", 0)");
                done.add("credit");
            }
            if (nac != null) {
                set.add("amount_currency = " + nac);
                done.add("amount_currency");
            }
            if (l.containsKey("amount_residual")) {
                set.add("amount_residual = CASE WHEN amount_residual = balance THEN " + nb
                        + " ELSE round(amount_residual::numeric * " + f + ", " + cc + ") END");
                done.add("amount_residual");
            }
            if (l.containsKey("amount_residual_currency") && nac != null) {
                set.add("amount_residual_currency = CASE WHEN amount_residual_currency = amount_currency THEN " + nac
                        + " ELSE round(amount_residual_currency::numeric * " + f + ", " + dc + ") END");
                done.add("amount_residual_currency");
            }
            for (String col : List.of("price_unit", "price_subtotal", "price_total", "discount_amount_currency")) {
                if (l.containsKey(col)) {
                    set.add(q(col) + " = round(" + q(col) + "::numeric * " + f + ", " + dc + ")");
                    done.add(col);
                }
            }
            for (String col : List.of("tax_base_amount", "discount_balance")) {
                if (l.containsKey(col)) {
                    set.add(q(col) + " = round(" + q(col) + "::numeric * " + f + ", " + cc + ")");
                    done.add(col);
                }
            }
            long rows = update("UPDATE account_move_line SET " + set);

            // rounding may leave a move off by a cent or two: the difference goes on its largest line that is
            // not a payment term (receivables/payables keep the amounts their payments reconcile with)
            step = "balancing of account_move";
            String ptLast = l.containsKey("display_type") ? "(l.display_type IS NOT DISTINCT FROM 'payment_term')" : "false";
            StringJoiner fix = new StringJoiner(", ");
            fix.add("balance = l.balance - p.diff");
            if (l.containsKey("debit")) {
                fix.add("debit = greatest(l.balance - p.diff, 0)");
            }
            if (l.containsKey("credit")) {
                fix.add("credit = greatest(p.diff - l.balance, 0)");
            }
            if (l.containsKey("amount_residual_currency") && l.containsKey("amount_currency")) {
                fix.add("amount_residual_currency = CASE WHEN l.amount_residual_currency = l.amount_currency "
                        + "AND l.amount_currency = l.balance THEN l.balance - p.diff ELSE l.amount_residual_currency END");
            }
            if (l.containsKey("amount_currency")) {
                fix.add("amount_currency = CASE WHEN l.amount_currency = l.balance THEN l.balance - p.diff ELSE l.amount_currency END");
            }
            if (l.containsKey("amount_residual")) {
                fix.add("amount_residual = CASE WHEN l.amount_residual = l.balance THEN l.balance - p.diff ELSE l.amount_residual END");
            }
            long adjusted = update("WITH d AS (SELECT move_id, sum(balance) AS diff FROM account_move_line "
                    + "WHERE move_id NOT IN (SELECT move_id FROM anon_unbalanced) GROUP BY move_id HAVING sum(balance) <> 0), "
                    + "p AS (SELECT DISTINCT ON (l.move_id) l.id, d.diff FROM account_move_line l JOIN d ON d.move_id = l.move_id "
                    + "ORDER BY l.move_id, " + ptLast + ", abs(l.balance) DESC, l.id) "
                    + "UPDATE account_move_line l SET " + fix + " FROM p WHERE l.id = p.id");
            tables.add(tableEvidence("journal-items", "account_move_line", done, rows, t0));

            partials(f, tables);

            step = "totals of account_move";
            long t1 = System.nanoTime();
            List<String> moveCols = new ArrayList<>();
            long moves = moveTotals(f, moveCols);
            if (moves >= 0) {
                tables.add(tableEvidence("journal-entries", "account_move", moveCols, moves, t1));
            }
            long after = count("SELECT count(*) FROM (SELECT move_id FROM account_move_line "
                    + "WHERE move_id NOT IN (SELECT move_id FROM anon_unbalanced) GROUP BY move_id HAVING sum(balance) <> 0) x");
            Map<String, Object> bal = new LinkedHashMap<>();
            bal.put("moves", count("SELECT count(DISTINCT move_id) FROM account_move_line"));
            bal.put("moves_adjusted_by_rounding", adjusted);
            bal.put("moves_unbalanced_before", unbalancedBefore);
            bal.put("moves_unbalanced_after", after + unbalancedBefore);
            amountsEvidence.put("balance", bal);
            if (unbalancedBefore > 0) {
                notes.add(unbalancedBefore + " journal entries did not balance before anonymisation (drafts?); they "
                        + "were scaled but not balanced");
            }
        }

        /**
         * One set-wise statement, committed at once: a second UPDATE of rows written earlier in the same transaction
         * makes PostgreSQL re-check every foreign key of those rows (some twenty per account_move_line in Odoo).
         */
        long update(String sql) throws SQLException {
            try (Statement st = c.createStatement()) {
                long n = st.executeUpdate(sql);
                c.commit();
                return n;
            }
        }

        void partials(String f, List<Map<String, Object>> tables) throws SQLException {
            step = "amounts of account_partial_reconcile";
            long t0 = System.nanoTime();
            if (!has("account_partial_reconcile", "amount", "debit_move_id", "credit_move_id")) {
                if (!columns("account_partial_reconcile").isEmpty()) {
                    skip("amounts", "reconciliations", "account_partial_reconcile", "amount", "column absent");
                }
                return;
            }
            Map<String, Column> p = columns("account_partial_reconcile");
            StringJoiner set = new StringJoiner(", ");
            List<String> done = new ArrayList<>();
            String cc = p.containsKey("company_currency_id") ? "pg_temp.anon_dec(company_currency_id)" : "2";
            set.add("amount = round(amount::numeric * " + f + ", " + cc + ")");
            done.add("amount");
            for (String side : List.of("debit", "credit")) {
                String col = side + "_amount_currency";
                if (p.containsKey(col)) {
                    String dec = p.containsKey(side + "_currency_id") ? "pg_temp.anon_dec(" + side + "_currency_id)" : cc;
                    set.add(col + " = round(" + col + "::numeric * " + f + ", " + dec + ")");
                    done.add(col);
                }
            }
            long rows = update("UPDATE account_partial_reconcile SET " + set);
            tables.add(tableEvidence("reconciliations", "account_partial_reconcile", done, rows, t0));
            // residual of a reconciled line = its balance minus what its partials took (Odoo's own formula)
            Map<String, Column> l = columns("account_move_line");
            if (l.containsKey("amount_residual")) {
                boolean cur = l.containsKey("amount_residual_currency") && l.containsKey("amount_currency")
                        && p.containsKey("debit_amount_currency") && p.containsKey("credit_amount_currency");
                update("WITH dp AS (SELECT debit_move_id AS id, sum(amount) AS s"
                        + (cur ? ", sum(debit_amount_currency) AS sc" : "") + " FROM account_partial_reconcile GROUP BY 1), "
                        + "cp AS (SELECT credit_move_id AS id, sum(amount) AS s"
                        + (cur ? ", sum(credit_amount_currency) AS sc" : "") + " FROM account_partial_reconcile GROUP BY 1), "
                        + "t AS (SELECT coalesce(dp.id, cp.id) AS id, coalesce(dp.s, 0) AS ds, coalesce(cp.s, 0) AS cs"
                        + (cur ? ", coalesce(dp.sc, 0) AS dsc, coalesce(cp.sc, 0) AS csc" : "")
                        + " FROM dp FULL JOIN cp ON dp.id = cp.id) "
                        + "UPDATE account_move_line l SET amount_residual = l.balance - t.ds + t.cs"
                        + (cur ? ", amount_residual_currency = l.amount_currency - t.dsc + t.csc" : "")
                        + " FROM t WHERE l.id = t.id");
            }
        }

        /** account_move's totals from its lines, as Odoo's _compute_amount does (17/18); -1 when there is no account_move. */
        long moveTotals(String f, List<String> done) throws SQLException {
            Map<String, Column> m = columns("account_move");
            if (m.isEmpty()) {
                return -1;
            }
            Map<String, Column> l = columns("account_move_line");
            List<String> amountCols = new ArrayList<>();
            for (String col : List.of("amount_untaxed", "amount_tax", "amount_total", "amount_residual",
                    "amount_untaxed_signed", "amount_tax_signed", "amount_total_signed", "amount_residual_signed",
                    "amount_total_in_currency_signed", "amount_untaxed_in_currency_signed")) {
                if (m.containsKey(col)) {
                    amountCols.add(col);
                }
            }
            if (amountCols.isEmpty()) {
                return -1;
            }
            if (!m.containsKey("move_type") || !l.containsKey("display_type") || !l.containsKey("amount_currency")
                    || !l.containsKey("amount_residual")) {
                // no way to recompute as Odoo does: scale and round each total
                String dec = m.containsKey("currency_id") ? "pg_temp.anon_dec(currency_id)" : "2";
                StringJoiner set = new StringJoiner(", ");
                for (String col : amountCols) {
                    set.add(q(col) + " = round(" + q(col) + "::numeric * " + f + ", " + dec + ")");
                }
                done.addAll(amountCols);
                notes.add("account_move totals were scaled, not recomputed from the lines (move_type, display_type, "
                        + "amount_currency or amount_residual absent)");
                return update("UPDATE account_move SET " + set);
            }
            String resC = l.containsKey("amount_residual_currency") ? "amount_residual_currency" : "amount_residual";
            String taxLine = l.containsKey("tax_repartition_line_id")
                    ? "(display_type = 'tax' OR (display_type = 'rounding' AND tax_repartition_line_id IS NOT NULL))"
                    : "display_type = 'tax'";
            String untaxedLine = l.containsKey("tax_repartition_line_id")
                    ? "(display_type = 'product' OR (display_type = 'rounding' AND tax_repartition_line_id IS NULL))"
                    : "display_type IN ('product', 'rounding')";
            String sign = "(CASE WHEN m.move_type IN ('entry', 'in_invoice', 'out_refund', 'in_receipt') THEN 1 ELSE -1 END)";
            String inv = "m.move_type <> 'entry'";
            Map<String, String> expr = new LinkedHashMap<>();
            expr.put("amount_untaxed", "CASE WHEN " + inv + " THEN " + sign + " * t.unt_c ELSE 0 END");
            expr.put("amount_tax", "CASE WHEN " + inv + " THEN " + sign + " * t.tax_c ELSE 0 END");
            expr.put("amount_total", "CASE WHEN " + inv + " THEN " + sign + " * (t.unt_c + t.tax_c) ELSE t.deb_c END");
            expr.put("amount_residual", "CASE WHEN " + inv + " THEN -" + sign + " * t.res_c ELSE 0 END");
            expr.put("amount_untaxed_signed", "CASE WHEN " + inv + " THEN -t.unt ELSE 0 END");
            expr.put("amount_tax_signed", "CASE WHEN " + inv + " THEN -t.tax ELSE 0 END");
            expr.put("amount_total_signed", "CASE WHEN " + inv + " THEN -(t.unt + t.tax) ELSE abs(t.deb) END");
            expr.put("amount_residual_signed", "CASE WHEN " + inv + " THEN t.res ELSE 0 END");
            expr.put("amount_total_in_currency_signed", "CASE WHEN " + inv + " THEN -(t.unt_c + t.tax_c) ELSE abs(t.deb_c) END");
            expr.put("amount_untaxed_in_currency_signed", "CASE WHEN " + inv + " THEN -t.unt_c ELSE 0 END");
            StringJoiner set = new StringJoiner(", ");
            for (String col : amountCols) {
                set.add(q(col) + " = " + expr.get(col));
                done.add(col);
            }
            return update("WITH t AS (SELECT move_id, "
                    + "coalesce(sum(balance) FILTER (WHERE " + taxLine + "), 0) AS tax, "
                    + "coalesce(sum(amount_currency) FILTER (WHERE " + taxLine + "), 0) AS tax_c, "
                    + "coalesce(sum(balance) FILTER (WHERE " + untaxedLine + "), 0) AS unt, "
                    + "coalesce(sum(amount_currency) FILTER (WHERE " + untaxedLine + "), 0) AS unt_c, "
                    + "coalesce(sum(amount_residual) FILTER (WHERE display_type = 'payment_term'), 0) AS res, "
                    + "coalesce(sum(" + resC + ") FILTER (WHERE display_type = 'payment_term'), 0) AS res_c, "
                    + "coalesce(sum(balance) FILTER (WHERE balance > 0), 0) AS deb, "
                    + "coalesce(sum(amount_currency) FILTER (WHERE balance > 0), 0) AS deb_c "
                    + "FROM account_move_line GROUP BY move_id) "
                    + "UPDATE account_move m SET " + set + " FROM t WHERE t.move_id = m.id");
        }

        void scaled(ScaledTable t, String f, List<Map<String, Object>> tables) throws SQLException {
            step = "amounts " + t.name();
            long t0 = System.nanoTime();
            Map<String, Column> cols = columns(t.table());
            if (cols.isEmpty()) {
                skip("amounts", t.name(), t.table(), null, "table absent");
                return;
            }
            String dec = t.currency() != null && cols.containsKey(t.currency()) ? "pg_temp.anon_dec(" + q(t.currency()) + ")" : "2";
            StringJoiner set = new StringJoiner(", ");
            List<String> done = new ArrayList<>();
            for (String col : t.columns()) {
                Column cl = cols.get(col);
                if (cl == null) {
                    skip("amounts", t.name(), t.table(), col, "column absent");
                } else if (!cl.number()) {
                    skip("amounts", t.name(), t.table(), col, "not a number column (" + cl.type() + ")");
                } else {
                    set.add(q(col) + " = round(" + q(col) + "::numeric * " + f + ", " + dec + ")");
                    done.add(col);
                }
            }
            if (done.isEmpty()) {
                skip("amounts", t.name(), t.table(), null, "none of its columns exists");
                return;
            }
            long rows = update("UPDATE " + q(t.table()) + " SET " + set);
            for (Map.Entry<String, List<String>> sum : t.rowSums().entrySet()) {
                if (done.contains(sum.getKey()) && done.containsAll(sum.getValue())) {
                    StringJoiner parts = new StringJoiner(" + ");
                    sum.getValue().forEach(p -> parts.add("coalesce(" + q(p) + ", 0)"));
                    update("UPDATE " + q(t.table()) + " SET " + q(sum.getKey()) + " = " + parts
                            + " WHERE " + q(sum.getKey()) + " IS NOT NULL");
                }
            }
            if (t.totals() != null) {
                Map<String, Column> lines = columns(t.totals().table());
                StringJoiner sums = new StringJoiner(", ");
                StringJoiner assign = new StringJoiner(", ");
                int i = 0;
                for (Map.Entry<String, String> e : t.totals().columns().entrySet()) {
                    if (done.contains(e.getKey()) && lines.containsKey(e.getValue())) {
                        sums.add("sum(" + q(e.getValue()) + ") AS s" + i);
                        assign.add(q(e.getKey()) + " = s.s" + i);
                        i++;
                    }
                }
                if (i > 0 && lines.containsKey(t.totals().key()) && cols.containsKey("id")) {
                    update("UPDATE " + q(t.table()) + " h SET " + assign + " FROM (SELECT " + q(t.totals().key())
                            + " AS k, " + sums + " FROM " + q(t.totals().table()) + " GROUP BY 1) s WHERE s.k = h.id");
                } else if (!lines.isEmpty()) {
                    notes.add(t.name() + ": totals not recomputed from " + t.totals().table() + " (columns absent)");
                }
            }
            tables.add(tableEvidence(t.name(), t.table(), done, rows, t0));
        }

        /** Statement balances follow their lines: end = start + sum of lines; the real end too when it matched. */
        void statements(String f, List<Map<String, Object>> tables) throws SQLException {
            step = "amounts of account_bank_statement";
            long t0 = System.nanoTime();
            if (!has("account_bank_statement", "id", "balance_start")) {
                return;
            }
            Map<String, Column> s = columns("account_bank_statement");
            String dec = s.containsKey("currency_id") ? "pg_temp.anon_dec(currency_id)" : "2";
            String start = "round(balance_start::numeric * " + f + ", " + dec + ")";
            String end = has("account_bank_statement_line", "statement_id", "amount")
                    ? start + " + coalesce((SELECT sum(amount) FROM account_bank_statement_line bl WHERE bl.statement_id = s.id), 0)"
                    : "round(balance_end::numeric * " + f + ", " + dec + ")";
            StringJoiner set = new StringJoiner(", ");
            List<String> done = new ArrayList<>(List.of("balance_start"));
            set.add("balance_start = " + start);
            if (s.containsKey("balance_end")) {
                set.add("balance_end = " + end);
                done.add("balance_end");
                if (s.containsKey("balance_end_real")) {
                    set.add("balance_end_real = CASE WHEN balance_end_real = balance_end THEN " + end
                            + " ELSE round(balance_end_real::numeric * " + f + ", " + dec + ") END");
                    done.add("balance_end_real");
                }
            }
            long rows = update("UPDATE account_bank_statement s SET " + set);
            tables.add(tableEvidence("statements", "account_bank_statement", done, rows, t0));
        }

        void hashChains() throws SQLException {
            step = "hash chains";
            Map<String, Object> chains = new LinkedHashMap<>();
            if (has("account_move", "inalterable_hash", "journal_id")) {
                Map<String, Long> perJournal = new LinkedHashMap<>();
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                        "SELECT journal_id, count(*) FROM account_move WHERE inalterable_hash IS NOT NULL GROUP BY 1 ORDER BY 1")) {
                    while (rs.next()) {
                        perJournal.put(String.valueOf(rs.getLong(1)), rs.getLong(2));
                    }
                }
                if (!perJournal.isEmpty()) {
                    chains.put("account_move_hashed_per_journal_id", perJournal);
                }
            }
            if (has("account_journal", "id", "restrict_mode_hash_table")) {
                List<Long> ids = new ArrayList<>();
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                        "SELECT id FROM account_journal WHERE restrict_mode_hash_table ORDER BY id")) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
                if (!ids.isEmpty()) {
                    chains.put("journals_with_hash_lock", ids);
                }
            }
            if (has("pos_order", "l10n_fr_hash")) {
                long n = count("SELECT count(*) FROM pos_order WHERE l10n_fr_hash IS NOT NULL");
                if (n > 0) {
                    chains.put("pos_order_hashed", n);
                }
            }
            if (!chains.isEmpty()) {
                amountsEvidence.put("hash_chains", chains);
                notes.add("accounting hash chains (inalterability) cannot survive scaled amounts: Odoo's integrity "
                        + "check fails on the hashed entries of this snapshot (listed under amounts.hash_chains)");
            }
        }

        // ------------------------------------------------------------------------------------------ attachments

        /** Replaces the configured models' attachments; returns the original files no longer referenced (to remove). */
        List<String> attachments(Path filestore) throws SQLException {
            step = "attachments";
            long t0 = System.nanoTime();
            List<String> models = rules.attachmentModels();
            attachmentsEvidence.put("models", models);
            if (models.isEmpty()) {
                return List.of();
            }
            if (!has("ir_attachment", "res_model", "store_fname", "checksum", "file_size")) {
                skip("attachments", "attachments", "ir_attachment", null, "table or its store_fname/checksum/file_size absent");
                return List.of();
            }
            if (filestore == null) {
                notes.add("no filestore given: attachments were not replaced");
                return List.of();
            }
            Map<String, Column> a = columns("ir_attachment");
            String text = writePlaceholder(filestore, rules.placeholderText().getBytes(StandardCharsets.UTF_8));
            String png = writePlaceholder(filestore, PLACEHOLDER_PNG);
            long textSize = rules.placeholderText().getBytes(StandardCharsets.UTF_8).length;
            Array modelArray = c.createArrayOf("text", models.toArray());
            String binary = a.containsKey("type") ? " AND (type = 'binary' OR type IS NULL)" : "";
            String image = a.containsKey("mimetype") ? "mimetype LIKE 'image/%'" : "false";
            execute("DROP TABLE IF EXISTS pg_temp.anon_old_files");
            try (PreparedStatement ps = c.prepareStatement("CREATE TEMP TABLE anon_old_files AS "
                    + "SELECT DISTINCT store_fname FROM ir_attachment WHERE res_model = ANY(?) AND store_fname IS NOT NULL"
                    + binary)) {
                ps.setArray(1, modelArray);
                ps.execute();
            }
            StringJoiner set = new StringJoiner(", ");
            set.add("store_fname = CASE WHEN " + image + " THEN '" + png + "' ELSE '" + text + "' END");
            set.add("checksum = CASE WHEN " + image + " THEN '" + png.substring(3) + "' ELSE '" + text.substring(3) + "' END");
            set.add("file_size = CASE WHEN " + image + " THEN " + PLACEHOLDER_PNG.length + " ELSE " + textSize + " END");
            if (a.containsKey("mimetype")) {
                set.add("mimetype = CASE WHEN " + image + " THEN 'image/png' ELSE 'text/plain' END");
            }
            if (a.containsKey("db_datas")) {
                set.add("db_datas = NULL");
            }
            if (a.containsKey("index_content")) {
                set.add("index_content = NULL");
            }
            if (a.containsKey("description")) {
                set.add("description = NULL");
            }
            if (a.containsKey("name")) {
                String named = a.containsKey("res_field") ? "res_field IS NOT NULL" : "false";
                set.add("name = CASE WHEN " + named + " THEN name WHEN " + image
                        + " THEN 'placeholder.png' ELSE 'placeholder.txt' END");
            }
            int rows;
            try (PreparedStatement ps = c.prepareStatement("UPDATE ir_attachment SET " + set
                    + " WHERE res_model = ANY(?)" + binary)) {
                ps.setArray(1, modelArray);
                rows = ps.executeUpdate();
            }
            List<String> orphans = new ArrayList<>();
            int unsafe = 0;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT f.store_fname FROM anon_old_files f "
                    + "WHERE NOT EXISTS (SELECT 1 FROM ir_attachment a WHERE a.store_fname = f.store_fname)")) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    if (STORE_FNAME.matcher(name).matches()) {
                        orphans.add(name);
                    } else {
                        unsafe++;
                    }
                }
            }
            long shared = count("SELECT count(*) FROM anon_old_files f WHERE f.store_fname NOT IN ('" + png + "', '" + text
                    + "') AND EXISTS (SELECT 1 FROM ir_attachment a WHERE a.store_fname = f.store_fname)");
            attachmentsEvidence.put("rows", rows);
            attachmentsEvidence.put("placeholder_files", List.of(text, png));
            attachmentsEvidence.put("original_files_unreferenced", orphans.size());
            if (shared > 0) {
                attachmentsEvidence.put("original_files_kept_shared_with_other_models", shared);
                notes.add(shared + " replaced files are still referenced by attachments of models outside the list: kept");
            }
            if (unsafe > 0) {
                notes.add(unsafe + " replaced attachments had a store_fname outside Odoo's <2 hex>/<sha1> layout: "
                        + "their files were not removed");
            }
            attachmentsEvidence.put("ms", (System.nanoTime() - t0) / 1_000_000);
            return orphans;
        }

        static String writePlaceholder(Path filestore, byte[] content) {
            String sha = HexFormat.of().formatHex(sha1(content));
            String name = sha.substring(0, 2) + "/" + sha;
            Path target = filestore.resolve(name);
            try {
                if (!Files.isRegularFile(target)) {
                    Files.createDirectories(target.getParent());
                    Path tmp = Files.createTempFile(target.getParent(), ".placeholder", ".tmp");
                    Files.write(tmp, content);
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the placeholder file into the scratch filestore", e);
            }
            return name;
        }
    }
}
