package dev.odooops.domain;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The application profiles and what they read, without Camel: scratch paths, conf.php, Dolibarr's log lines. */
@Tag("fast")
class AppProfileTest {
    @Test
    void should_leave_out_dolibarr_scratch_directories_below_the_top_only() {
        AppProfile d = AppProfile.DOLIBARR;
        assertTrue(d.leftOut("facture/temp", true));
        assertTrue(d.leftOut("facture/temp/x.tmp", false));
        assertTrue(d.leftOut("2/facture/temp/massgeneration/a.pdf", false));
        assertFalse(d.leftOut("temp", true), "a top-level temp is not a module's dir_temp");
        assertFalse(d.leftOut("facture/FA01/temp", false), "a file named temp is a document");
        assertFalse(d.leftOut("facture/FA01/FA01.pdf", false));
        assertFalse(d.leftOut("facture/temporary/x", false));
        assertFalse(AppProfile.ODOO.leftOut("ab/temp/x", false), "Odoo leaves nothing out");
        assertTrue(d.leftOut("dolibarr.log", false), "Dolibarr's log is written on every page");
        assertTrue(d.leftOut("dolibarr.log.1", false));
        assertTrue(d.leftOut("dolibarr_install.log", false));
        assertFalse(d.leftOut("facture/FA01/dolibarr.log", false), "only its own, at the top");
        assertFalse(AppProfile.ODOO.leftOut("dolibarr.log", false));
    }

    @Test
    void should_read_profiles_by_name_with_odoo_as_the_default() {
        assertEquals(AppProfile.ODOO, AppProfile.of(null));
        assertEquals(AppProfile.DOLIBARR, AppProfile.of("dolibarr"));
        assertThrows(IllegalArgumentException.class, () -> AppProfile.of("Dolibarr"));
        assertEquals("dolibarr_conf", AppProfile.DOLIBARR.confKey());
        assertTrue(AppProfile.ODOO.namesByContent());
        assertFalse(AppProfile.DOLIBARR.namesByContent());
    }

    @Test
    void should_read_the_variables_of_conf_php_without_running_it() {
        Map<String, String> conf = PhpConf.parse(String.join("\n",
                "<?php",
                "// $dolibarr_main_db_pass='commented out';",
                "/* $dolibarr_main_db_pass='in a block';",
                "   still a comment */",
                "$dolibarr_main_db_host = 'localhost'; // trailing comment",
                "$dolibarr_main_db_pass='it\\'s; a \\\\ secret';",
                "$dolibarr_main_cookie_cryptkey=\"abc\";",
                "$dolibarr_main_prod=1;",
                "# $dolibarr_main_db_name='hashed out';",
                "$dolibarr_main_db_name='first';",
                "$dolibarr_main_db_name='second';",
                "define('SOME_CONSTANT', '$not_a_variable');",
                "if ($x == 'y') { }",
                "?>"));
        assertEquals("localhost", conf.get("dolibarr_main_db_host"));
        assertEquals("it's; a \\ secret", conf.get("dolibarr_main_db_pass"));
        assertEquals("abc", conf.get("dolibarr_main_cookie_cryptkey"));
        assertEquals("1", conf.get("dolibarr_main_prod"));
        assertEquals("second", conf.get("dolibarr_main_db_name"), "the last assignment wins, as in PHP");
        assertFalse(conf.containsKey("not_a_variable"));
        assertFalse(conf.containsKey("x"), "a comparison is not an assignment");
        assertEquals(List.of("dolibarr_main_db_host", "dolibarr_main_db_pass", "dolibarr_main_cookie_cryptkey",
                "dolibarr_main_prod", "dolibarr_main_db_name"), List.copyOf(conf.keySet()));
    }

    @Test
    void should_treat_dolibarrs_secret_variables_as_secret() {
        for (String k : List.of("dolibarr_main_db_pass", "dolibarr_main_auth_ldap_admin_pass", "dolibarr_main_cookie_cryptkey",
                "dolibarr_main_dolcrypt_key",
                "dolibarr_main_instance_unique_id")) {
            assertTrue(SecretRedactor.isSecretKey(k), k);
        }
        for (String k : List.of("dolibarr_main_db_name", "dolibarr_main_url_root", "passage", "compass_heading")) {
            assertFalse(SecretRedactor.isSecretKey(k), k);
        }
    }

    @Test
    void should_find_problems_in_a_dolibarr_log_by_its_level_word_and_time() {
        java.time.ZoneId utc = java.time.ZoneOffset.UTC;
        List<String> log = List.of(
                "2026-12-01 10:00:00 ERR     127.0.0.1       before the window",
                "2026-12-01 12:00:00 INFO    127.0.0.1       --- Access to GET /index.php",
                "2026-12-01 12:00:01 WARNING 127.0.0.1       a warning is not a problem",
                "2026-12-01 12:00:02 ERR     127.0.0.1       sql error: relation llx_x does not exist",
                "2026-12-01 12:00:03 DEBUG   127.0.0.1       mentions ERR in its text only");
        List<String> bad = OdooLog.problemsSince(log, java.time.Instant.parse("2026-12-01T11:00:00Z"), utc, 10, AppProfile.DOLIBARR);
        assertEquals(1, bad.size(), bad.toString());
        assertTrue(bad.get(0).contains("sql error"));
        assertTrue(OdooLog.problem(log.get(3), AppProfile.DOLIBARR));
        assertFalse(OdooLog.problem(log.get(4), AppProfile.DOLIBARR));
    }
}
