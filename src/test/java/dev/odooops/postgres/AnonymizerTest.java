package dev.odooops.postgres;

import dev.odooops.domain.AnonymizationRules;
import dev.odooops.domain.Json;
import dev.odooops.support.OdooPersonalData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The anonymisation engine on a real PostgreSQL database with Odoo's table and column names: nothing personal
 * survives in a plain pg_dump or the filestore, journal entries balance, fakes are consistent and salted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnonymizerTest {
    private OdooPersonalData data;
    private OdooPersonalData other;
    private OdooPersonalData parallel;
    private Map<String, Object> parallelEvidence;
    private Set<String> originals;
    private Map<String, Object> evidence;
    private long amountsBefore;

    @BeforeAll
    void anonymizeTwoCopiesWithTwoSalts() throws Exception {
        data = OdooPersonalData.create("engine");
        other = data.copy("engine2");
        parallel = data.copy("engine3");
        originals = data.originals();
        assertTrue(originals.size() > 1000, "the fixture holds personal data: " + originals.size());
        amountsBefore = sumAbsBalance(data);
        try (Connection c = data.connect()) {
            evidence = new Anonymizer().anonymize(c, data.filestore, AnonymizationRules.defaults(), "salt-one").evidence();
        }
        Files.writeString(Path.of("target", "anonymization-evidence.json"), Json.pretty(evidence));
        try (Connection c = data.connect()) {
            assertTrue(c.isValid(1));
        }
        try (Connection c = other.connect()) {
            new Anonymizer().anonymize(c, other.filestore, AnonymizationRules.defaults(), "salt-two");
        }
        parallelEvidence = new Anonymizer().anonymize(parallel::connect, 3, parallel.filestore,
                AnonymizationRules.defaults(), "salt-one").evidence();
    }

    @AfterAll
    void dropCopies() throws Exception {
        if (data != null) {
            data.close();
        }
        if (other != null) {
            other.close();
        }
        if (parallel != null) {
            parallel.close();
        }
    }

    @Test
    void should_leave_no_original_value_in_a_plain_dump_or_the_filestore() throws Exception {
        Process p = new ProcessBuilder("pg_dump", "-h", "127.0.0.1", "-U", "postgres", "--no-owner", "-d", data.database)
                .redirectErrorStream(true).start();
        String dump = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), dump);
        assertTrue(dump.contains("COPY public.res_partner"), "a real dump");
        List<String> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(data.filestore)) {
            s.filter(Files::isRegularFile).forEach(f -> files.add(OdooPersonalData.read(f)));
        }
        assertFalse(files.isEmpty());
        List<String> survivors = new ArrayList<>();
        for (String value : originals) {
            if (dump.contains(value) || files.stream().anyMatch(f -> f.contains(value))) {
                survivors.add(value);
            }
        }
        assertEquals(List.of(), survivors, "original values left in the dump or the filestore");
        assertFalse(dump.contains("TOTPSECRET"), "2FA secrets cleared");
    }

    @Test
    void should_give_one_partner_email_the_same_fake_everywhere() throws Exception {
        try (Connection c = data.connect(); Statement st = c.createStatement()) {
            String fake = one(st, "SELECT email FROM res_partner WHERE id = 5");
            assertTrue(fake.endsWith("@example.invalid"), fake);
            assertEquals(fake, one(st, "SELECT email FROM res_partner WHERE id = 25"), "duplicate email, same fake");
            assertEquals(fake, one(st, "SELECT email_normalized FROM res_partner WHERE id = 5"));
            assertEquals(fake, one(st, "SELECT email_from FROM crm_lead WHERE id = 5"));
            assertEquals(fake, one(st, "SELECT email_from FROM mail_message WHERE res_id = 5"));
            assertEquals(fake, one(st, "SELECT login FROM res_users WHERE partner_id = 5"));
            assertEquals("2", one(st, "SELECT count(*) FROM hr_employee WHERE work_email = '" + fake + "'"),
                    "the employees of partners 5 and 25");
            assertTrue(one(st, "SELECT email_to FROM mail_mail WHERE mail_message_id = 5").startsWith(fake + ","),
                    "the outgoing mail's recipients");
            // names too: the partner's name faked alike on its invoices
            String name = one(st, "SELECT name FROM res_partner WHERE id = 7");
            assertEquals(name, one(st, "SELECT invoice_partner_display_name FROM account_move WHERE partner_id = 7 LIMIT 1"));
            assertEquals(one(st, "SELECT sanitized_acc_number FROM res_partner_bank WHERE partner_id = 3"),
                    one(st, "SELECT acc_number FROM res_partner_bank WHERE partner_id = 3"));
        }
    }

    @Test
    void should_give_other_fakes_with_another_salt() throws Exception {
        int differ = 0;
        try (Connection a = data.connect(); Connection b = other.connect();
             Statement sa = a.createStatement(); Statement sb = b.createStatement()) {
            for (int id = 2; id <= 30; id++) {
                String q = "SELECT email || '|' || phone || '|' || street FROM res_partner WHERE id = " + id;
                if (!one(sa, q).equals(one(sb, q))) {
                    differ++;
                }
            }
        }
        assertEquals(29, differ, "every partner's fakes differ between two salts");
    }

    @Test
    void should_keep_every_journal_entry_balanced_and_totals_equal_to_lines() throws Exception {
        try (Connection c = data.connect(); Statement st = c.createStatement()) {
            assertEquals("0", one(st, "SELECT count(*) FROM (SELECT move_id FROM account_move_line GROUP BY move_id "
                    + "HAVING sum(debit) <> sum(credit) OR sum(balance) <> 0) x"), "unbalanced moves");
            assertEquals("0", one(st, "SELECT count(*) FROM account_move_line WHERE balance <> debit - credit "
                    + "OR balance <> round(balance, 2) OR (currency_id = 1 AND amount_currency <> balance)"));
            assertEquals("0", one(st, "SELECT count(*) FROM account_move_line WHERE currency_id = 3 "
                    + "AND (amount_currency <> round(amount_currency, 0) OR amount_currency = 0)"), "yen have no decimals");
            assertEquals("0", one(st, "SELECT count(*) FROM account_move m JOIN (SELECT move_id, "
                    + "sum(balance) FILTER (WHERE display_type = 'product') u, sum(balance) FILTER (WHERE display_type = 'tax') t, "
                    + "sum(amount_residual) FILTER (WHERE display_type = 'payment_term') r FROM account_move_line GROUP BY 1) l "
                    + "ON l.move_id = m.id WHERE m.move_type <> 'entry' AND (m.amount_untaxed_signed <> -l.u "
                    + "OR m.amount_tax_signed <> -l.t OR m.amount_total_signed <> -(l.u + l.t) OR m.amount_residual_signed <> l.r "
                    + "OR m.amount_untaxed + m.amount_tax <> m.amount_total OR m.amount_total <> abs(m.amount_total_signed))"),
                    "invoice totals differ from their lines");
            assertEquals("0", one(st, "SELECT count(*) FROM account_move m WHERE move_type = 'entry' AND ("
                    + "amount_total_signed <> (SELECT sum(debit) FROM account_move_line WHERE move_id = m.id) OR amount_total <> "
                    + "(SELECT sum(amount_currency) FROM account_move_line WHERE move_id = m.id AND balance > 0))"),
                    "entries: total = their debits (in company and in move currency)");
            // reconciliations still add up: fully paid invoices owe nothing, the others owe balance - paid
            assertEquals("0", one(st, "SELECT count(*) FROM account_move_line l WHERE account_id = 121000 AND amount_residual <> "
                    + "l.balance - coalesce((SELECT sum(amount) FROM account_partial_reconcile WHERE debit_move_id = l.id), 0) "
                    + "+ coalesce((SELECT sum(amount) FROM account_partial_reconcile WHERE credit_move_id = l.id), 0)"));
            assertTrue(Long.parseLong(one(st, "SELECT count(*) FROM account_move_line WHERE reconciled AND amount_residual = 0")) > 0);
            assertEquals("0", one(st, "SELECT count(*) FROM sale_order s WHERE amount_total <> "
                    + "(SELECT sum(price_total) FROM sale_order_line WHERE order_id = s.id) OR amount_untaxed + amount_tax <> amount_total"));
            assertEquals("0", one(st, "SELECT count(*) FROM account_bank_statement s WHERE balance_end <> balance_start + "
                    + "(SELECT sum(amount) FROM account_bank_statement_line WHERE statement_id = s.id) OR balance_end_real <> balance_end"));
        }
        long after = sumAbsBalance(data);
        assertNotEquals(amountsBefore, after, "amounts were scaled");
        Map<?, ?> amounts = (Map<?, ?>) evidence.get("amounts");
        assertEquals(true, amounts.get("scaled"));
        Map<?, ?> balance = (Map<?, ?>) amounts.get("balance");
        assertEquals(0L, ((Number) balance.get("moves_unbalanced_after")).longValue());
        assertTrue(((Number) balance.get("moves_adjusted_by_rounding")).longValue() > 0, "the fixture's cents need balancing");
        assertTrue(((Map<?, ?>) amounts.get("hash_chains")).containsKey("account_move_hashed_per_journal_id"));
        assertFalse(Json.compact(evidence).contains(Anonymizer.factor("salt-one").toPlainString()), "the factor is not printed");
    }

    @Test
    void should_replace_attachments_of_configured_models_by_a_placeholder_file() throws Exception {
        try (Connection c = data.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT res_model, store_fname, checksum, file_size, mimetype, index_content "
                     + "FROM ir_attachment")) {
            int replaced = 0;
            while (rs.next()) {
                Path file = data.filestore.resolve(rs.getString(2));
                assertTrue(Files.isRegularFile(file), "every attachment's file exists: " + rs.getString(2));
                byte[] content = Files.readAllBytes(file);
                assertEquals(rs.getString(3), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(content)));
                assertEquals(rs.getLong(4), content.length);
                if (!rs.getString(1).equals("product.template")) {
                    replaced++;
                    assertTrue(rs.getString(5).equals("text/plain") || rs.getString(5).equals("image/png"));
                    assertNull(rs.getString(6), "index_content cleared");
                }
            }
            assertEquals(71, replaced);
        }
        long files;
        try (Stream<Path> s = Files.walk(data.filestore)) {
            files = s.filter(Files::isRegularFile).count();
        }
        assertEquals(3, files, "two placeholders and the product sheet shared with a partner's attachment");
        Map<?, ?> att = (Map<?, ?>) evidence.get("attachments");
        assertEquals(71, ((Number) att.get("rows")).intValue());
        assertEquals(70, ((Number) att.get("original_files_removed")).intValue());
    }

    @Test
    void should_keep_the_allowed_logins_and_clear_everyone_elses_secrets() throws Exception {
        try (Connection c = data.connect(); Statement st = c.createStatement()) {
            assertEquals("$pbkdf2-sha512$600000$adminhash", one(st, "SELECT password FROM res_users WHERE login = 'admin'"));
            assertEquals("1", one(st, "SELECT count(*) FROM res_users WHERE login = '__system__'"));
            assertEquals("0", one(st, "SELECT count(*) FROM res_users WHERE login NOT IN ('admin', '__system__') "
                    + "AND (password IS NOT NULL OR totp_secret IS NOT NULL)"));
            assertEquals("2", one(st, "SELECT count(*) FROM res_users_apikeys"), "only the allowed users' API keys are left");
        }
    }

    @Test
    void should_apply_a_project_rule_to_a_translated_column_and_delete_rows() throws Exception {
        AnonymizationRules rules = AnonymizationRules.parse("""
                disable: [partners]
                rules:
                  - {name: job-titles, table: hr_job, columns: {name: name}}
                  - {name: no-keys, table: res_users_apikeys, delete: true}
                amounts: {enabled: false}
                attachments: {models: []}
                """, "test.yaml");
        Map<String, Object> ev;
        try (Connection c = other.connect(); Statement st = c.createStatement()) {
            ev = new Anonymizer().anonymize(c, other.filestore, rules, "salt-three").evidence();
            assertTrue(c.getAutoCommit(), "the connection's mode is given back");
            assertEquals("0", one(st, "SELECT count(*) FROM pg_proc WHERE pronamespace = pg_my_temp_schema()"),
                    "no fake function left in the session");
            assertEquals("", one(st, "SELECT coalesce(current_setting('odoo_ops.anon_salt', true), '')"), "no salt left");
        }
        try (Connection c = other.connect(); Statement st = c.createStatement()) {
            String job = one(st, "SELECT name::text FROM hr_job");
            assertFalse(job.contains("Snodgrass"), job);
            assertTrue(job.startsWith("{\"en_US\": "), job);
            assertEquals("0", one(st, "SELECT count(*) FROM res_users_apikeys"), "no allow-list filter on this rule");
        }
        assertEquals(false, ((Map<?, ?>) ev.get("amounts")).get("scaled"));
    }

    @Test
    void should_fail_naming_the_rule_when_a_fake_does_not_fit_and_leave_the_session_clean() throws Exception {
        try (Connection c = other.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS x_badge (id serial PRIMARY KEY, initials varchar(3))");
            st.execute("INSERT INTO x_badge (initials) VALUES ('ZQ')");
            AnonymizationRules rules = AnonymizationRules.parse("""
                    rules: [{name: badges, table: x_badge, columns: {initials: name}}]
                    amounts: {enabled: false}
                    """, "test.yaml");
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new Anonymizer().anonymize(c, other.filestore, rules, "salt-four"));
            assertTrue(e.getMessage().startsWith("anonymisation failed at rule badges: "), e.getMessage());
            assertTrue(e.getMessage().endsWith("(the scratch copy is partly anonymised: drop it)"), e.getMessage());
            assertEquals("ZQ", one(st, "SELECT initials FROM x_badge"), "the failing step changed nothing");
            st.execute("CREATE TABLE IF NOT EXISTS x_card (id serial PRIMARY KEY, holder varchar, code varchar "
                    + "CHECK (code IS NULL OR code LIKE 'C%'))");
            st.execute("INSERT INTO x_card (holder, code) VALUES ('Orig Holder Zorblat', 'C-1')");
            AnonymizationRules cards = AnonymizationRules.parse("""
                    rules: [{name: cards, table: x_card, columns: {code: zip}}]
                    amounts: {enabled: false}
                    """, "test.yaml");
            IllegalStateException check = assertThrows(IllegalStateException.class,
                    () -> new Anonymizer().anonymize(c, other.filestore, cards, "salt-four"));
            assertTrue(check.getMessage().contains("x_card_code_check"), check.getMessage());
            assertFalse(check.getMessage().contains("Zorblat"), "no original value in the error: " + check.getMessage());
            assertEquals("0", one(st, "SELECT count(*) FROM pg_proc WHERE pronamespace = pg_my_temp_schema()"));
        }
    }

    @Test
    void should_give_the_same_result_on_several_connections_as_on_one() throws Exception {
        String partners = "SELECT md5(string_agg(concat_ws('|', name, email, phone, mobile, street, zip, city, vat), ',' "
                + "ORDER BY id)) FROM res_partner";
        String lines = "SELECT md5(string_agg(concat_ws('|', debit, credit, balance, amount_currency, amount_residual), ',' "
                + "ORDER BY id)) FROM account_move_line";
        String moves = "SELECT md5(string_agg(concat_ws('|', amount_total, amount_residual_signed), ',' ORDER BY id)) FROM account_move";
        String files = "SELECT md5(string_agg(concat_ws('|', store_fname, checksum), ',' ORDER BY id)) FROM ir_attachment";
        try (Connection a = data.connect(); Connection b = parallel.connect();
             Statement sa = a.createStatement(); Statement sb = b.createStatement()) {
            for (String q : List.of(partners, lines, moves, files)) {
                assertEquals(one(sa, q), one(sb, q), q);
            }
        }
        assertEquals(3, ((Number) parallelEvidence.get("connections")).intValue());
        assertEquals(Json.compact(evidence.get("skipped")), Json.compact(parallelEvidence.get("skipped")));
        List<?> one = (List<?>) evidence.get("rules");
        List<?> three = (List<?>) parallelEvidence.get("rules");
        assertEquals(one.stream().map(r -> ((Map<?, ?>) r).get("name")).toList(),
                three.stream().map(r -> ((Map<?, ?>) r).get("name")).toList(), "rules listed in their order");
    }

    @Test
    void should_report_absent_tables_and_columns_as_skipped() {
        String skipped = Json.compact(evidence.get("skipped"));
        assertTrue(skipped.contains("{\"rule\":\"website-visitors\",\"table\":\"website_visitor\",\"reason\":\"table absent\"}"), skipped);
        assertTrue(skipped.contains("{\"rule\":\"partners\",\"table\":\"res_partner\",\"column\":\"display_name\",\"reason\":\"column absent\"}"), skipped);
        assertTrue(skipped.contains("\"amounts\":\"purchase-orders\""), skipped);
        List<?> rules = (List<?>) evidence.get("rules");
        Map<?, ?> partners = (Map<?, ?>) rules.stream().filter(r -> "partners".equals(((Map<?, ?>) r).get("name")))
                .findFirst().orElseThrow();
        assertEquals(300, ((Number) partners.get("rows")).intValue());
        assertTrue(partners.containsKey("ms"));
    }

    private static long sumAbsBalance(OdooPersonalData d) throws SQLException {
        try (Connection c = d.connect(); Statement st = c.createStatement()) {
            return new BigDecimal(one(st, "SELECT sum(abs(balance)) FROM account_move_line")).movePointRight(2).longValueExact();
        }
    }

    private static String one(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }
}
