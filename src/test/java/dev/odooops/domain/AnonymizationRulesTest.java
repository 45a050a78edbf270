package dev.odooops.domain;

import dev.odooops.domain.AnonymizationRules.ColumnRule;
import dev.odooops.domain.AnonymizationRules.Kind;
import dev.odooops.domain.AnonymizationRules.Rule;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("fast")
class AnonymizationRulesTest {

    private static Kind kind(AnonymizationRules rules, String rule, String column) {
        Rule r = rules.rule(rule);
        assertNotNull(r, rule);
        return r.columns().stream().filter(c -> c.column().equals(column)).map(ColumnRule::kind).findFirst().orElse(null);
    }

    private static RequestRejected refused(String yaml) {
        return assertThrows(RequestRejected.class, () -> AnonymizationRules.parse(yaml, "project.yaml"));
    }

    @Test
    void defaults_cover_odoo_personal_data_with_odoo_column_names() {
        AnonymizationRules d = AnonymizationRules.defaults();
        assertEquals(Kind.EMAIL, kind(d, "partners", "email"));
        assertEquals(Kind.PHONE, kind(d, "partners", "mobile"));
        assertEquals(Kind.VAT, kind(d, "partners", "vat"));
        assertEquals(Kind.IBAN, kind(d, "partner-bank-accounts", "sanitized_acc_number"));
        assertEquals(Kind.LOGIN, kind(d, "users", "login"));
        assertEquals(Kind.NULL, kind(d, "users", "password"));
        assertEquals(Kind.NULL, kind(d, "users", "totp_secret"));
        assertEquals("id", d.rule("users").keepAllowedUsers());
        assertEquals(Kind.EMAIL, kind(d, "employees", "private_email"));
        assertEquals(Kind.EMAIL, kind(d, "leads", "email_from"));
        assertEquals(Kind.HTML, kind(d, "messages", "body"));
        assertEquals(Kind.EMAIL_LIST, kind(d, "outgoing-mails", "email_to"));
        assertEquals(Kind.TEXT, kind(d, "tracking-values", "new_value_char"));
        assertEquals(Kind.NAME, kind(d, "invoices", "invoice_partner_display_name"));
        assertTrue(d.rule("user-api-keys").delete());
        assertTrue(d.allowedLogins().containsAll(List.of("admin", "__system__")));
        assertTrue(d.attachmentModels().containsAll(List.of("res.partner", "hr.employee", "account.move")));
        assertTrue(d.amountsEnabled());
        assertTrue(d.scaledTables().stream().anyMatch(t -> t.table().equals("sale_order") && t.totals() != null));
    }

    @Test
    void an_override_adds_replaces_and_disables_rules_and_changes_lists() {
        AnonymizationRules r = AnonymizationRules.parse("""
                allowed_logins: [admin, ci-bot]
                disable: [website-visitors, expenses]
                rules:
                  - name: partners
                    table: res_partner
                    columns: {email: email}
                  - name: loyalty-cards
                    table: loyalty_card
                    columns:
                      code: null
                      note: {kind: text, value: "no note"}
                attachments:
                  models: [res.partner]
                amounts:
                  enabled: false
                """, "project.yaml");
        assertEquals(List.of("admin", "ci-bot"), r.allowedLogins());
        assertNull(r.rule("website-visitors"));
        assertTrue(r.scaledTables().stream().noneMatch(t -> t.name().equals("expenses")));
        assertEquals(1, r.rule("partners").columns().size(), "a rule of the same name replaces the default");
        assertEquals(Kind.NULL, kind(r, "loyalty-cards", "code"));
        assertEquals("no note", r.rule("loyalty-cards").columns().get(1).value());
        assertNotNull(r.rule("leads"), "other defaults stay");
        assertEquals(List.of("res.partner"), r.attachmentModels());
        assertFalse(r.amountsEnabled());
        // the rules keep the defaults' order, a new one comes last
        assertEquals("loyalty-cards", r.rules().get(r.rules().size() - 1).name());
    }

    @Test
    void load_reads_a_file_and_null_means_the_defaults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rules.yaml");
        Files.writeString(file, "disable: [leads]\n");
        assertNull(AnonymizationRules.load(file).rule("leads"));
        assertNotNull(AnonymizationRules.load(null).rule("leads"));
        RequestRejected missing = assertThrows(RequestRejected.class, () -> AnonymizationRules.load(dir.resolve("none.yaml")));
        assertEquals("anonymization.rules", missing.field());
    }

    @Test
    void a_bad_rules_file_is_refused_naming_the_field() {
        assertEquals("rules[0].columns.email", refused("""
                rules:
                  - {name: x, table: res_partner, columns: {email: mail}}
                """).field());
        assertTrue(refused("rules: [{name: x, table: res_partner, columns: {email: mail}}]").getMessage()
                .contains("project.yaml: unknown kind 'mail'"));
        assertEquals("rules[0].table", refused("rules: [{name: x, table: \"res_partner; drop table x\", columns: {a: null}}]").field());
        assertEquals("rules[0].columns", refused("rules: [{name: x, table: t}]").field());
        assertEquals("rules[0].name", refused("rules: [{table: t, columns: {a: name}}]").field());
        assertEquals("rules[1].name", refused("rules: [{name: x, table: t, columns: {a: name}}, {name: x, table: u, columns: {a: name}}]").field());
        assertEquals("rules[0].columns.a.value", refused("rules: [{name: x, table: t, columns: {a: {kind: email, value: v}}}]").field());
        assertEquals("disable[0]", refused("disable: [no-such-rule]").field());
        assertEquals("colums", refused("colums: []").field());
        assertEquals("attachments.models[0]", refused("attachments: {models: [\"Res Partner\"]}").field());
        assertEquals("amounts.enabled", refused("amounts: {enabled: maybe}").field());
        assertEquals("amounts.tables[0].columns[0]", refused("amounts: {tables: [{name: t, table: t, columns: [\"A-B\"]}]}").field());
        assertEquals("allowed_logins", refused("allowed_logins: admin").field());
    }
}
